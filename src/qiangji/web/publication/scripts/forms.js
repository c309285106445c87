/* A <select data-autosubmit> submits its form when its value changes (the language, the period, the
 * framework version), without inline onchange handlers. Each such form keeps a submit button in <noscript>,
 * so it works without JavaScript too. Loaded by base.html with `defer`; one listener on the document also
 * covers forms added later. */
"use strict";
document.addEventListener("change", function (event) {
  var field = event.target;
  if (!(field instanceof HTMLSelectElement) || !field.hasAttribute("data-autosubmit") || !field.form) {
    return;
  }
  if (typeof field.form.requestSubmit === "function") {
    field.form.requestSubmit(); // fires the submit event and validation, like pressing the button
  } else {
    field.form.submit();
  }
});

/* Phones: every table of <main> scrolls sideways inside its own box (base.html's .scroll), so the page
 * itself never does. Templates of the public pages carry the box themselves (they work without script);
 * this adds it around the other tables, and makes each box reachable by keyboard, named after the
 * heading above it (a scrolling region must be focusable: axe "scrollable-region-focusable"). */
(function () {
  function label(box) {
    var node = box;
    while (node && node !== document.body) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) {
          return previous.textContent.trim();
        }
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }

  function boxAll() {
    document.querySelectorAll("main table").forEach(function (table) {
      var box = table.closest(".scroll");
      if (box === null) {
        box = document.createElement("div");
        box.className = "scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      if (!box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", label(box));
      }
    });
  }

  document.addEventListener("htmx:afterSettle", boxAll); // tables swapped in later
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boxAll);
  } else {
    boxAll();
  }
})();
