/**
 * What a Registrant's schema costs the runtime, where the profiler sees only `exec`:
 * workerd's CPU (user + system) per object for each variant of bench/profile/
 * schema-probe.mjs, through the life a signup gives its object: created, evicted (10 s
 * idle locally), woken again (as the outbox's check does, 15–30 s later locally), evicted
 * again. `SCHEMA_ROUNDS` (5) interleaved rounds of `SCHEMA_OBJECTS` (600) objects at
 * concurrency 10, so that a drift of the machine touches every variant alike; each phase
 * waits for the evictions of the one before. Prints the medians and writes
 * bench/results/profile-schema.json.
 *
 *   node bench/profile/schema-cost.mjs
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { idleRuntimeCpu, load, log, percentiles, round, runtimeCpuMs, sleep, tempDir } from "../lib/harness.mjs";
import { RESULTS, ROOT } from "../lib/paths.mjs";

const ROUNDS = Number(process.env.SCHEMA_ROUNDS ?? 5);
const OBJECTS = Number(process.env.SCHEMA_OBJECTS ?? 600);
const VARIANTS = ["touch", "minimal", "current", "folded", "signup"];
/** Longer than the local runtime keeps an idle object in memory (10 s). */
const EVICTED_AFTER_MS = 12_000;

const fromWrangler = createRequire(createRequire(import.meta.url).resolve("wrangler"));
const esbuild = fromWrangler("esbuild");
const { Miniflare, Log, LogLevel, convertV4MiniflareOptions } = fromWrangler("miniflare");

const dir = tempDir("schema-probe");
await esbuild.build({
  entryPoints: [join(ROOT, "bench", "profile", "schema-probe.mjs")],
  bundle: true,
  format: "esm",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  external: ["cloudflare:*", "node:*"],
  outfile: join(dir, "probe.js"),
  logLevel: "warning",
});

// Options in the shape wrangler builds, converted the way bench/lib/server.mjs converts them.
const mf = new Miniflare(convertV4MiniflareOptions({
  host: "127.0.0.1",
  port: 0,
  log: new Log(LogLevel.WARN),
  // Given, so that the runtime does not try to download it (nothing leaves 127.0.0.1).
  cf: { colo: "LHR", country: "GB" },
  resourcePersistencePath: join(dir, "v3"),
  resourceTmpPath: join(dir, "tmp"),
  workers: [{
    name: "schema-probe",
    compatibilityDate: "2026-11-01",
    compatibilityFlags: ["nodejs_compat"],
    modulesRoot: dir,
    modules: [{ type: "ESModule", path: join(dir, "probe.js") }],
    durableObjects: { PROBE: { className: "Probe", useSQLite: true } },
  }],
}));

try {
  const url = (await mf.ready).href.replace(/\/$/, "");
  const shown = await (await fetch(`${url}/variants`)).json();
  for (const [name, text] of Object.entries(shown)) {
    log(`${name}: ${(text.match(/\bCREATE\b/g) ?? []).length} CREATE, ${(text.match(/\bALTER\b/g) ?? []).length} ALTER`);
  }
  const PHASES = ["create", "evicted", "wake", "evictedAgain"];
  const samples = Object.fromEntries(VARIANTS.map((v) => [v, Object.fromEntries(PHASES.map((p) => [p, []]))]));
  /** CPU ms per object of `amount` POSTs to path(i), each answered 204. */
  const measure = async (what, path) => {
    const before = runtimeCpuMs(process.pid);
    const result = await load({ url, method: "POST", path: "/", connections: 10, amount: OBJECTS, request: (i) => ({ path: path(i) }) });
    if (result.statuses[204] !== result.requests) throw new Error(`${what}: ${JSON.stringify(result.statuses)}`);
    return (runtimeCpuMs(process.pid) - before) / result.requests;
  };
  /** CPU ms per object while the runtime evicts the objects just used (and nothing else runs). */
  const eviction = async (idleMsPerS) => {
    const before = runtimeCpuMs(process.pid);
    await sleep(EVICTED_AFTER_MS);
    return (runtimeCpuMs(process.pid) - before - (idleMsPerS * EVICTED_AFTER_MS) / 1000) / OBJECTS;
  };
  const constructed = async () => (await (await fetch(`${url}/constructed`)).json()).constructed;
  const idleMsPerS = await idleRuntimeCpu(process.pid);
  // A round of warm-up, not counted. Each phase waits for the evictions of the one before,
  // so that their CPU is counted where it belongs.
  for (const pass of [-1, ...Array.from({ length: ROUNDS }, (_, i) => i)]) {
    for (const variant of VARIANTS) {
      const name = (i) => `${variant}-${pass}-${i}`;
      const phases = {};
      phases.create = await measure(`create ${variant}`, (i) => `/create?variant=${variant}&name=${name(i)}`);
      phases.evicted = await eviction(idleMsPerS);
      const before = await constructed();
      phases.wake = await measure(`wake ${variant}`, (i) => `/wake?name=${name(i)}`);
      const again = (await constructed()) - before;
      if (again !== OBJECTS) throw new Error(`wake ${variant}: ${again} of ${OBJECTS} objects were constructed again (not evicted?)`);
      phases.evictedAgain = await eviction(idleMsPerS);
      if (pass >= 0) for (const p of PHASES) samples[variant][p].push(phases[p]);
    }
    if (pass >= 0) log(`round ${pass + 1}: ${VARIANTS.map((v) => `${v} ${PHASES.map((p) => round(samples[v][p].at(-1), 2)).join(" / ")}`).join(", ")} ms per object (${PHASES.join(" / ")})`);
  }
  const median = (list) => percentiles(list, [50]).p50;
  const report = {
    objects: OBJECTS,
    rounds: ROUNDS,
    idleMsPerS: round(idleMsPerS, 3),
    cpuMsPerObject: Object.fromEntries(VARIANTS.map((v) => [v, Object.fromEntries(PHASES.map((p) => [p, { median: round(median(samples[v][p]), 3), samples: samples[v][p].map((x) => round(x, 3)) }]))])),
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "profile-schema.json"), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `workerd CPU ms per object, median of ${ROUNDS} rounds of ${OBJECTS}\n${["variant", ...PHASES, "all"].map((h) => h.padEnd(13)).join("")}\n` +
      VARIANTS.map((v) => {
        const medians = PHASES.map((p) => median(samples[v][p]));
        return [v, ...medians, medians.reduce((a, b) => a + b, 0)].map((x, i) => String(i ? round(x, 2) : x).padEnd(13)).join("");
      }).join("\n") + "\n",
  );
} finally {
  await mf.dispose();
  rmSync(dir, { recursive: true, force: true });
}
