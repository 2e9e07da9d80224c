// The dashboard page: polls /api/snapshot and redraws in place, so new decisions appear without a reload.
"use strict";

const POLL_MS = 2000;
const seenDecisions = new Set();
let firstLoad = true;

function allocationChart(points) {
  const svg = document.getElementById("chart-allocation"), legend = document.getElementById("legend-allocation");
  legend.replaceChildren();
  if (!points.length) { svg.replaceChildren(el("svg:text", { x: 10, y: 20 }, "no data yet")); return; }
  const names = [...new Set(points.flatMap((p) => Object.keys(p.assets)))];
  const totals = points.map((p) => names.reduce((s, n) => s + (p.assets[n] || 0), 0));
  const { sx, sy } = frame(svg, points.map((p) => p.t), [0, ...totals]);
  const base = points.map(() => 0);
  names.forEach((name, k) => {
    const top = points.map((p, i) => base[i] + (p.assets[name] || 0));
    const up = points.map((p, i) => `${i ? "L" : "M"}${sx(p.t).toFixed(1)},${sy(top[i]).toFixed(1)}`).join("");
    const down = points.map((p, i) => `L${sx(p.t).toFixed(1)},${sy(base[i]).toFixed(1)}`).reverse().join("");
    svg.append(el("svg:path", { d: up + down + "Z", fill: PALETTE[k % PALETTE.length], opacity: 0.8 }));
    top.forEach((v, i) => { base[i] = v; });
    const last = points[points.length - 1].assets[name] || 0;
    legend.append(swatch(PALETTE[k % PALETTE.length], `${name}: ${fmt(last, 0)}`));
  });
  svg.dataset.points = String(points.length);
}

function rangeCharts(tracks) {
  const box = document.getElementById("ranges");
  box.replaceChildren();
  if (!tracks.length) { box.append(el("p", { class: "muted" }, "no concentrated-liquidity strategies")); return; }
  tracks.forEach((track) => {
    const title = el("div", { class: "muted" }, `${track.strategy} — ${track.pool}`);
    const svg = el("svg:svg", { class: "chart", "aria-label": `range of ${track.strategy}` });
    box.append(title, svg);
    const pts = track.points;
    if (!pts.length) return;
    const ys = pts.flatMap((p) => [p.price, p.lower ?? p.price, p.upper ?? p.price]);
    const { sx, sy } = frame(svg, pts.map((p) => p.t), ys);
    for (let i = 0; i + 1 < pts.length; i++) {  // the range held during each step, as a band
      const p = pts[i];
      if (p.lower === null || p.upper === null) continue;
      svg.append(el("svg:rect", { x: sx(p.t), width: Math.max(sx(pts[i + 1].t) - sx(p.t), 1),
        y: sy(p.upper), height: Math.max(sy(p.lower) - sy(p.upper), 1), fill: "#4cc38a", opacity: 0.25 }));
    }
    const d = pts.map((p, i) => `${i ? "L" : "M"}${sx(p.t).toFixed(1)},${sy(p.price).toFixed(1)}`).join("");
    svg.append(el("svg:path", { d, fill: "none", stroke: "#e6edf3", "stroke-width": 1.5 }));
    svg.dataset.points = String(pts.length);
  });
}

function bars(id, rows) {
  const box = document.getElementById(id);
  box.replaceChildren();
  if (!rows.length) { box.append(el("p", { class: "muted" }, "no data yet")); return; }
  rows.forEach((r) => {
    const frac = Math.max(0, Math.min(r.fraction, 1));
    // Past a limit is amber unless its cause makes it information (blue); a risk score at its limit is red.
    const cls = r.past !== undefined ? (r.past ? `fill ${r.level === "info" ? "info" : "warn"}` : "fill")
      : r.fraction >= 1 ? "fill crit" : r.fraction >= 0.9 ? "fill warn" : "fill";
    const bar = el("div", { class: "bar" });
    const caption = el("div", { class: "caption" });
    caption.append(el("span", {}, r.label), el("span", {}, r.detail));
    const track = el("div", { class: "track" });
    track.append(el("div", { class: cls, style: `width:${(frac * 100).toFixed(1)}%` }));
    bar.append(caption, track);
    box.append(bar);
  });
}

// Growth of one share since the first point of a series, in %: the per-share measure deposits cannot move.
const growth = (pts) => pts.length ? pts.map((p) => [p.t, (p.share_price / pts[0].share_price - 1) * 100]) : [];

function cards(s) {
  const v = s.vault, c = s.control, box = document.getElementById("cards");
  const last = (pts) => (pts.length ? pts[pts.length - 1][1] : 0);
  const ahead = last(growth(s.history)) - last(growth(s.control_history));
  const items = [
    ["Vault value", `${fmt(v.total_assets)} ${v.asset_symbol}`],
    ["Share price", fmt(v.share_price, 6)],
    ["Per share, against control", c ? `${ahead >= 0 ? "+" : ""}${fmt(ahead, 3)} pts` : "–",
      c ? (ahead >= 0 ? "up" : "down") : "", c ? "growth of a share, ALP minus control" : ""],
    ["Fees + interest earned", `${fmt(v.fees_earned)} ${v.asset_symbol}`,
      "", c ? `control ${fmt(c.fees_earned)}` : ""],
    ["IL, swaps, price moves", `${fmt(v.impermanent_loss)} ${v.asset_symbol}`,
      v.impermanent_loss >= 0 ? "up" : "down", c ? `control ${fmt(c.impermanent_loss)}` : ""],
    ["Gas paid", `${fmt(v.gas_paid, 4)} ${v.gas_unit}`],
    ["Keeper moves", String(s.decisions.filter((d) => d.status === "confirmed"
      && (d.action === "rebalance" || d.action.startsWith("re-range"))).length)],
  ];
  box.replaceChildren(...items.map(([label, value, dir, note]) => {
    const card = el("div", { class: "card" });
    card.append(el("div", { class: "label" }, label), el("div", { class: `value ${dir ? "delta " + dir : ""}` }, value));
    if (note) card.append(el("div", { class: "muted note" }, note));
    return card;
  }));
}

let replay = null;

function decisions(rows) {
  const body = document.querySelector("#decisions tbody");
  body.replaceChildren(...rows.slice().reverse().map((d) => {
    const tr = el("tr", { "data-id": d.id, class: !firstLoad && !seenDecisions.has(d.id) ? "fresh" : "" });
    tr.append(el("td", {}, when(d.t)), el("td", { class: "market-time" }, replay ? when(d.t - replay.offset) : ""),
      el("td", {}, d.action), el("td", { class: `status-${d.status}` }, d.status));
    const reasons = el("td", { class: "reasons" });
    reasons.append(...d.reasons.map((r) => el("div", {}, r)));
    const tx = el("td");
    if (d.tx_hash) tx.append(el("code", {}, d.tx_hash.slice(0, 10) + "…"));
    tr.append(reasons, tx);
    return tr;
  }));
  rows.forEach((d) => seenDecisions.add(d.id));
}

function draw(s) {
  document.getElementById("vault-name").textContent = `${s.vault.name} · ${s.chain}`;
  replay = s.replay;
  document.body.classList.toggle("replay", Boolean(replay));
  document.getElementById("clock").textContent = replay
    ? `Chain time ${when(s.generated_at)} UTC is a local chain's clock. It is replaying recorded market history `
      + `(${replay.series}): the market was at ${when(s.generated_at - replay.offset)} UTC. Charts use chain time; `
      + "the decisions table shows both."
    : `Chain time ${when(s.generated_at)} UTC (block timestamps).`;
  document.getElementById("alerts").replaceChildren(...s.alerts.map((a) => el("div", { class: `alert ${a.level}` }, a.message)));
  cards(s);
  const series = (pts, key) => pts.map((p) => [p.t, p[key]]);
  const flat = s.history.length ? [[s.history[0].t, 0], [s.history[s.history.length - 1].t, 0]] : [];
  lineChart("chart-value", "legend-value", [
    { name: "ALP vault, % per share", color: "#4cc38a", digits: 3, points: growth(s.history) },
    { name: "static control, % per share", color: "#8b98a5", dash: "4 3", digits: 3, points: growth(s.control_history) },
    { name: "holding the asset", color: "#e3b341", dash: "2 4", digits: 0, points: flat },
  ]);
  lineChart("chart-price", "legend-price", [
    { name: "ALP vault", color: "#4cc38a", points: series(s.history, "value") },
    { name: "control", color: "#8b98a5", dash: "4 3", points: series(s.control_history, "value") },
  ]);
  allocationChart(s.allocation);
  rangeCharts(s.ranges);
  bars("guardrails", s.guardrails.map((g) => ({ label: g.name, fraction: g.fraction, past: g.past, level: g.past_level,
    detail: `${fmt(g.used)} ${g.floor ? "held, minimum" : "of"} ${fmt(g.limit)} ${g.unit}` })));
  // Each score is the risk nearest its profile limit (1 = at the limit); the caption names it.
  bars("risk", s.risk.map((r) => {
    const [binding] = Object.entries(r.components).sort((a, b) => b[1] - a[1])[0] || [""];
    return { label: r.strategy, fraction: r.score, detail: `${fmt(r.score, 2)} ${binding.replace("_", " ")}` };
  }));
  decisions(s.decisions);
  firstLoad = false;
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const response = await fetch("/api/snapshot", { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    draw(body);
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  } catch (err) {
    status.textContent = `data unavailable: ${err.message} (retrying)`;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
