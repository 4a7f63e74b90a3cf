/* A filter box above long pickers (select[data-searchable]): type part of a name and the list
   keeps only what matches. Without JavaScript the full list is still there. */
(function () {
  "use strict";
  function fold(text) { return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); }
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-filter";
    box.id = select.id + "-filter";
    box.setAttribute("aria-label", "Filter the list: " + (select.labels[0] ? select.labels[0].textContent.trim() : ""));
    box.setAttribute("aria-controls", select.id);
    box.placeholder = "Type to filter…";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      select.querySelectorAll("option").forEach(function (option) {
        if (!option.value) { return; }
        var text = fold(option.textContent);
        option.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
    });
  });
}());
