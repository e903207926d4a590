/**
 * 7. Admin list on 100,000 indexed entries: the judges' table with filters, search and
 * sorts, straight from D1; and judging at scale on the same index: `next` (each call
 * leases another entry, so the leases pile up as they would under many judges) and the
 * top-N preview by either ranking. The index is seeded directly (wrangler d1 execute on
 * the local database, the migration's triggers fill search and product tables), not
 * through signups, then a Swagbox of its own serves it.
 */
import { join } from "node:path";
import { check, checkStatuses, load, log, ORGANISER, round, startWorker, tempDir, wrangler } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";
import { writeSeed } from "../lib/seed-entries.mjs";

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 100_000);
const REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 200);
const CONNECTIONS = 4;

const QUERIES = [
  ["newest first, no filter", "limit=50"],
  ["filter: submitted, uses D1; sort by submission time", "status=submitted&product=d1&sort=submitted"],
  ["search one word (in ~10% of entries)", "q=lantern"],
  ["search a name with diacritics + filter + sort by score", "q=jose&status=submitted&sort=score"],
  ["search + filter + product + z-score ranking", "q=edge&status=submitted&product=workers&sort=score&normalise=z"],
];

const JUDGING = [
  ["next entry to review (GET /admin/api/next, a new lease each call)", "/admin/api/next"],
  ["top-50 preview, mean score", "/admin/api/awards/preview?count=50"],
  ["top-50 preview, z-scores, one product", "/admin/api/awards/preview?count=50&normalise=z&product=workers"],
];

async function list(swagbox, query) {
  const response = await fetch(`${swagbox.url}/admin/api/entries?${query}`, { headers: ORGANISER });
  check(response.ok, `GET /admin/api/entries?${query} answered ${response.status}: ${await response.clone().text()}`);
  return response.json();
}

const scenario = {
  id: "7-admin-list",
  title: "7. Admin list on 100,000 entries",
  uses: [],
  async run({ build, stub }) {
    const persistTo = tempDir("admin-list");
    wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
    const file = join(persistTo, "seed.sql");
    const seeded = writeSeed(file, { count: ENTRIES });
    const started = Date.now();
    wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", file], { timeout: 300_000 });
    const seedSeconds = (Date.now() - started) / 1000;
    log(`seeded ${ENTRIES} entries and ${seeded.scores} scores in ${round(seedSeconds, 1)} s`);

    const swagbox = await startWorker({ worker: "swagbox", stub, buildDir: build.outdir, persistTo });
    try {
      const stats = await (await fetch(`${swagbox.url}/admin/api/stats`, { headers: ORGANISER })).json();
      const indexed = Object.values(stats.byStatus).reduce((a, b) => a + b, 0);
      check(indexed === ENTRIES, `the index holds ${indexed} entries, not ${ENTRIES}`);

      // The second page of the filtered list, through its cursor.
      const first = await list(swagbox, QUERIES[1][1]);
      check(first.next, "the filtered list has no second page");
      const queries = [...QUERIES, ["page 2 of the filtered list (keyset cursor)", `${QUERIES[1][1]}&cursor=${first.next}`]];

      const empty = await load({ url: swagbox.url, path: "/healthz", connections: CONNECTIONS, amount: REQUESTS });
      const rows = [];
      for (const [what, query] of queries) {
        const page = await list(swagbox, query);
        const result = await load({ url: swagbox.url, path: `/admin/api/entries?${query}`, headers: ORGANISER, connections: CONNECTIONS, amount: REQUESTS });
        checkStatuses(what, result.statuses, [200]);
        log(`${what}: p50 ${result.p50} ms, p99 ${result.p99} ms`);
        rows.push({ what, query, returned: page.entries.length, hasNext: page.next !== null, ...result });
      }
      const judging = [];
      for (const [what, path] of JUDGING) {
        const first = await (await fetch(`${swagbox.url}${path}`, { headers: ORGANISER })).json();
        check(path.includes("preview") ? first.ids?.length === 50 : typeof first.entry?.id === "string", `${path} found nothing: ${JSON.stringify(first).slice(0, 300)}`);
        const result = await load({ url: swagbox.url, path, headers: ORGANISER, connections: CONNECTIONS, amount: REQUESTS });
        checkStatuses(what, result.statuses, [200]);
        log(`${what}: p50 ${result.p50} ms, p99 ${result.p99} ms`);
        judging.push({ what, path, ...result });
      }
      const leases = await (await fetch(`${swagbox.url}/admin/api/progress`, { headers: ORGANISER })).json();
      return {
        summary: [
          ...rows.map((r) => ["7", `admin list p50 / p99 ms: ${r.what}`, `${r.p50} / ${r.p99}`, `${empty.p50} / ${empty.p99}`, "–", "–", "–", "–"]),
          ...judging.map((r) => ["7", `judging p50 / p99 ms: ${r.what}`, `${r.p50} / ${r.p99}`, `${empty.p50} / ${empty.p99}`, "–", "–", "–", "–"]),
        ],
        tables: [
          {
            caption: `${REQUESTS} requests per query, ${CONNECTIONS} at a time, over ${ENTRIES.toLocaleString("en")} entries (${seeded.submitted.toLocaleString("en")} submitted, ${seeded.scored.toLocaleString("en")} scored by 3 judges). Ceiling: GET /healthz the same way, p50 / p99 ${empty.p50} / ${empty.p99} ms.`,
            columns: ["query", "GET /admin/api/entries?…", "rows", "p50 ms", "p99 ms", "max ms", "req/s"],
            rows: rows.map((r) => [r.what, `\`${r.query.replace(/cursor=[^&]+/, "cursor=…")}\``, r.returned, r.p50, r.p99, r.max, round(r.throughput)]),
          },
          {
            caption: `Judging at scale on the same index: ${REQUESTS} requests each, ${CONNECTIONS} at a time, as one organiser (every \`next\` leases another entry: ${leases.overall.inReview} were leased at the end).`,
            columns: ["what", "GET", "p50 ms", "p99 ms", "max ms", "req/s"],
            rows: judging.map((r) => [r.what, `\`${r.path}\``, r.p50, r.p99, r.max, round(r.throughput)]),
          },
        ],
        checks: [
          { what: `the index holds ${ENTRIES.toLocaleString("en")} entries`, ok: true, detail: JSON.stringify(stats.byStatus) },
          { what: "every list request answered 200", ok: true, detail: `${rows.length} queries × ${REQUESTS}` },
          { what: "every judging request answered 200", ok: true, detail: `${judging.length} requests × ${REQUESTS}` },
        ],
        notes: [`Seeding ${ENTRIES.toLocaleString("en")} rows and ${seeded.scores.toLocaleString("en")} scores with wrangler d1 execute took ${round(seedSeconds, 1)} s.`],
        data: { seeded, seedSeconds, empty, queries: rows, judging, leased: leases.overall.inReview },
      };
    } finally {
      await swagbox.stop();
    }
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
