/**
 * Serves one Worker for the bench, as its own process: Miniflare's API (the runtime
 * `wrangler dev` runs, workerd) listening on 127.0.0.1, without wrangler's dev proxy in
 * front. Every outbound fetch of the Worker goes to the provider stub.
 *
 *   node bench/lib/server.mjs '<json options>'
 *
 * options: { worker: "swagbox" | "baseline" | "floor", port, persistTo, stubPort, buildDir?, vars?, assets?, controlPort?, inspectorPort? }
 * - swagbox: the bundle `wrangler deploy --dry-run --outdir buildDir` wrote, with the
 *   bindings wrangler.toml declares (read by wrangler's own unstable_getMiniflareWorkerOptions),
 *   config/development.env layered on the vars, then `vars`.
 * - baseline: bench/baseline/worker.mjs with one KV namespace.
 * - floor: bench/floor/worker.mjs with its SQLite Durable Object, behind Swagbox's
 *   static-assets layer (the same public/ directory and router).
 * Storage persists under persistTo/v3, the layout `wrangler --persist-to persistTo` uses,
 * so `wrangler d1 … --local --persist-to persistTo` sees the same D1 database.
 * Prints "ready <url>" when it answers; SIGTERM disposes the runtime.
 *
 * With controlPort (Swagbox only), a second HTTP server on 127.0.0.1 lets the fault harness
 * reach inside the runtime through Miniflare's own bindings, as an operator's tools would:
 *   POST /d1       {sql, params?}         one statement on D1 (DB): {results, meta}
 *   POST /queue    {binding, bodies}      sends the bodies to a queue producer binding
 *   POST /outboxes {emails?, counter?, flush?}  each Registrant's (by email) and the
 *                                          PrizeCounter's outbox, after flushOutbox() if flush
 *   POST /ids      {count}                count new unique Registrant ids (newUniqueId)
 *   POST /scheduled {cron}                runs the Worker's scheduled() handler once
 *
 * With inspectorPort, workerd's V8 inspector listens on 127.0.0.1:inspectorPort (Chrome
 * DevTools Protocol; GET /json/list names each Worker's target), for bench/profile.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { ROOT } from "./paths.mjs";

const options = JSON.parse(process.argv[2]);
// The Miniflare that wrangler itself runs, not another copy in node_modules.
const requireFromWrangler = createRequire(createRequire(import.meta.url).resolve("wrangler"));
const { Miniflare, Log, LogLevel, convertV4MiniflareOptions } = requireFromWrangler("miniflare");
const { unstable_getMiniflareWorkerOptions } = await import("wrangler");

/**
 * Every outbound fetch of the Worker under test goes through this small Worker, which
 * sends it to the provider stub instead (path and query kept). It runs in the same
 * workerd process, so the redirect costs one in-process hop, not a trip through Node.
 */
const OUTBOUND = "bench-outbound";
const outboundWorker = {
  name: OUTBOUND,
  compatibilityDate: "2026-11-01",
  modules: true,
  script: `export default {
    fetch(request) {
      const url = new URL(request.url);
      return fetch("http://127.0.0.1:${options.stubPort}" + url.pathname + url.search, request);
    },
  };`,
};
const outbound = OUTBOUND;

function swagboxWorker() {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
  // Every bench request comes from 127.0.0.1, which the signup rate limit would stop after
  // 30 a minute: the storms measure Swagbox without it (docs/benchmarks.md).
  const { modulesRules, ratelimits: _signupLimit, ...bindingsAndRest } = workerOptions;
  const development = parseEnv(readFileSync(join(ROOT, "config", "development.env"), "utf8"));
  const files = readdirSync(options.buildDir).filter((name) => name.endsWith(".js") || name.endsWith(".html"));
  return {
    ...bindingsAndRest,
    name: "swagbox",
    // Cron triggers only matter at 03:17; the bench never waits for them.
    cronTriggers: [],
    bindings: { ...workerOptions.bindings, ...development, ...options.vars },
    // Only scenario 0 turns the static-assets layer off, to show what it costs.
    ...(options.assets === false ? { assets: undefined } : {}),
    modulesRoot: options.buildDir,
    modules: [
      { type: "ESModule", path: join(options.buildDir, "index.js") },
      ...files.filter((name) => name.endsWith(".html")).map((name) => ({ type: "Text", path: join(options.buildDir, name) })),
    ],
    outboundService: outbound,
  };
}

function baselineWorker() {
  return {
    name: "baseline",
    compatibilityDate: "2026-11-01",
    compatibilityFlags: ["nodejs_compat"],
    modulesRoot: join(ROOT, "bench", "baseline"),
    modules: [{ type: "ESModule", path: join(ROOT, "bench", "baseline", "worker.mjs") }],
    kvNamespaces: { SIGNUPS: { id: "baseline-signups" } },
    bindings: {
      PROVIDER_URL: "https://api.resend.com/emails",
      PROVIDER_KEY: "re_bench_stub",
      EMAIL_FROM: "Seed <challenge@localhost>",
      PUBLIC_URL: `http://127.0.0.1:${options.port}`,
      ...options.vars,
    },
    outboundService: outbound,
  };
}

function floorWorker() {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
  return {
    name: "floor",
    compatibilityDate: workerOptions.compatibilityDate,
    compatibilityFlags: workerOptions.compatibilityFlags,
    assets: workerOptions.assets,
    modulesRoot: join(ROOT, "bench", "floor"),
    modules: [{ type: "ESModule", path: join(ROOT, "bench", "floor", "worker.mjs") }],
    durableObjects: { BLANK: { className: "Blank", useSQLite: true } },
  };
}

const WORKERS = { swagbox: swagboxWorker, baseline: baselineWorker, floor: floorWorker };

/** For the control server: new unique Registrant ids, `count` per request, from Swagbox's own namespace. */
const MINTER = "bench-id-minter";
const minterWorker = {
  name: MINTER,
  compatibilityDate: "2026-11-01",
  modules: true,
  script: `export default {
    fetch(request, env) {
      const count = Number(new URL(request.url).searchParams.get("count"));
      return Response.json({ ids: Array.from({ length: count }, () => env.REGISTRANT.newUniqueId().toString()) });
    },
  };`,
  durableObjects: { REGISTRANT: { className: "Registrant", scriptName: "swagbox" } },
};

// The same option shape wrangler builds, converted the way wrangler converts it.
const mf = new Miniflare(convertV4MiniflareOptions({
  rootPath: ROOT,
  host: "127.0.0.1",
  port: options.port,
  log: new Log(LogLevel.WARN),
  logRequests: false,
  // What Cloudflare would attach to a request (pages read the visitor's time zone from it);
  // given here so that the runtime does not try to download it.
  cf: { colo: "LHR", country: "GB", timezone: "Europe/London" },
  resourcePersistencePath: join(options.persistTo, "v3"),
  resourceTmpPath: join(options.persistTo, "tmp"),
  ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
  // The first worker is the one served on the port.
  workers: [WORKERS[options.worker](), outboundWorker, ...(options.controlPort ? [minterWorker] : [])],
}));

const url = await mf.ready;
if (options.controlPort) await serveControl(options.controlPort);
console.log(`ready ${url.href}`);

/** The control server: JSON in, JSON out; an error answers 500 with its message. */
async function serveControl(port) {
  const [db, registrants, counters] = await Promise.all([
    mf.getD1Database("DB"),
    mf.getDurableObjectNamespace("REGISTRANT"),
    mf.getDurableObjectNamespace("PRIZE_COUNTER"),
  ]);
  const outbox = async (stub, flush) => {
    if (flush) await stub.flushOutbox();
    return stub.outboxStatus();
  };
  const routes = {
    "/d1": ({ sql, params = [] }) => db.prepare(sql).bind(...params).all(),
    "/queue": async ({ binding, bodies }) => {
      const producer = await mf.getQueueProducer(binding);
      await producer.sendBatch(bodies.map((body) => ({ body, contentType: "json" })));
      return { sent: bodies.length };
    },
    "/outboxes": async ({ emails = [], counter = false, flush = false }) => {
      const held = {};
      // A few at a time: each call wakes an object (and flushing makes it work).
      for (let i = 0; i < emails.length; i += 20) {
        const chunk = emails.slice(i, i + 20);
        const jobs = await Promise.all(chunk.map((email) => outbox(registrants.get(registrants.idFromName(email)), flush)));
        chunk.forEach((email, j) => {
          if (jobs[j].length) held[email] = jobs[j];
        });
      }
      const counterJobs = counter ? await outbox(counters.get(counters.idFromName("pool")), flush) : [];
      return { registrants: held, counter: counterJobs };
    },
    // Minted inside the runtime by a small Worker (one round trip through Miniflare's proxy
    // per id would take minutes for 100,000).
    "/ids": async ({ count }) => (await (await mf.getWorker(MINTER)).fetch(`http://minter/?count=${count}`)).json(),
    "/scheduled": async ({ cron }) => {
      const worker = await mf.getWorker();
      return worker.scheduled({ cron });
    },
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      const route = req.method === "POST" ? routes[req.url] : undefined;
      let status = 200;
      let body;
      try {
        if (!route) throw new Error(`no control route ${req.method} ${req.url}`);
        body = await route(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
      } catch (error) {
        status = 500;
        body = { error: String(error?.stack ?? error) };
      }
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  // Longer than the harness's pauses between calls, so that a kept-alive connection is not
  // closed under a call just as it is made.
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await mf.dispose().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
