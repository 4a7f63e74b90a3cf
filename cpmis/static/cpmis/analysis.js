/* The analyst's pickers, as progressive enhancement (the pages work without it):
   - the org-unit list (select[data-orgunits]) gets a box above it: type part of a name and only
     the matching places (and the provinces they lie in) stay in the list;
   - on the pivot page, choosing another indicator enables the breakdowns it has
     (option[data-dimensions] on the indicator, select[data-dimension-choice] for rows and
     columns) and sets a breakdown it lacks back to none. */
(function () {
  "use strict";
  function fold(text) { return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); }

  document.querySelectorAll("select[data-orgunits]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-filter";
    box.id = select.id + "-filter";
    box.setAttribute("aria-controls", select.id);
    box.setAttribute("aria-label", select.getAttribute("data-filter-label") || "");
    box.placeholder = select.getAttribute("data-filter-label") || "";
    box.dir = "auto";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      select.querySelectorAll("optgroup").forEach(function (group) {
        var province = fold(group.label);
        var any = false;
        group.querySelectorAll("option").forEach(function (option) {
          var text = province + " " + fold(option.textContent);
          var shown = words.every(function (w) { return text.indexOf(w) !== -1; });
          option.hidden = !shown;
          any = any || shown;
        });
        group.hidden = !any;
      });
    });
  });

  document.querySelectorAll("select[data-dimensions-of]").forEach(function (indicator) {
    var form = indicator.form;
    var choices = form ? form.querySelectorAll("select[data-dimension-choice]") : [];
    function follow() {
      var chosen = indicator.options[indicator.selectedIndex];
      var dims = (chosen.getAttribute("data-dimensions") || "").split(" ");
      choices.forEach(function (select) {
        select.querySelectorAll("option").forEach(function (option) {
          var on = option.value === "total" || dims.indexOf(option.value) !== -1;
          option.disabled = !on;
          option.hidden = !on;
        });
        if (select.selectedOptions.length && select.selectedOptions[0].disabled) {
          select.value = "total";
        }
      });
    }
    indicator.addEventListener("change", follow);
  });
}());
