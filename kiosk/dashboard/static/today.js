// Today: refreshes the live status from /api/status every few seconds, without a page reload.
"use strict";
(function () {
  const REFRESH_MS = 5000;
  const live = document.getElementById("live");
  if (!live) return;
  const statusLabels = JSON.parse(live.dataset.statusLabels);
  const cueLabels = JSON.parse(live.dataset.cueLabels);
  const el = (id) => document.getElementById(id);
  // The interaction's elapsed time ticks every second between fetches, from the last answer.
  const first = el("interaction").dataset;
  let elapsed = { s: parseFloat(first.elapsedS), at: performance.now(), start: first.start };

  const pad = (n) => String(n).padStart(2, "0");
  const clock = (iso) => {
    if (!iso) return "–";
    const d = new Date(iso);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  };
  const duration = (s) => {
    const whole = Math.round(s);
    if (whole < 60) return `${whole} s`;
    if (whole < 3600) return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
    return `${Math.floor(whole / 3600)} h ${pad(Math.floor((whole % 3600) / 60))} min`;
  };
  const cueLabel = (cue) => cueLabels[cue] || cue.replaceAll("_", " ");

  function showStatus(status, label) {
    const node = el("status");
    node.textContent = label;
    node.className = `status status-${status}`;
  }

  function render(data) {
    showStatus(data.status, statusLabels[data.status] || data.status);
    el("status-since").textContent = clock(data.since);
    el("status-updated").textContent = clock(data.updated);
    el("cue").textContent = data.cue ? cueLabel(data.cue) : "none";
    const shift = el("shift");
    shift.replaceChildren();
    if (data.shift) {
      const link = document.createElement("a");
      link.href = `/shifts/${data.shift.id}`;
      link.textContent = `${data.shift.name} · ${data.shift.date}`;
      shift.append(link);
    } else {
      shift.textContent = "–";
    }
    elapsed = data.interaction
      ? { s: data.interaction.elapsed_s, at: performance.now(), start: data.interaction.start }
      : { s: NaN, at: performance.now() };
    tick();
    const nudges = data.nudges_last_hour;
    el("nudges-total").textContent = nudges.total;
    const rows = Object.entries(nudges.by_cue).sort(([a], [b]) => a.localeCompare(b));
    const body = el("nudges-by-cue");
    body.replaceChildren();
    for (const [cue, count] of rows) {
      const tr = body.insertRow();
      tr.insertCell().textContent = cueLabel(cue);
      tr.insertCell().textContent = count;
    }
    if (rows.length === 0) {
      const cell = body.insertRow().insertCell();
      cell.colSpan = 2;
      cell.className = "muted";
      cell.textContent = "No nudges in the last hour.";
    }
    el("refresh-note").textContent = "Refreshes every 5 seconds.";
  }

  function tick() {
    const node = el("interaction");
    if (Number.isNaN(elapsed.s)) {
      node.textContent = "none";
      return;
    }
    const s = elapsed.s + (performance.now() - elapsed.at) / 1000;
    node.textContent = duration(s) + (elapsed.start ? ` (since ${clock(elapsed.start)})` : "");
  }

  async function refresh() {
    try {
      const response = await fetch(live.dataset.api, { headers: { Accept: "application/json" } });
      if (response.status === 401) {
        window.location.reload(); // the login ended: the server sends the login page
        return;
      }
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || response.statusText);
      render(data);
    } catch (error) {
      showStatus("unreachable", "Records unavailable");
      el("refresh-note").textContent = `Could not refresh: ${error.message}. Retrying.`;
    }
  }

  setInterval(refresh, REFRESH_MS);
  setInterval(tick, 1000);
})();
