// The dashboard page: polls /api/snapshot and redraws in place, so new decisions appear without a reload.
"use strict";

const POLL_MS = 2000;
const PALETTE = ["#4cc38a", "#388bfd", "#e3b341", "#db61a2", "#a371f7", "#f0883e", "#3fb9d6", "#8b98a5"];
const SVG_NS = "http://www.w3.org/2000/svg";
const seenDecisions = new Set();
let firstLoad = true;

const fmt = (x, digits = 2) =>
  x === null || x === undefined || Number.isNaN(x) ? "–"
    : Number(x).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const when = (t) => new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ");

function el(tag, attrs = {}, text) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG_NS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// Enough decimals that the five gridlines of a span read as five different numbers.
const axisDigits = (span) => Math.min(6, Math.max(0, Math.ceil(-Math.log10(span / 4))));

// A plot area with axes scaled to the data; returns functions mapping data to pixels.
function frame(svg, xs, ys) {
  svg.replaceChildren();
  const w = svg.clientWidth || 600, h = svg.clientHeight || 220, pad = { l: 56, r: 8, t: 8, b: 20 };
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) { y0 -= Math.abs(y0) * 0.01 || 1; y1 += Math.abs(y1) * 0.01 || 1; }
  const sx = (x) => pad.l + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
  const sy = (y) => h - pad.b - ((y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    svg.append(el("svg:line", { x1: pad.l, x2: w - pad.r, y1: sy(y), y2: sy(y), class: "gridline" }));
    svg.append(el("svg:text", { x: 4, y: sy(y) + 3 }, fmt(y, axisDigits(y1 - y0))));
  }
  svg.append(el("svg:text", { x: pad.l, y: h - 4 }, when(x0)));
  svg.append(el("svg:text", { x: w - pad.r - 90, y: h - 4 }, when(x1)));
  return { sx, sy };
}

function lineChart(svgId, legendId, series) {
  const svg = document.getElementById(svgId), legend = document.getElementById(legendId);
  const live = series.filter((s) => s.points.length > 0);
  legend.replaceChildren();
  if (!live.length) { svg.replaceChildren(el("svg:text", { x: 10, y: 20 }, "no data yet")); return; }
  const { sx, sy } = frame(svg, live.flatMap((s) => s.points.map((p) => p[0])), live.flatMap((s) => s.points.map((p) => p[1])));
  live.forEach((s) => {
    const d = s.points.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join("");
    svg.append(el("svg:path", { d, fill: "none", stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dash || "" }));
    const last = s.points[s.points.length - 1][1];
    legend.append(el("span", {}, ""));
    legend.lastChild.innerHTML = `<i style="background:${s.color}"></i>${s.name}: <b>${fmt(last, s.digits ?? 2)}</b>`;
  });
  svg.dataset.points = String(live.reduce((n, s) => n + s.points.length, 0));
}

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
    legend.append(el("span"));
    legend.lastChild.innerHTML = `<i style="background:${PALETTE[k % PALETTE.length]}"></i>${name}: ${fmt(last, 0)}`;
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
    const cls = r.fraction >= 1 ? "fill crit" : r.fraction >= 0.9 ? "fill warn" : "fill";
    const bar = el("div", { class: "bar" });
    const caption = el("div", { class: "caption" });
    caption.append(el("span", {}, r.label), el("span", {}, r.detail));
    const track = el("div", { class: "track" });
    track.append(el("div", { class: cls, style: `width:${(frac * 100).toFixed(1)}%` }));
    bar.append(caption, track);
    box.append(bar);
  });
}

function cards(s) {
  const v = s.vault, c = s.control, box = document.getElementById("cards");
  const items = [
    ["Vault value", `${fmt(v.total_assets)} ${v.asset_symbol}`],
    ["Share price", fmt(v.share_price, 6)],
    ["Against control", c ? `${fmt(v.total_assets - c.total_assets)} ${v.asset_symbol}` : "–",
      c ? (v.total_assets >= c.total_assets ? "up" : "down") : ""],
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

function decisions(rows) {
  const body = document.querySelector("#decisions tbody");
  body.replaceChildren(...rows.slice().reverse().map((d) => {
    const tr = el("tr", { "data-id": d.id, class: !firstLoad && !seenDecisions.has(d.id) ? "fresh" : "" });
    tr.append(el("td", {}, when(d.t)), el("td", {}, d.action), el("td", { class: `status-${d.status}` }, d.status));
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
  document.getElementById("alerts").replaceChildren(...s.alerts.map((a) => el("div", { class: `alert ${a.level}` }, a.message)));
  cards(s);
  const series = (pts, key) => pts.map((p) => [p.t, p[key]]);
  lineChart("chart-value", "legend-value", [
    { name: "ALP vault", color: "#4cc38a", points: series(s.history, "value") },
    { name: "static control", color: "#8b98a5", dash: "4 3", points: series(s.control_history, "value") },
  ]);
  lineChart("chart-price", "legend-price", [
    { name: "ALP", color: "#4cc38a", digits: 6, points: series(s.history, "share_price") },
    { name: "control", color: "#8b98a5", dash: "4 3", digits: 6, points: series(s.control_history, "share_price") },
  ]);
  allocationChart(s.allocation);
  rangeCharts(s.ranges);
  bars("guardrails", s.guardrails.map((g) => ({ label: g.name, fraction: g.limit > 0 ? g.used / g.limit : 0,
    detail: `${fmt(g.used)} / ${fmt(g.limit)} ${g.unit}` })));
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
    status.textContent = `updated ${new Date().toLocaleTimeString()} · chain time ${when(body.generated_at)}`;
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  } catch (err) {
    status.textContent = `data unavailable: ${err.message} (retrying)`;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
