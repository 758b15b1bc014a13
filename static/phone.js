/* On a phone, the page's long preludes start closed so it opens on its own content: the
   staff menu and the review's period and filters are <details class="phone-collapsible" open>,
   closed here on narrow screens; their summary ("Menu", "Period and filters") opens them.
   Wider screens keep them open (app.css hides the summary there). Without this file they are
   simply open. */
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 40rem)").matches) {
    return;
  }
  var panels = document.querySelectorAll("details.phone-collapsible");
  for (var i = 0; i < panels.length; i += 1) {
    panels[i].open = false;
  }
})();
