/**
 * V8 CPU profiles of workerd's isolates, over the Chrome DevTools Protocol its inspector
 * speaks (bench/lib/server.mjs opens it with `inspectorPort`), and their summary by
 * function and by source file. The Swagbox bundle's positions are mapped back to src/ with
 * the source map `wrangler deploy --dry-run --outdir` writes next to it.
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { basename, relative } from "node:path";
import WebSocket from "ws";
import { ROOT } from "../lib/paths.mjs";

/** One inspector session: `send(method, params)` resolves with the result. */
async function session(url) {
  const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let next = 1;
  const waiting = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString("utf8"));
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(`${message.error.message} (${pending.method})`));
    else pending.resolve(message.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject, method });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/**
 * Starts the sampling profiler in each named isolate (`targets`: ids of GET /json/list,
 * such as "core:user:swagbox" or "d1:db"); `stop()` returns {target: profile}.
 */
export async function startProfiling(inspectorPort, targets, { intervalUs = 200 } = {}) {
  const listed = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const sessions = {};
  for (const target of targets) {
    const found = listed.find((t) => t.id === target);
    if (!found) throw new Error(`no inspector target ${target}; there are ${listed.map((t) => t.id).join(", ")}`);
    sessions[target] = await session(found.webSocketDebuggerUrl);
    await sessions[target].send("Profiler.enable");
    await sessions[target].send("Profiler.setSamplingInterval", { interval: intervalUs });
  }
  for (const target of targets) await sessions[target].send("Profiler.start");
  return {
    async stop() {
      const profiles = {};
      for (const target of targets) {
        profiles[target] = (await sessions[target].send("Profiler.stop")).profile;
        sessions[target].close();
      }
      return profiles;
    },
  };
}

/**
 * Maps a position in a bundle (its url, then line and column from 0) to {file, line} of the
 * source with its source map, when it has one; without a column, the line's first code.
 */
export function sourceMapper(bundlePath) {
  let map;
  let lines;
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, "utf8")));
    lines = readFileSync(bundlePath, "utf8").split("\n");
  } catch {
    return () => null;
  }
  const bundle = basename(bundlePath);
  return (url, line, column = Math.max(0, (lines[line] ?? "").search(/\S/))) => {
    // Frames of the runtime's own modules (cloudflare-internal:…) are not the bundle's.
    if (basename(url) !== bundle) return null;
    const entry = map.findEntry(line, column);
    if (!entry?.originalSource) return null;
    const source = entry.originalSource.replace(/^(\.\.\/)+/, "/");
    const file = source.startsWith("/") ? relative(ROOT, source) : source;
    return { file: file.replace(/^node_modules\//, "npm:"), line: entry.originalLine + 1 };
  };
}

/**
 * Self and total time (ms) by function, self time by file and by line, and time by entry
 * (the outermost function of each stack: a request's handler, a constructor, a resumed
 * async function), from one profile, or from its samples between `fromMs` and `toMs` after
 * it started (then without lines). Each sample counts as the usual interval between samples. Total time counts a function once
 * per sample however deep it recurses. `map(url, line, column)` (sourceMapper) names
 * a frame's source; frames it cannot place keep their url.
 */
export function summarise(profile, map = () => null, { fromMs = 0, toMs = Infinity } = {}) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const where = new Map();
  const nameOf = (node) => {
    if (where.has(node.id)) return where.get(node.id);
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const mapped = url && lineNumber >= 0 ? map(url, lineNumber, columnNumber) : null;
    const file = mapped?.file ?? (url || "(native)");
    const label = { fn: `${functionName || "(anonymous)"} ${mapped ? `${mapped.file}:${mapped.line}` : url ? `${url}:${lineNumber + 1}` : ""}`.trim(), file };
    where.set(node.id, label);
    return label;
  };
  const self = new Map();
  const total = new Map();
  const byFile = new Map();
  const byLine = new Map();
  const byEntry = new Map();
  let sampled = 0;
  const add = (table, key, ms) => table.set(key, (table.get(key) ?? 0) + ms);
  // A sample stands for one sampling interval. Not its time delta: the profiler samples an
  // isolate only while it runs, so the delta after its last sample of a turn spans whatever
  // ran next on the thread (other isolates, the event loop) or the thread's idle time.
  const ms = median(profile.timeDeltas.slice(1)) / 1000;
  let elapsedMs = 0;
  profile.samples.forEach((id, i) => {
    elapsedMs += profile.timeDeltas[i] / 1000;
    if (elapsedMs < fromMs || elapsedMs >= toMs) return;
    const leaf = nodes.get(id);
    const { fn, file } = nameOf(leaf);
    sampled += ms;
    add(self, fn, ms);
    add(byFile, file, ms);
    const seen = new Set();
    let entry = fn;
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = nameOf(nodes.get(at)).fn;
      if (name !== "(root)") entry = name;
      if (seen.has(name)) continue;
      seen.add(name);
      add(total, name, ms);
    }
    add(byEntry, entry, ms);
  });
  // Lines within a function (V8's position ticks): only telling when the bundle keeps its lines.
  for (const node of fromMs > 0 || toMs < Infinity ? [] : profile.nodes) {
    const { url } = node.callFrame;
    for (const { line, ticks } of node.positionTicks ?? []) {
      const mapped = url ? map(url, line - 1) : null;
      add(byLine, mapped ? `${mapped.file}:${mapped.line} (${nameOf(node).fn.split(" ")[0]})` : `${nameOf(node).fn} line ${line}`, ticks * ms);
    }
  }
  const idle = self.get("(idle)") ?? 0;
  return { sampledMs: sampled, busyMs: sampled - idle, self, total, byFile, byLine, byEntry };
}

function median(values) {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The `n` largest entries of a Map of ms, as [key, ms] rows. */
export function top(table, n, skip = ["(idle)", "(root)"]) {
  return [...table].filter(([key]) => !skip.includes(key)).sort((a, b) => b[1] - a[1]).slice(0, n);
}
