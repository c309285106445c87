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
