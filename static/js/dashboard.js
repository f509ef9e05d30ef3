// The reporting pages' charts (reporting/views.py writes each canvas[data-report-chart]): the
// figures exactly as the server gave them, numbers, money and durations formatted in the page's
// language. Also: the filter form's 400 (field errors) is swapped in like a 200, and the charts
// of figures swapped out are let go.
(function () {
  "use strict";

  var COLORS = {
    brand: "#0b5c3b", brandlight: "#7fb89a", grey: "#6b7785", greylight: "#b8c2cc",
    green: "#1f8a4c", yellow: "#c99a06", red: "#c0392b",
    segment0: "#2563a8", segment1: "#c99a06", segment2: "#c0392b", segment3: "#7a4fb5",
    segment4: "#1f8a4c", segment5: "#6b7785"
  };

  function locale() {
    return document.documentElement.lang === "en" ? "en-US" : "vi-VN";
  }

  // How one unit is written on an axis (short) and in a tooltip (in full).
  function formats(spec) {
    var where = locale();
    var plain = new Intl.NumberFormat(where);
    var compact = new Intl.NumberFormat(where, { notation: "compact", maximumFractionDigits: 1 });
    var hours = new Intl.NumberFormat(where, { maximumFractionDigits: 1 });
    if (spec.unit === "usd" || spec.unit === "vnd") {
      var money = new Intl.NumberFormat(where, {
        style: "currency", currency: spec.unit.toUpperCase(),
        maximumFractionDigits: spec.unit === "usd" ? 2 : 0
      });
      return { tick: function (v) { return compact.format(v); },
               full: function (v) { return money.format(v); } };
    }
    if (spec.unit === "seconds") {
      var inHours = function (v) { return spec.hours.replace("%(n)s", hours.format(v / 3600)); };
      return { tick: inHours, full: inHours };
    }
    return { tick: function (v) { return plain.format(v); },
             full: function (v) { return plain.format(v); } };
  }

  function config(spec) {
    var format = formats(spec);
    var doughnut = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (d) {
      var fill = d.colors ? d.colors.map(function (c) { return COLORS[c]; }) : COLORS[d.color];
      var set = { label: d.label, data: d.data, backgroundColor: fill, borderColor: fill };
      if (d.type) { set.type = d.type; set.tension = 0.2; set.order = -1; }
      return set;
    });
    var value = { beginAtZero: true, stacked: Boolean(spec.stacked),
                  ticks: { callback: function (v) { return format.tick(v); } } };
    var index = { stacked: Boolean(spec.stacked) };
    var options = {
      responsive: true, maintainAspectRatio: false, locale: locale(),
      plugins: { tooltip: { callbacks: { label: function (item) {
        var name = doughnut ? item.label : item.dataset.label;
        return item.raw === null ? name + ": —" : name + ": " + format.full(item.raw);
      } } } }
    };
    if (!doughnut) {
      options.indexAxis = spec.horizontal ? "y" : "x";
      options.scales = spec.horizontal ? { x: value, y: index } : { x: index, y: value };
    }
    return { type: spec.type || "bar", data: { labels: spec.labels, datasets: datasets },
             options: options };
  }

  function draw(root) {
    if (!window.Chart) { return; }
    root.querySelectorAll("canvas[data-report-chart]").forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) { return; }
      new window.Chart(canvas, config(JSON.parse(canvas.dataset.reportChart)));
    });
  }

  function forget() {
    Object.values(window.Chart ? window.Chart.instances : {}).forEach(function (chart) {
      if (!chart.canvas.isConnected) { chart.destroy(); }
    });
  }

  // A 400 from a reporting form carries the form with its field errors: show it (htmx leaves
  // error responses unswapped by default).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.closest("[data-report]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function () { forget(); draw(document); });
  document.addEventListener("htmx:historyRestore", function () { forget(); draw(document); });
})();
