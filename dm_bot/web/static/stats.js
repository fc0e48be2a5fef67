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

  /* One unit per chart and axis: staff replies in minutes (of business hours), the bot's in seconds. */
  function times(id, label, values, unit, colour) {
    draw(id, {
      type: "line",
      data: { labels: data.series.labels.map(function (day) { return day.slice(5); }), datasets: [
        { label: label, data: values, borderColor: colour, backgroundColor: colour, spanGaps: true, tension: 0.25 }
      ] },
      options: { plugins: { tooltip: { callbacks: { label: function (item) {
                   return label + ": " + item.formattedValue + " " + unit; } } } },
                 scales: { y: { beginAtZero: true, title: { display: true, text: unit } } } }
    });
  }
  times("times-chart", "Staff reply to escalations, median", data.series.human_minutes, "min (business hours)", late);
  times("bot-times-chart", "Bot first reply, median", data.series.bot_seconds, "s", brand);

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
