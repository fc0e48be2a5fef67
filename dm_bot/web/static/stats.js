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
  /* The Retention section (issue 18). */
  var kept = document.getElementById("retention-data");
  if (kept) {
    var r = JSON.parse(kept.dataset.charts);
    var percentAxis = { y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: "%" } } };
    draw("health-chart", {
      type: "bar",
      data: { labels: r.health.labels, datasets: [{ label: "Patients", data: r.health.values,
              backgroundColor: [ok, warn, muted, late], borderRadius: 4 }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } },
                 scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    var palette = [brand, ok, warn, late, "#0ea5e9", muted];
    draw("cohort-chart", {
      type: "line",
      data: { labels: r.cohorts.labels, datasets: r.cohorts.series.map(function (s, i) {
        var c = palette[i % palette.length];
        return { label: s.label, data: s.values, borderColor: c, backgroundColor: c, tension: 0.25, spanGaps: true };
      }) },
      options: { scales: percentAxis, plugins: { tooltip: { callbacks: { label: function (item) {
                 return item.dataset.label + ", month " + item.label + ": " + item.formattedValue + "%"; } } } } }
    });
    draw("rebooking-chart", {
      type: "bar",
      data: { labels: r.rebooking.labels, datasets: [{ label: "Rebooked within the interval (%)",
              data: r.rebooking.values, backgroundColor: brand, borderRadius: 4 }] },
      options: { plugins: { legend: { display: false } }, scales: percentAxis }
    });
    draw("ltv-chart", {
      type: "bar",
      data: { labels: r.ltv.labels, datasets: [{ label: "Revenue per patient ($)", data: r.ltv.values,
              backgroundColor: ok, borderRadius: 4 }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    });
    draw("touches-chart", {
      type: "bar",
      data: { labels: r.touches.labels, datasets: [
        { label: "Went out", data: r.touches.went_out, backgroundColor: brand },
        { label: "Replied", data: r.touches.replied, backgroundColor: warn },
        { label: "Booked within 30 days", data: r.touches.booked, backgroundColor: ok }
      ] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  document.documentElement.dataset.chartsReady = "1";  /* browser tests wait for this */
}());
