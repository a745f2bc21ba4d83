// clausegen — every page: after a refused form, move the focus to the error summary so that
// screen readers announce it and keyboard users start from it (RGAA 11.10, WCAG 3.3.1).
(function () {
  "use strict";
  var resume = document.getElementById("resume-erreurs");
  if (resume) { resume.focus(); }
  // On a small screen a data table scrolls in its own box (clausegen.css): one that does is
  // made focusable, so that the arrow keys scroll it (WCAG 2.1.1); its caption names it.
  function defilables() {
    var tables = document.querySelectorAll("table.tableau");
    for (var i = 0; i < tables.length; i++) {
      var t = tables[i];
      if (t.scrollWidth > t.clientWidth + 1) { t.setAttribute("tabindex", "0"); }
      else if (t.getAttribute("tabindex") === "0") { t.removeAttribute("tabindex"); }
    }
  }
  defilables();
  window.addEventListener("resize", defilables);
})();
