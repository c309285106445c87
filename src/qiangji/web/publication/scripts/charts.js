/* Draws every plotly chart of the page: an element with data-figure="ID" is drawn from the JSON figure
 * ({data, layout, config}) in <script type="application/json" id="ID"> (publication/charts.py, `embed`).
 * Served by publication's `script` view; loaded with `defer` after plotly.min.js, so both are parsed
 * before this runs. No inline script is needed, so the Content-Security-Policy allows only 'self'. */
"use strict";
(function () {
  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-figure"));
    if (source === null) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, figure.config);
  }

  function drawAll() {
    if (typeof window.Plotly === "undefined") {
      return; // plotly.min.js did not load: the page's tables still carry every number
    }
    document.querySelectorAll("[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
