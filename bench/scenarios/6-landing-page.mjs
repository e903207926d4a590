/**
 * 6. Landing page: what a visitor from a viral link downloads (bytes raw and compressed,
 * and how many requests the page needs to render), its time to first byte (the page reads
 * the KV snapshot of the prize count), and how many pages per second one runtime serves.
 * Checks: one document (nothing render-blocking to fetch), ≤ 14 KB gzip, and the count it
 * shows is the PrizeCounter's.
 */
import { request } from "node:http";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { ceiling, check, checkStatuses, exactRemaining, load, log, now, percentiles, round } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";

const BUDGET = 14 * 1024;
const SAMPLES = Number(process.env.BENCH_TTFB_SAMPLES ?? 300);

/** Time to the response's headers (first byte), over one kept-alive connection, one request at a time. */
async function ttfb(url, samples) {
  const agent = new (await import("node:http")).Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  for (let i = 0; i < samples; i++) {
    times.push(
      await new Promise((resolve, reject) => {
        const started = now();
        const req = request(url, { agent, headers: { accept: "text/html" } }, (res) => {
          const first = now() - started;
          res.resume();
          res.on("end", () => resolve(first));
        });
        req.on("error", reject);
        req.end();
      }),
    );
  }
  agent.destroy();
  return percentiles(times, [50, 99]);
}

/** What the browser must fetch besides the document, found in its markup. */
function subresources(html) {
  const found = [];
  const add = (kind, re) => {
    for (const m of html.matchAll(re)) if (!m[1].startsWith("data:")) found.push({ kind, url: m[1] });
  };
  add("script", /<script\b[^>]*\ssrc=["']?([^"'\s>]+)/gi);
  add("stylesheet", /<link\b[^>]*rel=["']?stylesheet["']?[^>]*href=["']?([^"'\s>]+)/gi);
  add("preload", /<link\b[^>]*rel=["']?(?:preload|modulepreload)["']?[^>]*href=["']?([^"'\s>]+)/gi);
  add("image", /<(?:img|source|video|audio|iframe|embed)\b[^>]*\ssrc=["']?([^"'\s>]+)/gi);
  add("css url()", /url\(\s*["']?([^"')]+)/gi);
  add("css @import", /@import\s+["']([^"']+)/gi);
  const icons = [...html.matchAll(/<link\b[^>]*rel=["']?(?:icon|shortcut icon|apple-touch-icon)["']?[^>]*href=["']?([^"'\s>]+)/gi)].map((m) => m[1]);
  return { blocking: found, icons };
}

const scenario = {
  id: "6-landing-page",
  title: "6. Landing page",
  uses: ["swagbox"],
  async run({ swagbox, stub }) {
    // Earlier scenarios' emails go out first, and the snapshot (written at most once a second
    // after a change) lands.
    await stub.drained(0, { quietMs: 2500 });
    const response = await fetch(`${swagbox.url}/`, { headers: { accept: "text/html" } });
    check(response.status === 200, `GET / answered ${response.status}`);
    const html = await response.text();
    const raw = Buffer.byteLength(html);
    const gzip = gzipSync(html, { level: 6 }).length;
    const brotli = brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    const { blocking, icons } = subresources(html);
    const requests = 1 + blocking.length;
    check(requests === 1, `the landing page needs ${requests} requests: ${JSON.stringify(blocking)}`);
    check(gzip <= BUDGET, `the landing page is ${gzip} bytes gzip, over ${BUDGET}`);

    const shown = Number(/data-live="remaining"[^>]*>(\d+)</.exec(html)?.[1]);
    const remaining = await exactRemaining(swagbox.url);
    check(shown === remaining, `the page shows ${shown} prizes left, the counter says ${remaining}`);

    const page = await ttfb(`${swagbox.url}/`, SAMPLES);
    const empty = await ttfb(`${swagbox.url}/healthz`, SAMPLES);
    const served = await load({ url: swagbox.url, path: "/", headers: { accept: "text/html" }, connections: 50, duration: 4 });
    checkStatuses("GET /", served.statuses, [200]);
    const emptyLoad = await ceiling(swagbox.url, { connections: 50, duration: 4 });
    log(`landing: ${raw} B raw, ${gzip} B gzip, ${requests} request(s); TTFB p50 ${round(page.p50, 1)} ms vs ${round(empty.p50, 1)} ms; ${round(served.throughput)} pages/s`);

    return {
      summary: [
        ["6", "landing page: requests to render", requests, "–", "–", "–", "1", requests === 1 ? "yes" : "no"],
        ["6", "landing page gzip bytes (raw)", `${gzip} (${raw})`, "–", "–", "–", `≤ ${BUDGET}`, gzip <= BUDGET ? "yes" : "no"],
        ["6", "landing page TTFB p50 / p99 (ms)", `${round(page.p50, 1)} / ${round(page.p99, 1)}`, `${round(empty.p50, 1)} / ${round(empty.p99, 1)}`, round(page.p50 / empty.p50, 1), "–", "–", "–"],
        ["6", "landing pages/s (concurrency 50)", round(served.throughput), round(emptyLoad.throughput), round(served.throughput / emptyLoad.throughput, 2), "–", "–", "–"],
      ],
      tables: [
        {
          caption: "GET / as a browser asks for it (Accept: text/html).",
          columns: ["raw bytes", "gzip -6 bytes", "brotli 11 bytes", "requests to render", "favicon", "TTFB p50 / p99 ms", "empty route TTFB p50 / p99 ms", "pages/s at 50", "empty route/s at 50"],
          rows: [[raw, gzip, brotli, requests, icons.join(", ") || "none", `${round(page.p50, 1)} / ${round(page.p99, 1)}`, `${round(empty.p50, 1)} / ${round(empty.p99, 1)}`, round(served.throughput), round(emptyLoad.throughput)]],
        },
      ],
      checks: [
        { what: "one document: no script, stylesheet, font or image to fetch before it renders", ok: true, detail: `${blocking.length} subresources` },
        { what: `at most ${BUDGET} bytes gzip (one TCP initial window)`, ok: true, detail: `${gzip} bytes` },
        { what: "the count it shows (KV snapshot) is the PrizeCounter's", ok: true, detail: `${shown} = ${remaining}` },
      ],
      notes: [
        `TTFB is measured over ${SAMPLES} sequential requests on one kept-alive connection: time from sending the request to the response headers.`,
        "The favicon is a static asset, fetched by browsers on their own and not needed to render; after load the page's script opens /live.",
      ],
      data: { raw, gzip, brotli, blocking, icons, page, empty, served, emptyLoad, shown },
    };
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
