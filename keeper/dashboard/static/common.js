// Helpers both pages use: number and time formatting, DOM and SVG building, line charts scaled to their data.
"use strict";

const PALETTE = ["#4cc38a", "#388bfd", "#e3b341", "#db61a2", "#a371f7", "#f0883e", "#3fb9d6", "#8b98a5"];
const SVG_NS = "http://www.w3.org/2000/svg";

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

// A legend entry: a colour swatch, a label and an optional bold value, built as text (names come from the chain).
function swatch(color, label, value) {
  const span = el("span");
  span.append(el("i", { style: `background:${color}` }), document.createTextNode(label));
  if (value !== undefined) span.append(el("b", {}, value));
  return span;
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
    legend.append(swatch(s.color, `${s.name}: `, fmt(last, s.digits ?? 2)));
  });
  svg.dataset.points = String(live.reduce((n, s) => n + s.points.length, 0));
}

