// @ts-check
/** Signups and submissions per day: an SVG bar chart, its summary, and the numbers as a table. */
import { el, svg } from "./dom.js";

const DAY = 86400000;
/** The chart shows at most this many days, the latest. */
const MAX_DAYS = 120;

/**
 * @typedef {object} Day
 * @property {string} day  "2026-03-01"
 * @property {number} t  its midnight, UTC, in ms
 * @property {number} signups
 * @property {number} submissions
 */

/**
 * Every day from the first to the last the API counted (at most the last 120), quiet days
 * as zeros; rows that are not a day are ignored, counts that are not numbers are zero.
 * @param {Array<{ day?: unknown, signups?: unknown, submissions?: unknown }>} perDay
 * @returns {Day[]}
 */
export function dailySeries(perDay) {
  /** @type {Map<string, { signups: number, submissions: number }>} */
  const known = new Map();
  for (const row of perDay) {
    if (typeof row.day === "string" && /^\d{4}-\d{2}-\d{2}$/.test(row.day)) {
      known.set(row.day, { signups: Number(row.signups) || 0, submissions: Number(row.submissions) || 0 });
    }
  }
  const keys = [...known.keys()].sort();
  const firstKey = keys[0];
  const lastKey = keys.at(-1);
  if (firstKey === undefined || lastKey === undefined) return [];
  /** @type {Day[]} */
  const days = [];
  const last = Date.parse(`${lastKey}T00:00:00Z`);
  const first = Math.max(Date.parse(`${firstKey}T00:00:00Z`), last - (MAX_DAYS - 1) * DAY);
  for (let t = first; t <= last; t += DAY) {
    const day = new Date(t).toISOString().slice(0, 10);
    days.push({ day, t, ...(known.get(day) || { signups: 0, submissions: 0 }) });
  }
  return days;
}

/**
 * The smallest round number (1, 2, 2.5 or 5 times a power of ten) at or above `value`: the
 * top of the chart's scale.
 * @param {number} value  greater than zero
 */
export function niceCeiling(value) {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

const shortDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

/**
 * Draws the days into `box`, replacing what it showed.
 * @param {HTMLElement} box
 * @param {Array<{ day?: unknown, signups?: unknown, submissions?: unknown }>} perDay
 */
export function drawChart(box, perDay) {
  const days = dailySeries(perDay);
  const firstDay = days[0];
  const lastDay = days.at(-1);
  if (!firstDay || !lastDay) {
    box.replaceChildren(el("p", { class: "hint" }, "No signups yet."));
    return;
  }
  const top = niceCeiling(Math.max(1, ...days.map((d) => Math.max(d.signups, d.submissions))));
  const slot = Math.max(10, Math.min(48, 640 / days.length));
  const left = 40, right = 8, above = 10, below = 26, height = 200;
  const width = Math.max(480, left + days.length * slot + right);
  const plot = height - above - below;
  /** @param {number} value */
  const y = (value) => above + plot - (value / top) * plot;
  const totals = days.reduce((sum, d) => ({ signups: sum.signups + d.signups, submissions: sum.submissions + d.submissions }), { signups: 0, submissions: 0 });
  const summary = `${totals.signups} signups and ${totals.submissions} submissions over ${days.length} day${days.length === 1 ? "" : "s"}, from ${firstDay.day} to ${lastDay.day}.`;

  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-title" },
    svg("title", { id: "chart-title" }, `Signups and submissions per day: ${summary}`));
  // Through the CSSOM: the page's policy refuses style attributes.
  chart.style.maxWidth = `${width}px`;
  for (const tick of [0, top / 2, top]) {
    chart.append(
      svg("line", { class: "grid", x1: left, x2: width - right, y1: y(tick), y2: y(tick) }),
      svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end" }, Number.isInteger(tick) ? tick : tick.toFixed(1)),
    );
  }
  const labelEvery = Math.ceil(days.length / 8);
  const bar = Math.max(2, slot * 0.36);
  days.forEach((d, i) => {
    const x = left + i * slot + slot / 2;
    const group = svg("g", {}, svg("title", {}, `${d.day}: ${d.signups} signups, ${d.submissions} submissions`));
    group.append(
      svg("rect", { class: "signups", x: x - bar, y: y(d.signups), width: bar, height: Math.max(0, y(0) - y(d.signups)) }),
      svg("rect", { class: "submissions", x, y: y(d.submissions), width: bar, height: Math.max(0, y(0) - y(d.submissions)) }),
      // An invisible full-height target, so the day's tooltip shows on hover anywhere in its column.
      svg("rect", { x: x - slot / 2, y: above, width: slot, height: plot, fill: "transparent" }),
    );
    chart.append(group);
    if (i % labelEvery === 0) chart.append(svg("text", { x, y: height - 8, "text-anchor": "middle" }, shortDay.format(new Date(d.t))));
  });

  const table = el("table", {},
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Day (UTC)"), el("th", { scope: "col" }, "Signups"), el("th", { scope: "col" }, "Submissions"))),
    el("tbody", {}, days.filter((d) => d.signups || d.submissions).map((d) =>
      el("tr", {}, el("th", { scope: "row" }, d.day), el("td", {}, d.signups), el("td", {}, d.submissions)))));
  box.replaceChildren(
    chart,
    el("ul", { class: "legend", "aria-hidden": "true" }, el("li", { class: "signups" }, "Signups"), el("li", { class: "submissions" }, "Submissions")),
    el("p", { class: "hint" }, summary),
    el("details", {}, el("summary", {}, "The numbers as a table"), table),
  );
}
