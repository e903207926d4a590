/**
 * 1. Signup storm: distinct emails at concurrency 1, 10, 50, 100. Each new email is a new
 * Registrant object (its own SQLite database) plus an email job and an index row. Reported
 * next to the empty route at the same concurrency, for Swagbox, for the seed's design, and
 * for the floor: a Worker whose signup only creates one SQLite object and inserts one row
 * (bench/floor), the least any design with an object per registrant can do.
 * Checks: every signup answered 202, and the provider got exactly one email per signup.
 */
import { ceiling, check, checkStatuses, combine, FORM, load, log, now, round, runtimeCpuMs, signupBody, startWorker, until } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";
import { linePlot } from "../lib/svg.mjs";

const LEVELS = [1, 10, 50, 100];
const SECONDS = Number(process.env.BENCH_SIGNUP_SECONDS ?? 6);
const GOAL = 0.4;

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
    const result = await signups(target, c, SECONDS, (i) => `u${i}@${domain}`);
    const ended = now();
    checkStatuses(`${name} signups at ${c}`, result.statuses, [202]);
    check(result.errors === 0 && result.timeouts === 0, `${name} signups at ${c}: ${result.errors} errors, ${result.timeouts} timeouts`);
    if (!emails) {
      const empty = combine([before, await ceiling(target.url, { connections: c, duration: SECONDS / 2 })]);
      log(`${name} c=${c}: ${round(result.throughput)} signups/s (empty route ${round(empty.throughput)}/s)`);
      levels.push({ connections: c, empty, signups: result, ratio: result.throughput / empty.throughput });
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
    levels.push({ connections: c, empty, signups: result, ratio: result.throughput / empty.throughput, emailed: got.recipients, drainMs });
  }
  return levels;
}

/**
 * Swagbox at concurrency 10: which part of a signup costs what, each next to the empty
 * route, with the runtime's CPU time per request. For new signups the CPU is read once
 * their emails are out, so it includes the queue consumer, the provider call and D1.
 */
async function breakdown(target, stub, run) {
  const seconds = 4;
  const measured = async (send, settle = async () => {}) => {
    const before = runtimeCpuMs(target.pid);
    const result = await send();
    await settle(result);
    return { ...result, cpuMs: (runtimeCpuMs(target.pid) - before) / result.requests };
  };
  const empty = await measured(() => ceiling(target.url, { connections: 10, duration: seconds }));
  const again = await measured(() => signups(target, 10, seconds, () => `again-${run}@swagbox.bench`));
  const link = await measured(() =>
    load({
      url: target.url, method: "POST", path: "/link", headers: JSON_FORM, connections: 10, duration: seconds,
      request: (i) => ({ body: new URLSearchParams({ email: `nobody-${run}-${i}@swagbox.bench` }).toString() }),
    }),
  );
  await stub.drained(0, { quietMs: 2500 });
  const domain = `parts-${run}.swagbox.bench`;
  const fresh = await measured(
    () => signups(target, 10, seconds, (i) => `u${i}@${domain}`),
    (result) => until("emails for the breakdown's signups", async () => (await stub.recipients(`@${domain}`)).recipients >= result.requests, 120_000, 100),
  );
  checkStatuses("repeat signups", again.statuses, [202]);
  checkStatuses("/link for unknown emails", link.statuses, [202]);
  checkStatuses("new signups", fresh.statuses, [202]);
  return { empty, again, link, fresh };
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
    const parts = await breakdown(swagbox, stub, run);

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
    const partRow = (what, r) => [what, round(r.throughput), round(r.throughput / parts.empty.throughput, 2), r.p50, r.p99, round(r.cpuMs, 2)];
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
          caption: "Where a Swagbox signup's cost goes, at concurrency 10 (4 s each). Runtime CPU: workerd's user + system time per request; for new signups, read once their emails were out.",
          columns: ["request", "req/s", "÷ empty route", "p50 ms", "p99 ms", "runtime CPU ms per request"],
          rows: [
            partRow("GET /healthz (empty route)", parts.empty),
            partRow("POST /signup, email already registered (object exists, throttled: no write)", parts.again),
            partRow("POST /link, unknown email (creates an object and its schema, no row)", parts.link),
            partRow("POST /signup, new email (new object, row, outbox; then the email job through the queue to the provider, the index row and the email log in D1)", parts.fresh),
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
