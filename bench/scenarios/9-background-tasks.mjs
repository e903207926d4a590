/**
 * 9. Background tasks at 100,000 registrants: the index rebuild and the retention sweep run
 * through the tasks queue, a step of at most 100 registrants at a time. A few hundred
 * entrants sign up over HTTP (real objects with data; their index rows are then deleted, so
 * the rebuild has something to restore); the rest are seeded straight into D1 (index rows and
 * registry rows, under ids the runtime made), so their objects are created, empty, by the
 * task's first call. The reindex is started through the admin API, the retention sweep by
 * the Worker's scheduled() handler (the contest's submissions closed long enough ago).
 * Checks: each run finishes with processed = total and nothing failed; the rebuild restored
 * the deleted rows; the sweep left no registrant in the registry and no row not erased.
 */
import { check, FORM, log, now, ORGANISER, pool, round, signupBody, sleep, startWorker, tempDir } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";
import { seedStatements } from "../lib/seed-entries.mjs";

const REGISTRANTS = Number(process.env.BENCH_REGISTRANTS ?? 100_000);
const REAL = Number(process.env.BENCH_REAL_REGISTRANTS ?? 500);
/** STEP_SIZE in src/tasks/tasks.ts: registrants (object calls) per step. */
const STEP = 100;
/** A step's other subrequests (src/tasks/tasks.ts runStep): the run, the registry page, the next step, the D1 batch. */
const STEP_OVERHEAD = 4;
const POLL_MS = 100;
/** Submissions closed long ago, registration still open: the retention sweep is due, signups work. */
const RETENTION_DUE = { SUBMISSION_OPENS: "2025-01-01T00:00:00Z", SUBMISSION_CLOSES: "2025-02-01T00:00:00Z", RETENTION_DAYS: "1" };

async function json(url, init) {
  const response = await fetch(url, { ...init, headers: ORGANISER });
  check(response.ok, `${init?.method ?? "GET"} ${url} answered ${response.status}`);
  return response.json();
}

/**
 * Follows a task run in D1 until it is done: how long it took, and how far it moved between
 * polls (a move of 100 is one step; a poll that straddles two steps sees 200).
 */
async function follow(swagbox, id, what) {
  const started = now();
  const moves = {};
  let last = 0;
  let run;
  let lastLog = started;
  for (;;) {
    [run] = (await swagbox.control("/d1", { sql: "SELECT * FROM task_runs WHERE id = ?", params: [id] })).results;
    if (run.processed !== last) {
      moves[run.processed - last] = (moves[run.processed - last] ?? 0) + 1;
      last = run.processed;
    }
    if (run.status === "done") break;
    if (now() - lastLog > 30_000) {
      lastLog = now();
      log(`${what}: ${run.processed} of ${run.total} after ${round((now() - started) / 1000)} s`);
    }
    await sleep(POLL_MS);
  }
  const seconds = (run.finished_at - run.started_at) / 1000;
  return { run, seconds, rate: run.processed / seconds, steps: Math.floor(run.processed / STEP) + 1, moves };
}

const scenario = {
  id: "9-background-tasks",
  title: "9. Index rebuild and retention sweep at 100,000 registrants",
  uses: [],
  async run({ build, stub }) {
    const swagbox = await startWorker({ worker: "swagbox", stub, buildDir: build.outdir, persistTo: tempDir("tasks"), control: true, vars: RETENTION_DUE });
    try {
      const d1 = async (sql, params = []) => (await swagbox.control("/d1", { sql, params })).results;
      log(`${REAL} entrants sign up over HTTP`);
      const emails = Array.from({ length: REAL }, (_, i) => `r${i}@tasks.bench`);
      const signups = await pool(REAL, 20, async (i) =>
        (await fetch(`${swagbox.url}/signup`, { method: "POST", body: signupBody(emails[i]), headers: { accept: "application/json", "content-type": FORM } })).status,
      );
      check(signups.every((status) => status === 202), `signups answered ${[...new Set(signups)].join(", ")}`);
      const realIndexed = async () => (await d1("SELECT COUNT(*) AS n FROM entries WHERE email LIKE '%@tasks.bench'"))[0].n;
      for (let waited = 0; (await realIndexed()) < REAL; waited += 500) {
        check(waited < 120_000, `${await realIndexed()} of ${REAL} real entrants indexed after 2 min`);
        await sleep(500);
      }

      const seededCount = REGISTRANTS - REAL;
      log(`seeding ${seededCount} registrants (index and registry rows) into D1`);
      const seedStarted = now();
      const { ids } = await swagbox.control("/ids", { count: seededCount });
      const seeded = seedStatements({ count: seededCount, winners: 0, ids, registry: true });
      for (const sql of seeded.statements) await d1(sql);
      const seedSeconds = (now() - seedStarted) / 1000;
      const [{ n: registered }] = await d1("SELECT COUNT(*) AS n FROM registrants");
      check(registered === REGISTRANTS, `the registry lists ${registered} registrants, not ${REGISTRANTS}`);
      // The rebuild must bring these back from the objects.
      await d1("DELETE FROM entries WHERE email LIKE '%@tasks.bench'");

      log(`reindex through the admin API`);
      const { task: reindexRun } = await json(`${swagbox.url}/admin/api/reindex`, { method: "POST" });
      check(reindexRun.total === REGISTRANTS, `the reindex run counts ${reindexRun.total} registrants`);
      const reindex = await follow(swagbox, reindexRun.id, "reindex");
      log(`reindex: ${reindex.run.processed} in ${round(reindex.seconds)} s, ${round(reindex.rate)}/s`);
      const restored = await realIndexed();
      const [{ n: reindexDead }] = await d1("SELECT COUNT(*) AS n FROM dead_letters WHERE topic = 'reindex'");

      log(`retention sweep through scheduled()`);
      await swagbox.control("/scheduled", { cron: "17 3 * * *" });
      const [retentionRun] = await d1("SELECT * FROM task_runs WHERE kind = 'retention'");
      check(retentionRun, "scheduled() started no retention run");
      const retention = await follow(swagbox, retentionRun.id, "retention");
      log(`retention: ${retention.run.processed} in ${round(retention.seconds)} s, ${round(retention.rate)}/s`);
      const [{ n: left }] = await d1("SELECT COUNT(*) AS n FROM registrants");
      const [{ n: notErased }] = await d1("SELECT COUNT(*) AS n FROM entries WHERE status != 'erased'");
      const [{ n: retentionDead }] = await d1("SELECT COUNT(*) AS n FROM dead_letters WHERE topic = 'retention'");

      const runs = [["index rebuild (POST /admin/api/reindex)", reindex], ["retention sweep (scheduled())", retention]];
      for (const [what, { run }] of runs) {
        check(run.processed === run.total && run.failed === 0, `${what}: processed ${run.processed} of ${run.total}, ${run.failed} failed`);
      }
      check(reindexDead === 0 && retentionDead === 0, `dead letters: ${reindexDead} of the rebuild, ${retentionDead} of the sweep`);
      check(restored === REAL, `the rebuild restored ${restored} of the ${REAL} deleted index rows`);
      check(left === 0 && notErased === 0, `after the sweep ${left} registrants are left in the registry, ${notErased} index rows not erased`);
      const row = (what, r) => [what, r.run.total, r.run.processed, r.run.failed, r.steps, round(r.seconds, 1), round(r.rate), round((r.seconds * 1000) / r.steps), JSON.stringify(r.moves)];
      return {
        summary: runs.map(([what, r]) => ["9", `${what}: registrants/s over ${REGISTRANTS.toLocaleString("en")}`, round(r.rate), "–", "–", "–", "processed = total", r.run.processed === r.run.total ? "yes" : "no"]),
        tables: [
          {
            caption: `${REGISTRANTS.toLocaleString("en")} registrants: ${REAL} signed up over HTTP, ${seededCount.toLocaleString("en")} seeded into D1 (index and registry rows; their objects are created, empty, by the first task that calls them). Steps of ${STEP} registrants, one tasks-queue message each; "moves" counts how far processed moved between polls ${POLL_MS} ms apart (100: one step).`,
            columns: ["task", "total", "processed", "failed", "steps", "seconds", "registrants/s", "ms per step", "moves between polls"],
            rows: runs.map(([what, r]) => row(what, r)),
          },
        ],
        checks: [
          { what: "both runs finished with processed = total and nothing failed, no dead letters", ok: true, detail: `${reindex.run.processed} and ${retention.run.processed}` },
          { what: `the rebuild restored the ${REAL} index rows deleted before it (from the objects)`, ok: true, detail: String(restored) },
          { what: "after the sweep, the registry is empty and every index row is an erased tombstone", ok: true, detail: `${left} left, ${notErased} not erased` },
        ],
        notes: [
          `A step makes at most ${STEP} object calls (src/tasks/tasks.ts STEP_SIZE, 20 at a time) plus ${STEP_OVERHEAD} other subrequests (the run, the registry page, the next step's message, one D1 batch): ≤ ${STEP + STEP_OVERHEAD} per invocation, whatever the contest's size.`,
          `Seeding ${seededCount.toLocaleString("en")} registrants (ids from the runtime, rows through D1) took ${round(seedSeconds, 1)} s.`,
        ],
        data: { reindex, retention, seedSeconds, real: REAL, seeded: seededCount },
      };
    } finally {
      await swagbox.stop();
    }
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
