/**
 * 3. Slow email provider: signups at concurrency 10 while the provider stub answers at
 * once, then while it takes 500 ms. Swagbox queues the email (Resend provider, pointed at
 * the stub), so its signup latency should not move; the seed sends inside the request.
 * Checks: every signup 202, and once the provider is fast again every address gets exactly
 * one email.
 */
import { check, checkStatuses, FORM, load, log, round, signupBody, until } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";

const SLOW_MS = 500;
const SECONDS = Number(process.env.BENCH_SLOW_SECONDS ?? 5);
const CONNECTIONS = 10;
const GOAL = 1.2;

async function signups(target, stub, domain) {
  const before = await stub.state();
  const result = await load({
    url: target.url, method: "POST", path: "/signup", headers: { accept: "application/json", "content-type": FORM },
    connections: CONNECTIONS, duration: SECONDS, request: (i) => ({ body: signupBody(`u${i}@${domain}`) }),
  });
  const after = await stub.state();
  checkStatuses(`signups at ${domain}`, result.statuses, [202]);
  // Emails the provider received while the signups ran (it counts a post when it arrives).
  return { ...result, emailsPerSecond: (after.posts - before.posts) / result.seconds };
}

async function measure(name, target, stub, run) {
  const results = {};
  for (const delay of [0, SLOW_MS]) {
    await stub.setDelay(delay);
    results[delay] = await signups(target, stub, `d${delay}-${run}.${name}.bench`);
    log(`${name}, provider ${delay} ms: p50 ${results[delay].p50} ms, p99 ${results[delay].p99} ms, ${round(results[delay].throughput)} signups/s`);
  }
  await stub.setDelay(0);
  return { fast: results[0], slow: results[SLOW_MS], ratio: results[SLOW_MS].p50 / Math.max(results[0].p50, 1) };
}

const scenario = {
  id: "3-slow-provider",
  title: "3. Slow email provider",
  uses: ["swagbox", "baseline"],
  async run({ swagbox, baseline, stub }) {
    const run = Date.now().toString(36);
    await stub.drained(0, { quietMs: 2500 });
    const ours = await measure("swagbox", swagbox, stub, run);
    // Nothing is lost while the provider was slow: with it fast again, the backlog drains
    // (before the seed runs, so that its window counts only its own emails).
    const { total: swagboxEmailed, seconds: drainSeconds } = await waitForAll(stub, run, [["swagbox", 0, ours.fast], ["swagbox", SLOW_MS, ours.slow]]);
    const seed = await measure("seed", baseline, stub, run);
    const { total: seedEmailed } = await waitForAll(stub, run, [["seed", 0, seed.fast], ["seed", SLOW_MS, seed.slow]]);
    const answered = ours.fast.requests + ours.slow.requests + seed.fast.requests + seed.slow.requests;

    const row = (name, r) => [
      name, `${r.fast.p50} / ${r.fast.p99}`, `${r.slow.p50} / ${r.slow.p99}`, round(r.ratio, 2),
      `${round(r.fast.throughput)} → ${round(r.slow.throughput)}`, `${round(r.fast.emailsPerSecond)} → ${round(r.slow.emailsPerSecond, 1)}`,
    ];
    return {
      summary: [
        ["3", `signup p50 with a ${SLOW_MS} ms provider ÷ with a 0 ms one`, round(ours.ratio, 2), "–", "–", round(seed.ratio, 1), `≤ ${GOAL}`, ours.ratio <= GOAL ? "yes" : "no"],
      ],
      tables: [
        {
          caption: `Concurrency ${CONNECTIONS}, ${SECONDS} s per provider delay; latency in ms (p50 / p99).`,
          columns: ["design", "provider 0 ms", `provider ${SLOW_MS} ms`, "p50 ratio", "signups/s", "emails/s at the provider"],
          rows: [row("Swagbox (email queued)", ours), row("seed (email sent inside the request)", seed)],
        },
      ],
      checks: [
        { what: "every signup answered 202 with the provider fast and slow", ok: true, detail: `${answered} signups` },
        { what: "after the provider was fast again, every answered signup's address had exactly one email", ok: true, detail: `${swagboxEmailed + seedEmailed} addresses; Swagbox's backlog was gone ${round(drainSeconds, 1)} s after the provider was fast again` },
      ],
      notes: [
        `While the provider took ${SLOW_MS} ms, Swagbox's queue consumer delivered ${round(ours.slow.emailsPerSecond, 1)} emails/s locally: each queue batch (up to 100 jobs, or what arrived within the 2 s batch wait) is one request to the provider, and the local runtime runs one consumer invocation at a time; the signups themselves did not wait.`,
      ],
      data: { swagbox: ours, seed, drainSeconds },
    };
  },
};

/**
 * Waits until every run's answered signups have their one email; returns how many addresses,
 * and how long until the last one arrived.
 */
async function waitForAll(stub, run, runs) {
  const started = Date.now();
  for (const [name, delay, result] of runs) {
    const domain = `@d${delay}-${run}.${name}.bench`;
    await until(`emails for ${name} with a ${delay} ms provider`, async () => (await stub.recipients(domain)).recipients >= result.requests, 120_000);
  }
  const seconds = (Date.now() - started) / 1000;
  // Longer than the queue's batch timeout (2 s), so a late duplicate would show.
  await stub.drained(0, { quietMs: 2500 });
  let total = 0;
  for (const [name, delay, result] of runs) {
    const got = await stub.recipients(`@d${delay}-${run}.${name}.bench`);
    check(
      got.recipients >= result.requests && got.recipients <= result.sent && got.fewest === 1 && got.most === 1,
      `${name} with a ${delay} ms provider: ${result.requests} signups answered, ${got.recipients} addresses emailed (${got.fewest} to ${got.most} each)`,
    );
    total += got.recipients;
  }
  return { total, seconds };
}

export default scenario;
await standalone(import.meta.url, scenario);
