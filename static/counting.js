/* The review's "counting these figures" page: asks every few seconds whether the worker has
   counted them (the poll header makes the page count nothing itself), then shows them. Without
   this file the page keeps its "Show the figures now" link. */
(function () {
  "use strict";
  if (!document.querySelector("[data-review-counting]") || !window.fetch) {
    return;
  }
  var url = window.location.href;
  function poll() {
    window.fetch(url, {headers: {"X-Review-Poll": "1"}, credentials: "same-origin"})
      .then(function (answer) {
        if (answer.status === 202) {
          window.setTimeout(poll, 3000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
}());
