/* The main menu folds behind its "Menu" button on narrow screens (app.css). The "js" class
   tells the stylesheet that the button works; without JavaScript the menu stays open. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function init() {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    function open(yes) {
      button.setAttribute("aria-expanded", yes ? "true" : "false");
    }
    button.addEventListener("click", function () {
      open(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        open(false);
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
