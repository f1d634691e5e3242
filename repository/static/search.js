// Progressive enhancement for the search page. Filters never apply on their own (WCAG 3.2.2):
// the person ticks, then presses "Apply filters". On a narrow screen the filter panel starts
// folded, so the results are a few Tab presses away; on a wide one it stays open beside them.
(function () {
  "use strict";
  var panel = document.querySelector("details.filter-panel");
  if (!panel || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 60rem)");
  function fit() {
    panel.open = wide.matches;
  }
  fit();
  if (wide.addEventListener) wide.addEventListener("change", fit);
})();
