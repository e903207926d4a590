/**
 * 0. How the bench runs Swagbox, and what that choice costs: the empty route and new
 * signups at concurrency 10 under `wrangler dev` (its proxy in front), and under
 * Miniflare's API directly (what the other scenarios use) with local storage on tmpfs and
 * on disk, and without the static-assets layer in front. All use the development
 * configuration as it is (capture provider).
 */
import { ceiling, checkStatuses, FORM, load, log, round, signupBody, startWorker, startWranglerDev, tempDir } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";

const SECONDS = Number(process.env.BENCH_RUNTIME_SECONDS ?? 4);
const JSON_FORM = { accept: "application/json", "content-type": FORM };

/**
 * A client address of its own for the i-th signup: `wrangler dev` keeps the signup rate
 * limit (30 a minute per address), which would otherwise refuse all but the first 30.
 */
const clientAddress = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function measure(name, start) {
  const started = Date.now();
  const server = await start();
  const startup = (Date.now() - started) / 1000;
  try {
    await ceiling(server.url, { connections: 10, duration: 1 });
    const empty = await ceiling(server.url, { connections: 10, duration: SECONDS });
    const run = Date.now().toString(36);
    const signups = await load({
      url: server.url, method: "POST", path: "/signup", headers: JSON_FORM, connections: 10, duration: SECONDS,
      request: (i) => ({
        headers: { ...JSON_FORM, "cf-connecting-ip": clientAddress(i) },
        body: signupBody(`u${i}@${name.replace(/\W+/g, "-")}-${run}.runtime.bench`),
      }),
    });
    checkStatuses(`${name} /healthz`, empty.statuses, [200]);
    checkStatuses(`${name} signups`, signups.statuses, [202]);
    log(`${name}: empty route ${round(empty.throughput)}/s, signups ${round(signups.throughput)}/s, started in ${round(startup, 1)} s`);
    return { name, startup, empty, signups };
  } finally {
    await server.stop();
  }
}

const scenario = {
  id: "0-runtime",
  title: "0. Running Swagbox for the bench",
  uses: [],
  async run({ build, stub }) {
    const capture = { EMAIL_PROVIDER: "capture" };
    const direct = await measure("Miniflare API, storage on tmpfs", () => startWorker({ worker: "swagbox", stub, buildDir: build.outdir, vars: capture, persistTo: tempDir("runtime-tmpfs", "tmpfs") }));
    const disk = await measure("Miniflare API, storage on disk", () => startWorker({ worker: "swagbox", stub, buildDir: build.outdir, vars: capture, persistTo: tempDir("runtime-disk", "disk") }));
    const bare = await measure("Miniflare API, tmpfs, without the static-assets layer", () => startWorker({ worker: "swagbox", stub, buildDir: build.outdir, vars: capture, assets: false, persistTo: tempDir("runtime-bare", "tmpfs") }));
    const dev = await measure("wrangler dev, storage on tmpfs", () => startWranglerDev({ persistTo: tempDir("runtime-dev", "tmpfs") }));
    const all = [direct, disk, bare, dev];
    const overhead = direct.empty.throughput / dev.empty.throughput;
    return {
      summary: [
        ["0", "empty route req/s: Miniflare API ÷ wrangler dev (dev proxy overhead)", round(direct.empty.throughput), round(dev.empty.throughput), round(overhead, 1), "–", "–", "–"],
      ],
      tables: [
        {
          caption: `Concurrency 10, ${SECONDS} s each, development configuration (capture provider). In the "ceiling" column the empty route GET /healthz.`,
          columns: ["how Swagbox runs", "start-up s", "ceiling req/s", "signups/s", "signups ÷ ceiling", "signup p50 / p99 ms"],
          rows: all.map((r) => [r.name, round(r.startup, 1), round(r.empty.throughput), round(r.signups.throughput), round(r.signups.throughput / r.empty.throughput, 2), `${r.signups.p50} / ${r.signups.p99}`]),
        },
      ],
      checks: [],
      notes: [
        `wrangler dev puts its proxy Worker (another workerd) in front of the Worker: the empty route runs ${round(overhead, 1)}× faster without it. The bench uses Miniflare's API with the same options wrangler dev builds (bench/lib/server.mjs), so a ratio to the ceiling measures Swagbox rather than the proxy.`,
        `On disk, each new Registrant object's SQLite file costs this machine's disk time: signups run at ${round(disk.signups.throughput)}/s against ${round(direct.signups.throughput)}/s on tmpfs. The bench keeps storage on tmpfs (BENCH_STORAGE=disk to change).`,
        `Swagbox serves public/ as static assets, so locally every request first passes the assets router: without it the empty route runs at ${round(bare.empty.throughput)}/s instead of ${round(direct.empty.throughput)}/s. The bench keeps it, as deployed; the seed's design has no assets, so its ceiling is higher.`,
      ],
      data: { runs: all, overhead },
    };
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
