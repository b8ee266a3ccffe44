// Charts drawn by Chart.js (vendored) from the same JSON API the pages' numbers come from.
// Every canvas[data-chart] inside a .charts[data-api] block is one chart of that record.
"use strict";
(function () {
  const COLORS = {
    eye: "#1d4ed8", facing: "#15803d", lean: "#c2410c", nods: "#7c3aed",
    nudges: "#b91c1c", interactions: "#0f766e", length: "#64748b",
    frown: "#9f1239", smile: "#ca8a04", gesturing: "#0e7490", greeting: "#4d7c0f",
  };
  const pad = (n) => String(n).padStart(2, "0");
  // Minutes as "HH:MM" labels on a category axis: no date adapter needed.
  const hhmm = (iso) => {
    const d = new Date(iso);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  const pct = (ratio) => (ratio === null || ratio === undefined ? null : Math.round(ratio * 1000) / 10);

  const line = (label, data, color, extra = {}) => ({
    type: "line", label, data, borderColor: color, backgroundColor: color,
    pointRadius: 0, borderWidth: 2, spanGaps: false, ...extra,
  });
  // Minutes without frames (no customer, paused) are not stored, so the category axis skips
  // them: a line across such a gap is dashed rather than drawn as if time were continuous.
  const dashAcrossGaps = (minutes) => ({
    borderDash: (ctx) => {
      const a = Date.parse(minutes[ctx.p0DataIndex].minute);
      const b = Date.parse(minutes[ctx.p1DataIndex].minute);
      return b - a > 60000 ? [4, 4] : undefined;
    },
  });
  const bar = (label, data, color, extra = {}) => ({
    type: "bar", label, data, backgroundColor: color, borderColor: color, ...extra,
  });
  const percentAxis = {
    min: 0, max: 100, title: { display: true, text: "% of the time" },
    ticks: { callback: (v) => `${v} %` },
  };
  const countAxis = (text) => ({ beginAtZero: true, title: { display: true, text }, ticks: { precision: 0 } });

  const BUILDERS = {
    "shift-ratios": (rec) => ({
      labels: rec.minutes.map((m) => hhmm(m.minute)),
      datasets: [
        line("Eye contact", rec.minutes.map((m) => pct(m.eye_contact_ratio)), COLORS.eye,
          { segment: dashAcrossGaps(rec.minutes) }),
        line("Facing the customer", rec.minutes.map((m) => pct(m.facing_ratio)), COLORS.facing,
          { segment: dashAcrossGaps(rec.minutes) }),
        line("Forward lean", rec.minutes.map((m) => pct(m.lean_forward_ratio)), COLORS.lean,
          { segment: dashAcrossGaps(rec.minutes) }),
      ],
      scales: { y: percentAxis },
    }),
    "shift-expression": (rec) => ({
      labels: rec.minutes.map((m) => hhmm(m.minute)),
      datasets: [
        line("Frowning", rec.minutes.map((m) => pct(m.frown_ratio)), COLORS.frown,
          { segment: dashAcrossGaps(rec.minutes) }),
        line("Smiling", rec.minutes.map((m) => pct(m.smile_ratio)), COLORS.smile,
          { segment: dashAcrossGaps(rec.minutes) }),
      ],
      scales: { y: percentAxis },
    }),
    "shift-gesturing": (rec) => ({
      labels: rec.minutes.map((m) => hhmm(m.minute)),
      datasets: [
        line("Gesturing", rec.minutes.map((m) => pct(m.gesturing_ratio)), COLORS.gesturing,
          { segment: dashAcrossGaps(rec.minutes) }),
      ],
      scales: { y: percentAxis },
    }),
    "shift-counts": (rec) => ({
      labels: rec.minutes.map((m) => hhmm(m.minute)),
      datasets: [
        bar("Nods", rec.minutes.map((m) => m.nods), COLORS.nods),
        bar("Nudges", rec.minutes.map((m) => m.nudges), COLORS.nudges),
      ],
      scales: { y: countAxis("per minute") },
    }),
    "shift-cues": (rec, cueLabels) => {
      const cues = Object.entries(rec.summary.nudges_by_cue).sort((a, b) => b[1] - a[1]);
      return {
        labels: cues.map(([cue]) => cueLabels[cue] || cue),
        datasets: [bar("Nudges", cues.map(([, n]) => n), COLORS.nudges)],
        scales: { x: countAxis("nudges") },
        indexAxis: "y",
      };
    },
    "trend-ratios": (rec) => ({
      labels: rec.trends.map((d) => d.date),
      datasets: [
        line("Eye contact", rec.trends.map((d) => pct(d.eye_contact_ratio)), COLORS.eye, { pointRadius: 3 }),
        line("Facing the customer", rec.trends.map((d) => pct(d.facing_ratio)), COLORS.facing, { pointRadius: 3 }),
        line("Forward lean", rec.trends.map((d) => pct(d.lean_forward_ratio)), COLORS.lean, { pointRadius: 3 }),
      ],
      scales: { y: percentAxis },
    }),
    "trend-expression": (rec) => ({
      labels: rec.trends.map((d) => d.date),
      datasets: [
        line("Frowning", rec.trends.map((d) => pct(d.frown_ratio)), COLORS.frown, { pointRadius: 3 }),
        line("Smiling", rec.trends.map((d) => pct(d.smile_ratio)), COLORS.smile, { pointRadius: 3 }),
        line("Gesturing", rec.trends.map((d) => pct(d.gesturing_ratio)), COLORS.gesturing, { pointRadius: 3 }),
      ],
      scales: { y: percentAxis },
    }),
    "trend-greeting": (rec) => ({
      labels: rec.trends.map((d) => d.date),
      datasets: [
        line("Mean greeting time (s)", rec.trends.map((d) => d.mean_greeting_s), COLORS.greeting,
          { pointRadius: 3, yAxisID: "y" }),
        bar("Slow greetings", rec.trends.map((d) => d.slow_greetings), COLORS.nudges, { yAxisID: "y2" }),
      ],
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "seconds" } },
        y2: { ...countAxis("slow greetings"), position: "right", grid: { drawOnChartArea: false } },
      },
    }),
    "trend-counts": (rec) => ({
      labels: rec.trends.map((d) => d.date),
      datasets: [
        bar("Interactions", rec.trends.map((d) => d.interactions), COLORS.interactions),
        bar("Nudges", rec.trends.map((d) => d.nudges), COLORS.nudges),
      ],
      scales: { y: countAxis("per day") },
    }),
    "trend-nods": (rec) => ({
      labels: rec.trends.map((d) => d.date),
      datasets: [
        line("Nods per minute", rec.trends.map((d) => d.nods_per_min), COLORS.nods, { pointRadius: 3, yAxisID: "y" }),
        line("Mean interaction length (s)", rec.trends.map((d) => d.mean_interaction_s), COLORS.length,
          { pointRadius: 3, yAxisID: "y2" }),
      ],
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "nods per minute" } },
        y2: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
              title: { display: true, text: "seconds" } },
      },
    }),
  };

  function draw(canvas, record, cueLabels) {
    const build = BUILDERS[canvas.dataset.chart];
    if (!build) return;
    const spec = build(record, cueLabels);
    if (spec.labels.length === 0) {
      canvas.closest(".chart").replaceChildren(note("Nothing recorded yet."));
      return;
    }
    // eslint-disable-next-line no-new
    new window.Chart(canvas, {
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        animation: false, // drawn once, at once: no work for a Pi's browser, nothing to wait for
        maintainAspectRatio: false,
        indexAxis: spec.indexAxis || "x",
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: spec.datasets.length > 1, position: "bottom" } },
        scales: { x: { ticks: { autoSkip: true, maxRotation: 0 } }, ...spec.scales },
      },
    });
  }

  function note(text) {
    const p = document.createElement("p");
    p.className = "chart-note";
    p.textContent = text;
    return p;
  }

  async function load(block) {
    const canvases = block.querySelectorAll("canvas[data-chart]");
    try {
      const response = await fetch(block.dataset.api, { headers: { Accept: "application/json" } });
      const record = await response.json();
      if (!response.ok) throw new Error(record.error || response.statusText);
      const cueLabels = JSON.parse(block.dataset.cueLabels || "{}");
      canvases.forEach((canvas) => draw(canvas, record, cueLabels));
      block.dataset.drawn = "true";
    } catch (error) {
      block.dataset.drawn = "failed";
      canvases.forEach((c) => c.closest(".chart").replaceChildren(note(`Could not load the chart: ${error.message}`)));
    }
  }

  document.querySelectorAll(".charts[data-api]").forEach(load);
})();
