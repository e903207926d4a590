/**
 * What a Registrant's schema costs the runtime, where the profiler sees only `exec`:
 * workerd's CPU (user + system) per object for each variant of bench/profile/
 * schema-probe.mjs, to create it and to wake it again once evicted (as a signup's outbox
 * check does, 15–30 s later locally), in `SCHEMA_ROUNDS` (5) interleaved rounds of
 * `SCHEMA_OBJECTS` (600) objects at concurrency 10, so that a drift of the machine touches
 * every variant alike. Prints the medians and writes bench/results/profile-schema.json.
 *
 *   node bench/profile/schema-cost.mjs
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { load, log, percentiles, round, runtimeCpuMs, sleep, tempDir } from "../lib/harness.mjs";
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
  const created = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const woken = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  /** CPU ms per request of `amount` POSTs to path(i), each answered 204. */
  const measure = async (what, path) => {
    const before = runtimeCpuMs(process.pid);
    const result = await load({ url, method: "POST", path: "/", connections: 10, amount: OBJECTS, request: (i) => ({ path: path(i) }) });
    if (result.statuses[204] !== result.requests) throw new Error(`${what}: ${JSON.stringify(result.statuses)}`);
    return (runtimeCpuMs(process.pid) - before) / result.requests;
  };
  const constructed = async () => (await (await fetch(`${url}/constructed`)).json()).constructed;
  // A round of warm-up, not counted.
  for (const pass of [-1, ...Array.from({ length: ROUNDS }, (_, i) => i)]) {
    const name = (variant, i) => `${variant}-${pass}-${i}`;
    for (const variant of VARIANTS) {
      const ms = await measure(`create ${variant}`, (i) => `/create?variant=${variant}&name=${name(variant, i)}`);
      if (pass >= 0) created[variant].push(ms);
    }
    // Past the runtime's eviction of idle objects (about 10 s locally; 70–140 s on Cloudflare).
    await sleep(EVICTED_AFTER_MS);
    for (const variant of VARIANTS) {
      const before = await constructed();
      const ms = await measure(`wake ${variant}`, (i) => `/wake?name=${name(variant, i)}`);
      const again = (await constructed()) - before;
      if (again !== OBJECTS) throw new Error(`wake ${variant}: ${again} of ${OBJECTS} objects were constructed again (not evicted?)`);
      if (pass >= 0) woken[variant].push(ms);
    }
    if (pass >= 0) log(`round ${pass + 1}: ${VARIANTS.map((v) => `${v} ${round(created[v].at(-1), 2)} / ${round(woken[v].at(-1), 2)}`).join(", ")} ms per object (create / wake)`);
  }
  const median = (list) => percentiles(list, [50]).p50;
  const summary = (samples) => Object.fromEntries(VARIANTS.map((v) => [v, { median: round(median(samples[v]), 3), samples: samples[v].map((x) => round(x, 3)) }]));
  const report = { objects: OBJECTS, rounds: ROUNDS, createMsPerObject: summary(created), wakeMsPerObject: summary(woken) };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "profile-schema.json"), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `variant   create  wake   (workerd CPU ms per object, median of ${ROUNDS} rounds of ${OBJECTS})\n` +
      VARIANTS.map((v) => `${v.padEnd(8)}  ${String(round(median(created[v]), 2)).padEnd(6)}  ${round(median(woken[v]), 2)}`).join("\n") + "\n",
  );
} finally {
  await mf.dispose();
  rmSync(dir, { recursive: true, force: true });
}
