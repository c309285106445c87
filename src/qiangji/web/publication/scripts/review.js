/* The review queue: a checkbox with data-check-all ticks or clears every "ids" checkbox of its form, and
 * a counter with data-selected-count shows how many are ticked. No inline script (CSP script-src 'self');
 * without JavaScript each row's checkbox still works on its own. Loaded by review.html with `defer`. */
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
})();
