/**
 * 9. Link checks: signups and submissions per second with network link checks on, next to
 * checks off, in the same run. Two Swagbox Workers: one as development runs it
 * (LINK_CHECKS=off: static checks only), one with LINK_CHECKS=on and LINK_CHECK_STUB
 * pointed at the provider stub, which answers DNS, GitHub's API and the demos in the
 * Internet's place (bench/lib/link-answers.mjs; nothing reaches a real host). Both run side
 * by side, warmed up, and are measured in alternating rounds (off, on, then on, off), so that
 * a drift of this shared machine touches both alike. The runtime's CPU per submission is
 * read once every check of a round is recorded, so it includes the check jobs.
 * Checks: every request answered as it should, and every submission's check recorded with
 * the status its mode gives (unchecked; live and public).
 */
import { check, checkStatuses, combine, FORM, load, log, now, ORGANISER, pool, round, runtimeCpuMs, signupBody, startWorker, until } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";

/** Entrants per mode, over ROUNDS rounds. */
const ENTRANTS = Number(process.env.BENCH_CHECK_ENTRANTS ?? 600);
const ROUNDS = 2;
const WARM_UP = 20;
const CONNECTIONS = 10;
const CODE = /\/submit\?code=([0-9a-f]{64}\.[A-Za-z0-9_-]+)/;
const JSON_FORM = { accept: "application/json", "content-type": FORM };

function submission(code, i, tag) {
  const form = new URLSearchParams({
    code,
    title: `Checked project ${i}`,
    description: "A bench project whose links Swagbox checks.",
    repo_url: `https://github.com/bench/${tag}-${i}`,
    demo_url: `https://${tag}-${i}.example.com/`,
    confirm_original: "on",
  });
  form.append("products", "workers");
  form.append("products", "kv");
  return form.toString();
}

/** Every submitted entry's check, once `n` have `demo` (`<demo status>/<repo status>`): the statuses seen, by count. */
async function checksRecorded(swagbox, n, demo) {
  return until(`${n} link checks recorded`, async () => {
    const seen = {};
    let cursor = null;
    do {
      const response = await fetch(`${swagbox.url}/admin/api/entries?status=submitted&limit=200${cursor ? `&cursor=${cursor}` : ""}`, { headers: ORGANISER });
      const page = await response.json();
      for (const entry of page.entries) seen[`${entry.demo_status}/${entry.repo_status}`] = (seen[`${entry.demo_status}/${entry.repo_status}`] ?? 0) + 1;
      cursor = page.next;
    } while (cursor);
    return (seen[demo] ?? 0) >= n ? seen : undefined;
  }, 300_000, 500);
}

/** A bounded load, timed here: autocannon reports whole seconds, too coarse for a few hundred requests. */
async function timed(options) {
  const started = now();
  const result = await load(options);
  return { ...result, wallSeconds: (now() - started) / 1000 };
}

/** Requests per second over several timed loads. */
const rate = (runs) => runs.reduce((a, r) => a + r.requests, 0) / runs.reduce((a, r) => a + r.wallSeconds, 0);

/**
 * One round of one mode: `n` signups, their links from the emails, `n` submissions, every
 * check recorded (`total` of them so far), the email backlog drained.
 */
async function measureRound(mode, stub, n, tag, total) {
  const { name, swagbox, expected } = mode;
  const email = (i) => `e${i}@${tag}.checks.bench`;
  const signups = await timed({ url: swagbox.url, method: "POST", path: "/signup", headers: JSON_FORM, connections: CONNECTIONS, amount: n, request: (i) => ({ body: signupBody(email(i)) }) });
  checkStatuses(`${name} signups`, signups.statuses, [202]);
  const codes = await pool(n, 20, (i) =>
    until(`the link emailed to ${email(i)}`, async () => (await stub.emails(email(i))).map((e) => CODE.exec(e.text)?.[1]).find(Boolean), 120_000, 200),
  );
  const before = runtimeCpuMs(swagbox.pid);
  const submissions = await timed({
    url: swagbox.url, method: "POST", path: "/submit", headers: JSON_FORM, connections: CONNECTIONS, amount: n,
    request: (i) => ({ body: submission(codes[i], i, tag) }),
  });
  checkStatuses(`${name} submissions`, submissions.statuses, [201]);
  const seen = await checksRecorded(swagbox, total, expected);
  const cpuMs = runtimeCpuMs(swagbox.pid) - before;
  await stub.drained(0, { quietMs: 1_500 });
  log(`${name} (${tag}): ${round(rate([signups]))} signups/s, ${round(rate([submissions]))} submissions/s, ${round(cpuMs / n, 2)} ms runtime CPU per submission`);
  return { signups, submissions, cpuMs, seen };
}

const scenario = {
  id: "10-link-checks",
  title: "10. Link checks on and off",
  uses: [],
  async run({ build, stub }) {
    const run = Date.now().toString(36);
    const modes = [
      { name: "checks off", vars: {}, expected: "unchecked/unchecked" },
      { name: "checks on", vars: { LINK_CHECKS: "on", LINK_CHECK_STUB: `http://127.0.0.1:${stub.port}` }, expected: "live/public" },
    ];
    const perRound = Math.ceil(ENTRANTS / ROUNDS);
    try {
      for (const mode of modes) {
        log(`starting Swagbox with ${mode.name}`);
        mode.swagbox = await startWorker({ worker: "swagbox", stub, buildDir: build.outdir, vars: mode.vars });
        mode.rounds = [];
        await measureRound(mode, stub, WARM_UP, `warm-${mode.vars.LINK_CHECKS ?? "off"}-${run}`, WARM_UP);
      }
      for (let r = 0; r < ROUNDS; r++) {
        for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) {
          const done = WARM_UP + perRound * (r + 1);
          mode.rounds.push(await measureRound(mode, stub, perRound, `r${r}-${mode.vars.LINK_CHECKS ?? "off"}-${run}`, done));
        }
      }
    } finally {
      for (const mode of modes) await mode.swagbox?.stop();
    }
    const results = modes.map((mode) => ({
      name: mode.name,
      expected: mode.expected,
      seen: mode.rounds.at(-1).seen,
      signups: { ...combine(mode.rounds.map((r) => r.signups)), throughput: rate(mode.rounds.map((r) => r.signups)) },
      submissions: { ...combine(mode.rounds.map((r) => r.submissions)), throughput: rate(mode.rounds.map((r) => r.submissions)) },
      cpuMs: mode.rounds.reduce((a, r) => a + r.cpuMs, 0) / (perRound * ROUNDS),
    }));
    const [off, on] = results;
    const all = WARM_UP + perRound * ROUNDS;
    check(off.seen[off.expected] === all && on.seen[on.expected] === all, `checks recorded: off ${JSON.stringify(off.seen)}, on ${JSON.stringify(on.seen)}`);
    const row = (r) => [r.name, round(r.signups.throughput), `${r.signups.p50} / ${r.signups.p99}`, round(r.submissions.throughput), `${r.submissions.p50} / ${r.submissions.p99}`, round(r.cpuMs, 2)];
    return {
      summary: [
        ["10", "signups/s, checks on (off)", round(on.signups.throughput), "–", round(on.signups.throughput / off.signups.throughput, 2), `${round(off.signups.throughput)}`, "–", "–"],
        ["10", "submissions/s, checks on (off)", round(on.submissions.throughput), "–", round(on.submissions.throughput / off.submissions.throughput, 2), `${round(off.submissions.throughput)}`, "–", "–"],
      ],
      tables: [
        {
          caption: `${perRound * ROUNDS} entrants per mode (after ${WARM_UP} to warm up), in ${ROUNDS} alternating rounds, at concurrency ${CONNECTIONS}: signups, then (with the links from their emails) submissions; latency in ms (p50 / p99). Runtime CPU: workerd's user + system time from a round's first submission until every check was recorded, per submission, so it includes the check jobs, emails and index rows.`,
          columns: ["mode", "signups/s", "signup p50 / p99 ms", "submissions/s", "submission p50 / p99 ms", "runtime CPU ms per submission"],
          rows: results.map(row),
        },
      ],
      checks: [
        { what: "every signup answered 202 and every submission 201", ok: true, detail: `${all} of each, in both modes` },
        { what: "every submission's links checked: unchecked with checks off; live and public with checks on, through the stub", ok: true, detail: `off ${JSON.stringify(off.seen)}, on ${JSON.stringify(on.seen)}` },
      ],
      notes: [
        "With checks on, each check asks the stub for the repository (GitHub's API), the demo's A and AAAA records and the demo: four requests, each a hop through the runtime's outbound Worker to the stub on this machine.",
        "Signups do not queue a check; their figures show the two Workers' run-to-run difference.",
      ],
      data: { off, on },
    };
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
