/* On every page but the field app's own (which asks in its own words): signing out deletes the
   offline store of this browser (the login page's wipe.js), so when actions recorded offline are
   still waiting to be sent, the officer is asked first. Reads only the plain counts the field app
   keeps for its status bar; opens nothing if the store does not exist. A plain script. */
(function () {
  "use strict";
  var form = document.querySelector("form.logout[data-unsent-warning]");
  if (!form || !window.indexedDB || !window.indexedDB.databases) return;
  var asked = false;

  function unsent() {
    return window.indexedDB.databases().then(function (found) {
      var exists = found.some(function (db) {
        return db.name === "cpmis-field";
      });
      if (!exists) return 0;
      return new Promise(function (resolve) {
        var opening = window.indexedDB.open("cpmis-field");
        opening.onerror = function () {
          resolve(0);
        };
        opening.onsuccess = function () {
          var db = opening.result;
          if (!db.objectStoreNames.contains("meta")) {
            db.close();
            resolve(0);
            return;
          }
          var got = db.transaction("meta", "readonly").objectStore("meta").get("counts");
          got.onsuccess = function () {
            var counts = got.result || {};
            db.close();
            resolve((counts.queued || 0) + (counts.conflicts || 0));
          };
          got.onerror = function () {
            db.close();
            resolve(0);
          };
        };
      });
    });
  }

  form.addEventListener("submit", function (event) {
    if (asked) return;
    event.preventDefault();
    unsent()
      .catch(function () {
        return 0;
      })
      .then(function (n) {
        if (n > 0 && !window.confirm(form.getAttribute("data-unsent-warning").replace("%(n)s", n))) {
          return;
        }
        asked = true;
        form.submit();
      });
  });
})();
