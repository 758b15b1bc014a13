/* Progressive enhancement for the survey form: move focus to the error summary so screen
   readers announce it and keyboard users start there. The form works without this file. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
