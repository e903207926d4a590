/**
 * 1. Signup storm: distinct emails at concurrency 1, 10, 50, 100. Each new email is a new
 * Registrant object (its own SQLite database) plus an email job and an index row. Reported
 * next to the empty route at the same concurrency, for Swagbox, for the seed's design, and
 * for the floor: a Worker whose signup only creates one SQLite object and inserts one row
 * (bench/floor), the least any design with an object per registrant can do.
 * Checks: every signup answered 202, and the provider got exactly one email per signup.
 */
import {
  ceiling, check, checkStatuses, combine, FORM, idleRuntimeCpu, load, log, now, OUTBOX_CHECKED_MS, round, runtimeCpuMs, signupBody, sleep, startWorker, until,
} from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";
import { linePlot } from "../lib/svg.mjs";

const LEVELS = [1, 10, 50, 100];
const SECONDS = Number(process.env.BENCH_SIGNUP_SECONDS ?? 6);
const GOAL = 0.4;
/** Issue 13: signups at least this share of the floor's rate, each against its own empty route. */
const FLOOR_GOAL = 0.8;

const JSON_FORM = { accept: "application/json", "content-type": FORM };
const SWAGBOX = "#f6821f";
const SEED = "#8250df";
const FLOOR = "#57606a";

function signups(target, connections, seconds, email) {
  return load({ url: target.url, method: "POST", path: "/signup", headers: JSON_FORM, connections, duration: seconds, request: (i) => ({ body: signupBody(email(i)) }) });
}

/**
 * One worker at every level: its empty route, signups, the email backlog drained, the empty
 * route again. `emails: false` for the floor, which sends none.
 */
async function storm(name, target, stub, run, { emails = true } = {}) {
  log(`${name}: warming up`);
  await ceiling(target.url, { connections: 10, duration: 2 });
  await signups(target, 10, 2, (i) => `u${i}@warm-${run}.${name}.bench`);
  await stub.drained(0, { quietMs: 2500 });

  const levels = [];
  for (const c of LEVELS) {
    const domain = `c${c}-${run}.${name}.bench`;
    // The empty route half before the signups and half after their background work (emails,
    // index rows) has drained: a drift of the machine touches both alike, and no backlog of
    // the signups is left to slow the ceiling down.
    const before = await ceiling(target.url, { connections: c, duration: SECONDS / 2 });
    const cpuBefore = runtimeCpuMs(target.pid);
    const result = await signups(target, c, SECONDS, (i) => `u${i}@${domain}`);
    const ended = now();
    // Complete for the floor and the seed, whose signups leave nothing behind them; not for Swagbox.
    const answeredCpuMs = (runtimeCpuMs(target.pid) - cpuBefore) / result.requests;
    checkStatuses(`${name} signups at ${c}`, result.statuses, [202]);
    check(result.errors === 0 && result.timeouts === 0, `${name} signups at ${c}: ${result.errors} errors, ${result.timeouts} timeouts`);
    if (!emails) {
      const empty = combine([before, await ceiling(target.url, { connections: c, duration: SECONDS / 2 })]);
      log(`${name} c=${c}: ${round(result.throughput)} signups/s (empty route ${round(empty.throughput)}/s)`);
      levels.push({ connections: c, empty, signups: result, ratio: result.throughput / empty.throughput, answeredCpuMs });
      continue;
    }
    // A timed run stops with requests in flight that the Worker may still complete: each
    // answered signup must have its email, and no address more than one.
    await until(`emails for the signups at ${c}`, async () => (await stub.recipients(`@${domain}`)).recipients >= result.requests, 120_000, 100);
    const drainMs = now() - ended;
    // Longer than the queue's batch timeout (2 s), so a late duplicate would show.
    await stub.drained(0, { quietMs: 2500 });
    const got = await stub.recipients(`@${domain}`);
    check(
      got.recipients >= result.requests && got.recipients <= result.sent && got.fewest === 1 && got.most === 1,
      `${name} at ${c}: ${result.requests} signups answered (${result.sent} sent), but ${got.recipients} addresses got emails, ` +
        `${got.fewest} to ${got.most} distinct emails each`,
    );
    const empty = combine([before, await ceiling(target.url, { connections: c, duration: SECONDS / 2 })]);
    checkStatuses(`${name} /healthz at ${c}`, empty.statuses, [200]);
    log(`${name} c=${c}: ${round(result.throughput)} signups/s (empty route ${round(empty.throughput)}/s), p50 ${result.p50} ms, p99 ${result.p99} ms`);
    levels.push({ connections: c, empty, signups: result, ratio: result.throughput / empty.throughput, emailed: got.recipients, drainMs, answeredCpuMs });
  }
  return levels;
}

/**
 * Swagbox at concurrency 10: which part of a signup costs what, each next to the empty
 * route, with the runtime's CPU time per request; then the seed's new signups, measured
 * the same way on its own runtime. For Swagbox's new signups the CPU is read once their
 * emails are out (the queue consumers, the provider call and D1 included), and again once
 * each Registrant has checked that work's effect (its alarm, OUTBOX_CONFIRM_SECONDS to
 * twice that later), less what the runtime uses idle over that wait: everything a signup
 * causes. The seed sends its email inside the request, so its CPU is complete once answered.
 */
async function breakdown(target, seedTarget, stub, run) {
  const seconds = 4;
  const measured = async (worker, send, settle = async () => {}) => {
    const before = runtimeCpuMs(worker.pid);
    const result = await send();
    await settle(result);
    return { ...result, cpuMs: (runtimeCpuMs(worker.pid) - before) / result.requests };
  };
  const empty = await measured(target, () => ceiling(target.url, { connections: 10, duration: seconds }));
  const again = await measured(target, () => signups(target, 10, seconds, () => `again-${run}@swagbox.bench`));
  const link = await measured(target, () =>
    load({
      url: target.url, method: "POST", path: "/link", headers: JSON_FORM, connections: 10, duration: seconds,
      request: (i) => ({ body: new URLSearchParams({ email: `nobody-${run}-${i}@swagbox.bench` }).toString() }),
    }),
  );
  const seedEmpty = await measured(seedTarget, () => ceiling(seedTarget.url, { connections: 10, duration: seconds }));
  const seedFresh = await measured(seedTarget, () => signups(seedTarget, 10, seconds, (i) => `u${i}@parts-${run}.seed.bench`));
  await stub.drained(0, { quietMs: 2500 });

  const idleMsPerS = await idleRuntimeCpu(target.pid);
  const domain = `parts-${run}.swagbox.bench`;
  const before = runtimeCpuMs(target.pid);
  const fresh = await signups(target, 10, seconds, (i) => `u${i}@${domain}`);
  const answered = now();
  await until("emails for the breakdown's signups", async () => (await stub.recipients(`@${domain}`)).recipients >= fresh.requests, 120_000, 100);
  fresh.cpuMs = (runtimeCpuMs(target.pid) - before) / fresh.requests;
  const waitMs = Math.max(0, answered + OUTBOX_CHECKED_MS - now());
  log(`breakdown: waiting ${round(waitMs / 1000)} s for the new signups' outboxes to check their work`);
  await sleep(waitMs);
  fresh.checkedCpuMs = (runtimeCpuMs(target.pid) - before - (idleMsPerS * waitMs) / 1000) / fresh.requests;

  checkStatuses("repeat signups", again.statuses, [202]);
  checkStatuses("/link for unknown emails", link.statuses, [202]);
  checkStatuses("new signups", fresh.statuses, [202]);
  checkStatuses("seed new signups", seedFresh.statuses, [202]);
  return { empty, again, link, fresh, seedEmpty, seedFresh, idleMsPerS };
}

const scenario = {
  id: "1-signup-storm",
  title: "1. Signup storm",
  uses: ["swagbox", "baseline"],
  async run({ swagbox, baseline, stub }) {
    const run = Date.now().toString(36);
    const ours = await storm("swagbox", swagbox, stub, run);
    const seed = await storm("seed", baseline, stub, run);
    log("starting the floor worker");
    const floorWorker = await startWorker({ worker: "floor", stub });
    const floor = await storm("floor", floorWorker, stub, run, { emails: false }).finally(() => floorWorker.stop());
    const parts = await breakdown(swagbox, baseline, stub, run);

    const rows = ours.map((l, i) => {
      const s = seed[i];
      return [
        l.connections,
        round(l.signups.throughput), round(l.empty.throughput), round(l.ratio, 2), `${l.signups.p50} / ${l.signups.p99}`, round(l.drainMs / 1000, 1),
        round(s.signups.throughput), round(s.empty.throughput), round(s.ratio, 2), `${s.signups.p50} / ${s.signups.p99}`,
        round(floor[i].signups.throughput), round(floor[i].empty.throughput), round(floor[i].ratio, 2), round(l.ratio / floor[i].ratio, 2),
      ];
    });
    const summary = ours.map((l, i) => [
      "1", `signups/s at concurrency ${l.connections}`, round(l.signups.throughput), round(l.empty.throughput), round(l.ratio, 2),
      `${round(seed[i].signups.throughput)} (${round(seed[i].ratio, 2)})`, `ratio ≥ ${GOAL}`, l.ratio >= GOAL ? "yes" : "no",
    ]);
    summary.push([
      "1", "floor: one new SQLite object per request, ratio at concurrency 1 / 10 / 50 / 100", "–", "–",
      floor.map((l) => round(l.ratio, 2)).join(" / "), "–", "–", "–",
    ]);
    const ofFloor = ours.map((l, i) => l.ratio / floor[i].ratio);
    summary.push([
      "1", "Swagbox ratio ÷ floor ratio at concurrency 1 / 10 / 50 / 100", "–", "–",
      ofFloor.map((r) => round(r, 2)).join(" / "), "–", `≥ ${FLOOR_GOAL}`, ofFloor.every((r) => r >= FLOOR_GOAL) ? "yes" : "no",
    ]);
    summary.push([
      "1", "runtime CPU ms per new signup, everything it causes (empty route's in the ceiling column)", round(parts.fresh.checkedCpuMs, 2), round(parts.empty.cpuMs, 2), "–",
      `${round(parts.seedFresh.cpuMs, 2)} (empty route ${round(parts.seedEmpty.cpuMs, 2)})`, "≤ the seed's", parts.fresh.checkedCpuMs <= parts.seedFresh.cpuMs ? "yes" : "no",
    ]);
    const floorAt10 = floor.find((l) => l.connections === 10);
    const partRow = (what, r, cpuMs = r.cpuMs, empty = parts.empty) => [what, round(r.throughput), round(r.throughput / empty.throughput, 2), r.p50, r.p99, round(cpuMs, 2)];
    return {
      summary,
      tables: [
        {
          caption: `Each level: the empty route for ${SECONDS / 2} s, signups for ${SECONDS} s, then (once every email is out) the empty route for ${SECONDS / 2} s more; latency in ms (p50 / p99). "email drain" is how long after the last signup the provider had every email.`,
          columns: [
            "concurrency", "Swagbox signups/s", "empty route/s", "ratio", "p50 / p99 ms", "email drain s",
            "seed signups/s", "seed empty route/s", "seed ratio", "seed p50 / p99 ms",
            "floor signups/s", "floor empty route/s", "floor ratio", "Swagbox ratio ÷ floor ratio",
          ],
          rows,
        },
        {
          caption: "Where a signup's cost goes, at concurrency 10 (4 s each). Runtime CPU: workerd's user + system time per request, each design's on its own runtime; \"÷ empty route\" is against the same design's.",
          columns: ["request", "req/s", "÷ empty route", "p50 ms", "p99 ms", "runtime CPU ms per request"],
          rows: [
            partRow("GET /healthz (empty route)", parts.empty),
            partRow("POST /signup, email already registered (object exists, throttled: no write)", parts.again),
            partRow("POST /link, unknown email (creates an object and its schema, no row)", parts.link),
            partRow("POST /signup, new email (new object, row, outbox; then the email job through the queue to the provider, the index row and the email log in D1), CPU read once its email is out", parts.fresh),
            partRow(`the same signups, CPU read once each Registrant's alarm had checked that work in D1 (${OUTBOX_CHECKED_MS / 1000} s after the last one; the runtime's idle CPU over the wait taken off): everything a signup causes`, parts.fresh, parts.fresh.checkedCpuMs),
            partRow("seed: GET /healthz (empty route)", parts.seedEmpty, parts.seedEmpty.cpuMs, parts.seedEmpty),
            partRow("seed: POST /signup, new email (KV read and write, the email sent inside the request): everything a signup causes", parts.seedFresh, parts.seedFresh.cpuMs, parts.seedEmpty),
            partRow(`floor: POST /signup (one new SQLite object, one row; its storm at concurrency ${floorAt10.connections}, ${SECONDS} s): everything a signup causes`, floorAt10.signups, floorAt10.answeredCpuMs, floorAt10.empty),
          ],
        },
      ],
      checks: [
        { what: "every signup answered 202", ok: true, detail: `${ours.reduce((a, l) => a + l.signups.requests, 0)} Swagbox, ${seed.reduce((a, l) => a + l.signups.requests, 0)} seed` },
        { what: "every answered signup's address got exactly one email at the provider (distinct idempotency keys), no address more", ok: true, detail: "checked at every level, for both designs, after the queue drained" },
      ],
      notes: [
        "The seed sends its email inside the request, so its figures include a provider round trip (0 ms delay here).",
        "The load generator (autocannon) and the runtime share the same 2 cores.",
      ],
      plots: [
        {
          file: "signup-throughput.svg",
          title: "Signups per second vs concurrency",
          svg: linePlot({
            title: "Signup storm: requests/s vs concurrency (same run)",
            xLabel: "concurrent connections",
            yLabel: "requests per second",
            logX: true,
            series: [
              { name: "Swagbox empty route", points: ours.map((l) => [l.connections, round(l.empty.throughput)]), dashed: true, colour: SWAGBOX },
              { name: "Swagbox signups", points: ours.map((l) => [l.connections, round(l.signups.throughput)]), colour: SWAGBOX },
              { name: "seed empty route", points: seed.map((l) => [l.connections, round(l.empty.throughput)]), dashed: true, colour: SEED },
              { name: "seed signups", points: seed.map((l) => [l.connections, round(l.signups.throughput)]), colour: SEED },
            ],
          }),
        },
        {
          file: "signup-ratio.svg",
          title: "Signups per second ÷ the empty route's, vs concurrency",
          svg: linePlot({
            title: "Signup storm: signups/s ÷ empty route/s (same run)",
            xLabel: "concurrent connections",
            yLabel: "ratio to the ceiling",
            logX: true,
            series: [
              { name: "Swagbox", points: ours.map((l) => [l.connections, round(l.ratio, 3)]), colour: SWAGBOX },
              { name: "seed design", points: seed.map((l) => [l.connections, round(l.ratio, 3)]), colour: SEED },
              { name: "floor (new object)", points: floor.map((l) => [l.connections, round(l.ratio, 3)]), dashed: true, colour: FLOOR },
            ],
            goal: { y: GOAL, label: `goal: ≥ ${GOAL}` },
          }),
        },
        {
          file: "signup-latency.svg",
          title: "Signup latency vs concurrency",
          svg: linePlot({
            title: "Signup storm: latency vs concurrency",
            xLabel: "concurrent connections",
            yLabel: "milliseconds",
            logX: true,
            series: [
              { name: "Swagbox p50", points: ours.map((l) => [l.connections, l.signups.p50]), colour: SWAGBOX },
              { name: "Swagbox p99", points: ours.map((l) => [l.connections, l.signups.p99]), dashed: true, colour: SWAGBOX },
              { name: "seed p50", points: seed.map((l) => [l.connections, l.signups.p50]), colour: SEED },
              { name: "seed p99", points: seed.map((l) => [l.connections, l.signups.p99]), dashed: true, colour: SEED },
            ],
          }),
        },
      ],
      data: { swagbox: ours, seed, floor, breakdown: parts },
    };
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
