// clausegen — every page: after a refused form, move the focus to the error summary so that
// screen readers announce it and keyboard users start from it (RGAA 11.10, WCAG 3.3.1).
(function () {
  "use strict";
  var resume = document.getElementById("resume-erreurs");
  if (resume) { resume.focus(); }
})();
