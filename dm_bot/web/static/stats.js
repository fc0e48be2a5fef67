/* The /stats charts, drawn with the vendored Chart.js from the numbers the page carries in #stats-data. */
(function () {
  "use strict";
  var holder = document.getElementById("stats-data");
  if (!holder || typeof Chart === "undefined") { return; }  /* the tables still show every number */
  var data = JSON.parse(holder.dataset.charts);
  var css = getComputedStyle(document.documentElement);
  function color(name, fallback) { return (css.getPropertyValue(name) || "").trim() || fallback; }
  var brand = color("--brand", "#5b4bd6"), ok = "#16a34a", late = color("--urgent", "#d92d20"),
      warn = "#f5b400", muted = color("--muted", "#687182");
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = muted;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { canvas.chart = new Chart(canvas, config); }
  }

  draw("funnel-chart", {
    type: "bar",
    data: { labels: data.funnel.labels,
            datasets: [{ label: "People", data: data.funnel.values, backgroundColor: brand, borderRadius: 4 }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } },
               scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
  });

  draw("times-chart", {
    type: "line",
    data: { labels: data.series.labels.map(function (day) { return day.slice(5); }), datasets: [
      { label: "Staff reply, median (min)", data: data.series.human_minutes, borderColor: late,
        backgroundColor: late, spanGaps: true, yAxisID: "minutes", tension: 0.25 },
      { label: "Bot first reply, median (s)", data: data.series.bot_seconds, borderColor: brand,
        backgroundColor: brand, spanGaps: true, yAxisID: "seconds", tension: 0.25 },
      { label: "Conversations", data: data.series.conversations, type: "bar", backgroundColor: "rgba(104,113,130,.18)",
        yAxisID: "count" }
    ] },
    options: { interaction: { mode: "index", intersect: false }, scales: {
      minutes: { position: "left", beginAtZero: true, title: { display: true, text: "minutes" } },
      seconds: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                 title: { display: true, text: "seconds" } },
      count: { display: false, beginAtZero: true } } }
  });

  function sla(id, chart) {
    draw(id, {
      type: "bar",
      data: { labels: chart.labels, datasets: [
        { label: "Met", data: chart.met, backgroundColor: ok },
        { label: "Breached", data: chart.breached, backgroundColor: late },
        { label: "Running", data: chart.pending, backgroundColor: warn }
      ] },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  sla("sla-priority-chart", data.sla_priority);
  sla("sla-va-chart", data.sla_va);
  document.documentElement.dataset.chartsReady = "1";  /* browser tests wait for this */
}());
