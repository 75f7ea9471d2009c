// Glue for the CRM's pages. No inline script anywhere: the Content-Security-Policy forbids it.
(function () {
  "use strict";

  // Buttons with data-confirm ask before their form is sent.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });

  // A request htmx could not complete says so instead of failing silently.
  function toast(msg) {
    var t = document.getElementById("toast");
    if (!t) return;
    t.textContent = msg;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, 5000);
  }
  document.addEventListener("htmx:response:error", function (e) {
    var status = e.detail && e.detail.ctx && e.detail.ctx.response ? e.detail.ctx.response.status : 0;
    if (status >= 500) toast("Something went wrong on our side. Try again in a moment.");
  });
  document.addEventListener("htmx:error", function () {
    toast("Could not reach the server. Check your connection and try again.");
  });
})();
