/**
 * Line plots as standalone SVG, written by the bench itself (no library, no service).
 * A plot has series of [x, y] points, optional log-2 x axis, and an optional dashed
 * horizontal goal line.
 */

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { top: 48, right: 190, bottom: 56, left: 72 };
const COLOURS = ["#f6821f", "#1f6feb", "#8250df", "#2da44e", "#cf222e", "#6e7781"];

const escape = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** 1, 2, 2.5, 5 × 10^k steps giving about `count` ticks from 0 to max. */
function niceTicks(max, count = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks.at(-1) < max) ticks.push(Number((ticks.at(-1) + step).toPrecision(12)));
  return ticks;
}

const label = (value) => (Math.abs(value) >= 10_000 ? `${value / 1000}k` : String(value));

/**
 * @param {{title: string, xLabel: string, yLabel: string, series: {name: string, points: [number, number][], dashed?: boolean, colour?: string}[],
 *          xTicks?: number[], logX?: boolean, goal?: {y: number, label: string}}} plot
 */
export function linePlot({ title, xLabel, yLabel, series, xTicks, logX = false, goal }) {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y)).concat(goal ? [goal.y] : []);
  const ticksX = xTicks ?? [...new Set(xs)].sort((a, b) => a - b);
  const fx = logX ? Math.log2 : (x) => x;
  const minX = fx(Math.min(...ticksX));
  const maxX = fx(Math.max(...ticksX));
  const ticksY = niceTicks(Math.max(...ys) * 1.05);
  const maxY = ticksY.at(-1);
  const px = (x) => MARGIN.left + (maxX === minX ? plotW / 2 : ((fx(x) - minX) / (maxX - minX)) * plotW);
  const py = (y) => MARGIN.top + plotH - (y / maxY) * plotH;

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<title>${escape(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="26" font-size="15" font-weight="600" fill="#1f2328">${escape(title)}</text>`,
  ];
  for (const t of ticksY) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(t)}" y2="${py(t)}" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${py(t) + 4}" text-anchor="end" fill="#57606a">${label(t)}</text>`);
  }
  for (const t of ticksX) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#57606a"/>`);
    parts.push(`<text x="${px(t)}" y="${MARGIN.top + plotH + 20}" text-anchor="middle" fill="#57606a">${label(t)}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#57606a"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle" fill="#1f2328">${escape(xLabel)}</text>`);
  parts.push(
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">${escape(yLabel)}</text>`,
  );
  if (goal) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(goal.y)}" y2="${py(goal.y)}" stroke="#cf222e" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${MARGIN.left + plotW - 4}" y="${py(goal.y) - 6}" text-anchor="end" fill="#cf222e">${escape(goal.label)}</text>`,
    );
  }
  series.forEach((s, index) => {
    const colour = s.colour ?? COLOURS[index % COLOURS.length];
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = points.map(([x, y], i) => `${i ? "L" : "M"}${px(x).toFixed(1)} ${py(y).toFixed(1)}`).join(" ");
    const dash = s.dashed ? ` stroke-dasharray="4 3"` : "";
    parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2.5"${dash}/>`);
    for (const [x, y] of points) {
      parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${colour}"><title>${escape(`${s.name}: ${label(x)} → ${y}`)}</title></circle>`);
    }
    const ly = MARGIN.top + 8 + index * 22;
    const lx = MARGIN.left + plotW + 16;
    parts.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2.5"${dash}/>`);
    parts.push(`<text x="${lx + 28}" y="${ly + 4}" fill="#1f2328">${escape(s.name)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
