/* Kiosk thank-you page: a visible countdown to the restart link, which the person can extend
   with "More time" (WCAG 2.2.1 Timing Adjustable; no meta refresh). Without this file the
   page simply keeps the "Start a new survey" link and never resets by itself. */
(function () {
  "use strict";
  var box = document.querySelector("[data-kiosk-reset]");
  if (!box) {
    return;
  }
  var total = parseInt(box.getAttribute("data-seconds"), 10);
  var url = box.getAttribute("data-restart-url");
  var timer = box.querySelector("[data-countdown]");
  var more = box.querySelector("[data-more-time]");
  var noScript = box.querySelector("[data-kiosk-nojs]");
  if (!(total > 0) || !url || !timer || !more) {
    return;
  }
  var template = timer.getAttribute("data-template") || "__N__";
  var deadline = 0;
  var handle = null;

  function show(left) {
    timer.setAttribute("data-left", String(left));
    timer.textContent = template.replace("__N__", String(left));
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    show(left);
    if (left <= 0) {
      window.clearInterval(handle);
      window.location.assign(url);
    }
  }

  function restartCountdown() {
    deadline = Date.now() + total * 1000;
    show(total);
  }

  more.addEventListener("click", restartCountdown);
  timer.hidden = false;
  more.hidden = false;
  if (noScript) {
    noScript.hidden = true;
  }
  restartCountdown();
  handle = window.setInterval(tick, 250);
})();
