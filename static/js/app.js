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

// Pickers: typing in [data-picker] asks the server for matching records (only those the user
// may see) and shows them under the box; choosing one fills the hidden id field before it.
(function () {
  "use strict";
  function parts(input) {
    var field = input.closest(".picker");
    return { hidden: field.querySelector("input[type=hidden]"), box: field.querySelector(".choices-box") };
  }
  function close(input) {
    parts(input).box.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
  }
  function load(input) {
    var url = input.getAttribute("data-picker");
    url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(input.value);
    var scope = input.getAttribute("data-picker-scope");
    if (scope) {
      var other = document.querySelector("input[type=hidden][name='" + scope + "']");
      if (other && other.value) url += "&" + scope + "=" + encodeURIComponent(other.value);
    }
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (document.activeElement !== input) return;
        var box = parts(input).box;
        box.innerHTML = html;
        box.setAttribute("data-query", input.value);
        input.setAttribute("aria-expanded", "true");
      });
  }
  function choose(input, li) {
    parts(input).hidden.value = li.getAttribute("data-id");
    input.value = li.getAttribute("data-label");
    close(input);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("input", function (e) {
    var input = e.target.closest && e.target.closest("[data-picker]");
    if (!input) return;
    parts(input).hidden.value = "";
    clearTimeout(input._pickerTimer);
    input._pickerTimer = setTimeout(function () { load(input); }, 200);
  });
  document.addEventListener("focusin", function (e) {
    var input = e.target.closest && e.target.closest("[data-picker]");
    if (input && !parts(input).hidden.value) load(input);
  });
  document.addEventListener("mousedown", function (e) {
    var li = e.target.closest && e.target.closest(".choices li[data-id]");
    if (!li) return;
    e.preventDefault();
    choose(li.closest(".picker").querySelector("[data-picker]"), li);
  });
  document.addEventListener("keydown", function (e) {
    var input = e.target.closest && e.target.closest("[data-picker]");
    if (!input) return;
    var items = Array.prototype.slice.call(parts(input).box.querySelectorAll("li[data-id]"));
    var at = items.findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!items.length) return;
      if (at >= 0) items[at].removeAttribute("aria-selected");
      at = e.key === "ArrowDown" ? Math.min(at + 1, items.length - 1) : Math.max(at - 1, 0);
      items[at].setAttribute("aria-selected", "true");
      items[at].scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter" && !parts(input).hidden.value && input.value) {
      // Enter takes the highlighted match, else the first; it never submits a half-chosen form.
      e.preventDefault();
      if (items.length) choose(input, items[Math.max(at, 0)]);
    } else if (e.key === "Escape") {
      close(input);
    }
  });
  // Enter in a picker chooses; it never submits the form (keypress is where browsers submit).
  document.addEventListener("keypress", function (e) {
    if (e.key === "Enter" && e.target.closest && e.target.closest("[data-picker]")) e.preventDefault();
  });
  document.addEventListener("focusout", function (e) {
    var input = e.target.closest && e.target.closest("[data-picker]");
    if (input) setTimeout(function () { close(input); }, 150);
  });
})();

// The pipeline board: cards are dragged between columns (SortableJS); a drop fills in the board's
// one move form (htmx) with the card, its stage and the cards it landed between, and sends it. The server answers the
// changed columns, which htmx swaps in by id; a refused move comes back the same way, so the
// card returns to where the database has it.
(function () {
  "use strict";
  function toast(msg) {
    var t = document.getElementById("toast");
    if (!t) return;
    t.textContent = msg;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, 6000);
  }
  document.addEventListener("crm:toast", function (e) {
    if (e.detail && e.detail.message) toast(e.detail.message);
  });

  function submitMove(item, list, reason) {
    var form = document.getElementById("move-form");
    if (!form) return;
    var above = item.previousElementSibling, below = item.nextElementSibling;
    form.elements.id.value = item.getAttribute("data-id");
    form.elements.version.value = item.getAttribute("data-version");
    form.elements.stage_id.value = list.getAttribute("data-stage");
    form.elements.above_id.value = above && above.getAttribute("data-id") || "";
    form.elements.below_id.value = below && below.getAttribute("data-id") || "";
    form.elements.lost_reason.value = reason || "";
    form.requestSubmit();
  }

  function askReason(item, list) {
    var dialog = document.getElementById("lost-dialog");
    var text = dialog.querySelector("textarea");
    text.value = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "ok" && text.value.trim()) {
        submitMove(item, list, text.value.trim());
      } else {
        location.reload(); // put the card back where it was
      }
    });
    dialog.showModal();
  }

  function initBoard(root) {
    if (!window.Sortable) return;
    root.querySelectorAll(".cards").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        group: "board",
        draggable: ".deal:not(.locked)",
        filter: "button, a",
        preventOnFilter: false,
        animation: 120,
        forceFallback: true, // pointer events: the same on touch screens, mice and test browsers
        onEnd: function (evt) {
          if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
          if (evt.to.getAttribute("data-kind") === "lost") askReason(evt.item, evt.to);
          else submitMove(evt.item, evt.to);
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initBoard(document); });
  document.addEventListener("htmx:after:swap", function () { initBoard(document); });
  document.addEventListener("htmx:after:settle", function () { initBoard(document); });
})();

// Global search: "/" focuses the header box from any page; the arrow keys move through the
// suggestions htmx loads under it, Enter opens the highlighted one (or the results page), and
// Escape closes them.
(function () {
  "use strict";
  function box() { return document.getElementById("global-search"); }
  function list() { return document.getElementById("search-suggest"); }
  function options() { return Array.prototype.slice.call(list().querySelectorAll("[role=option]")); }
  function close() {
    list().innerHTML = "";
    box().setAttribute("aria-expanded", "false");
    box().removeAttribute("aria-activedescendant");
  }
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  var slash = false;
  document.addEventListener("beforeinput", function (e) {
    if (slash && e.target === box() && e.data === "/") e.preventDefault();
    slash = false;
  });
  document.addEventListener("keyup", function () { slash = false; });
  document.addEventListener("keydown", function (e) {
    var input = box();
    if (!input) return;
    if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(document.activeElement)) {
      e.preventDefault();
      input.focus();
      input.select();
      slash = true; // the "/" itself is not typed into the box
      return;
    }
    if (e.target !== input) return;
    var items = options();
    var at = items.findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!items.length) return;
      if (at >= 0) items[at].removeAttribute("aria-selected");
      at = e.key === "ArrowDown" ? (at + 1) % items.length : (at <= 0 ? items.length - 1 : at - 1);
      items[at].setAttribute("aria-selected", "true");
      items[at].id = "search-option";
      input.setAttribute("aria-activedescendant", "search-option");
      items.forEach(function (li, i) { if (i !== at && li.id === "search-option") li.removeAttribute("id"); });
      items[at].scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter" && at >= 0) {
      e.preventDefault();
      window.location.assign(items[at].querySelector("a").href);
    } else if (e.key === "Escape" && list().children.length) {
      e.preventDefault(); // the first Escape closes the list and keeps the text
      close();
    }
  });
  // Browsers submit the form on keypress: not when Enter opened a picked hit.
  document.addEventListener("keypress", function (e) {
    if (e.key === "Enter" && e.target === box() && list().querySelector('[aria-selected="true"]')) e.preventDefault();
  });
  document.addEventListener("htmx:after:swap", function () {
    var input = box();
    if (input) input.setAttribute("aria-expanded", list().children.length ? "true" : "false");
  });
  document.addEventListener("focusout", function (e) {
    if (e.target === box()) setTimeout(function () { if (document.activeElement !== box()) close(); }, 150);
  });
  document.addEventListener("mousedown", function (e) {
    // Keep the focus, so the suggestions stay open until the click follows the link.
    if (e.target.closest && e.target.closest("#search-suggest a")) e.preventDefault();
  });
})();

// Bulk actions: the header checkbox ticks every row of the page, the bar counts the ticked
// rows, and deleting asks first.
(function () {
  "use strict";
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="bulk-form"]')); }
  function count() {
    var n = document.getElementById("bulk-count");
    if (n) n.textContent = boxes().filter(function (b) { return b.checked; }).length;
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-select-all]")) {
      boxes().forEach(function (b) { b.checked = e.target.checked; });
    }
    if (e.target.matches && e.target.matches('[data-select-all], input[name="ids"]')) count();
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.id !== "bulk-form" || form.elements.action.value !== "delete") return;
    var all = form.elements.all.checked;
    var noun = form.querySelector("[data-noun]").getAttribute("data-noun");
    if (!window.confirm("Delete " + (all ? "every one of the " + noun + " that match the filters" : "the ticked " + noun) + "? This cannot be undone.")) {
      e.preventDefault();
    }
  });
  document.addEventListener("htmx:after:swap", count);
  count(); // rows may come back ticked from a refused action
})();

// Quick add: "+ New" opens a record's form in a dialog over the current page. The form is sent
// from there; a refused one comes back into the dialog with its messages and what was typed,
// and a saved one says so with a link to it, leaving the page as it was.
(function () {
  "use strict";
  function dialog() { return document.getElementById("quick-dialog"); }
  function body() { return document.getElementById("quick-body"); }
  function show(html) {
    body().innerHTML = html;
    if (window.htmx) htmx.process(body());
    var first = body().querySelector("[aria-invalid=true]") || body().querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-quick]");
    if (link && dialog()) {
      e.preventDefault();
      link.closest("details").open = false;
      fetch(link.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) { show(html); dialog().showModal(); });
      return;
    }
    var cancel = e.target.closest && e.target.closest("#quick-dialog .form-actions a");
    if (cancel) {
      e.preventDefault();
      dialog().close();
    }
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.closest("#quick-body") || form.method !== "post") return;
    e.preventDefault();
    var data = new URLSearchParams(new FormData(form, e.submitter));
    fetch(form.action, { method: "POST", body: data, headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) {
        var created = r.headers.get("HX-Redirect");
        if (!created) return r.text().then(show);
        var done = document.createElement("p");
        done.className = "quick-done";
        var link = document.createElement("a");
        link.href = created;
        link.textContent = "Open it";
        done.append("Saved. ", link, " or carry on here.");
        body().replaceChildren(done);
      });
  });
})();
