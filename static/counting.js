/* The review's "counting these figures" page: asks every few seconds whether the worker has
   counted them (the poll header makes the page count nothing itself), then shows them. After
   two minutes it stops asking and says the queue worker may be stopped. Without this file the
   page keeps its "Show the figures now" link. */
(function () {
  "use strict";
  var box = document.querySelector("[data-review-counting]");
  if (!box || !window.fetch) {
    return;
  }
  var url = window.location.href;
  var asked = 0;
  function poll() {
    asked += 1;
    window.fetch(url, {headers: {"X-Review-Poll": "1"}, credentials: "same-origin"})
      .then(function (answer) {
        if (answer.status !== 202) {
          window.location.reload();
        } else if (asked < 40) {
          window.setTimeout(poll, 3000);
        } else {
          box.querySelector("[data-counting-slow]").hidden = false;
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
}());
