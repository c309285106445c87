/* The review queue: a checkbox with data-check-all ticks or clears every "ids" checkbox of its form, and
 * a counter with data-selected-count shows how many are ticked. An evidence preview (<details
 * data-preview>) gets its <iframe> or <img> when it is first opened: Chromium loads an iframe that is not
 * rendered (closed <details>) at once, whatever its loading="lazy", and each PDF frame starts the browser's
 * PDF viewer, so a queue of 90 rows with PDF evidence took about a minute to finish loading (journey test).
 * No inline script (CSP script-src 'self'); without JavaScript each row's checkbox still works on its own
 * and a preview opens in its own tab through the link in the <details>. Loaded by review.html with `defer`. */
"use strict";
(function () {
  function boxes(form) {
    return form ? form.querySelectorAll('input[type="checkbox"][name="ids"]') : [];
  }
  function update(form) {
    var n = 0;
    boxes(form).forEach(function (box) { if (box.checked) { n += 1; } });
    document.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = String(n); });
  }
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLInputElement) || field.type !== "checkbox") {
      return;
    }
    var form = field.form || (field.getAttribute("form") && document.getElementById(field.getAttribute("form")));
    if (field.hasAttribute("data-check-all")) {
      boxes(form).forEach(function (box) { box.checked = field.checked; });
    }
    update(form);
  });
  function preview(details) {
    var kind = details.getAttribute("data-preview-kind");
    var el = document.createElement(kind === "frame" ? "iframe" : "img");
    el.className = "evidence-preview";
    el.setAttribute(kind === "frame" ? "title" : "alt", details.getAttribute("data-preview-title") || "");
    el.src = details.getAttribute("data-preview");
    details.appendChild(el);
  }
  // "toggle" does not bubble: listen in the capture phase to see every <details> of the page.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details instanceof HTMLDetailsElement && details.open && details.hasAttribute("data-preview") &&
        !details.querySelector(".evidence-preview")) {
      preview(details);
    }
  }, true);
})();
