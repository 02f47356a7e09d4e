/* Staff reports: draws each figure's chart with the vendored Chart.js from the JSON block the
   page carries (no inline script: the Content-Security-Policy refuses it). The same numbers
   are in the figure's data table and its CSV export. */
(function () {
  "use strict";
  var COLOURS = ["#0f6e6e", "#f59e0b", "#2563eb", "#b91c1c", "#7c3aed", "#15803d", "#6b7280", "#db2777"];

  function draw(figure) {
    var key = figure.getAttribute("data-chart");
    var data = document.getElementById("data-" + key);
    var canvas = document.getElementById("chart-" + key);
    if (!data || !canvas || typeof Chart === "undefined") { return; }
    var cfg = JSON.parse(data.textContent);
    var value = cfg.horizontal ? "x" : "y";
    var scales = {};
    scales[value] = { beginAtZero: true, stacked: cfg.stacked,
      ticks: cfg.percent ? { callback: function (v) { return v + "%"; } } : {} };
    scales[cfg.horizontal ? "y" : "x"] = { stacked: cfg.stacked };
    var datasets = cfg.series.map(function (s, i) {
      var colour = COLOURS[i % COLOURS.length];
      var set = { label: s.label, data: s.data, backgroundColor: colour, borderColor: colour, spanGaps: true };
      if (cfg.dual && i > 0) { set[value + "AxisID"] = value + "1"; }
      return set;
    });
    if (cfg.dual && cfg.series.length > 1) {
      scales[value + "1"] = { beginAtZero: true, position: cfg.horizontal ? "top" : "right", grid: { drawOnChartArea: false } };
    }
    var chart = new Chart(canvas, {
      type: cfg.kind,
      data: { labels: cfg.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: cfg.horizontal ? "y" : "x",
        scales: scales,
        plugins: { legend: { position: "bottom" },
          tooltip: cfg.percent ? { callbacks: { label: function (c) { return c.dataset.label + ": " + c.formattedValue + "%"; } } } : {} }
      }
    });
    figure.setAttribute("data-drawn", String(chart.data.datasets.length));
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("figure[data-chart]"), draw);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
