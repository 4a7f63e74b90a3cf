/* Included on the login page after an explicit sign-out: deletes the offline store of the field
   app (the IndexedDB database "cpmis-field", encrypted cases and queued actions) and the copies
   of the app's shell the service worker keeps, so that nothing of the officer's stays in this
   browser. A plain script (no module): it runs wherever it is included. */
(function () {
  "use strict";
  try {
    if (window.indexedDB) window.indexedDB.deleteDatabase("cpmis-field");
  } catch (error) {
    // private browsing or storage disabled: there is nothing to delete
  }
  if (window.caches && window.caches.keys) {
    window.caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("cpmis-field-") === 0;
            })
            .map(function (name) {
              return window.caches.delete(name);
            }),
        );
      })
      .catch(function () {});
  }
})();
