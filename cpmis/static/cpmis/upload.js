// Progress for large uploads: the form is sent by XMLHttpRequest so the bytes sent can be
// shown; then the server queues the batch and answers with the page that follows it (the
// job's, or the submission's report when it was done at once). Without this script the form
// is sent the ordinary way.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = document.getElementById("upload-progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");

  function mb(bytes) { return (bytes / 1048576).toFixed(1); }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    box.hidden = false;
    button.disabled = true;
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      bar.max = e.total;
      bar.value = e.loaded;
      text.textContent = "Sending: " + Math.round(100 * e.loaded / e.total) + " % (" +
        mb(e.loaded) + " of " + mb(e.total) + " MB)";
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value");  // indeterminate: the server is at work
      text.textContent = "Sent. The batch is being queued; its progress follows.";
    });
    request.addEventListener("load", function () {
      var type = request.getResponseHeader("Content-Type") || "";
      var here = new URL(request.responseURL || window.location.href, window.location.href);
      if (request.status === 200 && type.indexOf("application/json") === 0) {
        window.location.assign(JSON.parse(request.responseText).location);
        return;
      }
      if (request.status === 400 && type.indexOf("text/html") === 0 &&
          here.origin === window.location.origin && here.pathname === window.location.pathname) {
        document.open();
        document.write(request.responseText);  // this form again, with its errors
        document.close();
        return;
      }
      button.disabled = false;
      bar.value = 0;
      text.textContent = "The batch could not be sent (" + request.status + "). " +
        "Nothing was saved; sign in again if asked, and send it again.";
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      text.textContent = "The connection failed before the batch arrived. Nothing was saved; send it again.";
    });
    request.send(new FormData(form));
  });
})();
