// Page behaviour lives here, never inline (the Content-Security-Policy allows only our own files).
(function () {
  "use strict";
  // Charts: <canvas data-chart='{"type": "bar", "data": {...}}'> is drawn with Chart.js when loaded.
  function drawCharts(root) {
    if (!window.Chart) { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, JSON.parse(canvas.dataset.chart));
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();
