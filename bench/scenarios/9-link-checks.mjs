/**
 * 9. Link checks: signups and submissions per second with network link checks on, next to
 * checks off, in the same run. Two Swagbox Workers: one as development runs it
 * (LINK_CHECKS=off: static checks only), one with LINK_CHECKS=on and LINK_CHECK_STUB
 * pointed at the provider stub, which answers DNS, GitHub's API and the demos in the
 * Internet's place (bench/lib/link-answers.mjs; nothing reaches a real host). Each submits
 * the same number of entrants; the runtime's CPU per submission is read once every check is
 * recorded, so it includes the check jobs.
 * Checks: every request answered as it should, and every submission's check recorded with
 * the status its mode gives (unchecked; live and public).
 */
import { check, checkStatuses, FORM, load, log, ORGANISER, pool, round, runtimeCpuMs, signupBody, startWorker, until } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";

const ENTRANTS = Number(process.env.BENCH_CHECK_ENTRANTS ?? 300);
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

/** Every submitted entry's check, once all are recorded: the statuses seen, by count. */
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

/** One mode: N signups, their links from the emails, N submissions, every check recorded. */
async function measure(name, swagbox, stub, tag, expected) {
  const email = (i) => `e${i}@${tag}.checks.bench`;
  log(`${name}: ${ENTRANTS} signups`);
  const signups = await load({ url: swagbox.url, method: "POST", path: "/signup", headers: JSON_FORM, connections: CONNECTIONS, amount: ENTRANTS, request: (i) => ({ body: signupBody(email(i)) }) });
  checkStatuses(`${name} signups`, signups.statuses, [202]);
  const codes = await pool(ENTRANTS, 20, (i) =>
    until(`the link emailed to ${email(i)}`, async () => (await stub.emails(email(i))).map((e) => CODE.exec(e.text)?.[1]).find(Boolean), 120_000, 200),
  );
  const before = runtimeCpuMs(swagbox.pid);
  log(`${name}: ${ENTRANTS} submissions`);
  const submissions = await load({
    url: swagbox.url, method: "POST", path: "/submit", headers: JSON_FORM, connections: CONNECTIONS, amount: ENTRANTS,
    request: (i) => ({ body: submission(codes[i], i, tag) }),
  });
  checkStatuses(`${name} submissions`, submissions.statuses, [201]);
  const seen = await checksRecorded(swagbox, ENTRANTS, expected);
  const cpuMs = (runtimeCpuMs(swagbox.pid) - before) / ENTRANTS;
  log(`${name}: ${round(signups.throughput)} signups/s, ${round(submissions.throughput)} submissions/s, ${round(cpuMs, 2)} ms runtime CPU per submission; checks ${JSON.stringify(seen)}`);
  return { signups, submissions, cpuMs, seen };
}

const scenario = {
  id: "9-link-checks",
  title: "9. Link checks on and off",
  uses: [],
  async run({ build, stub }) {
    const run = Date.now().toString(36);
    const modes = [
      { name: "checks off", vars: {}, expected: "unchecked/unchecked" },
      { name: "checks on", vars: { LINK_CHECKS: "on", LINK_CHECK_STUB: `http://127.0.0.1:${stub.port}` }, expected: "live/public" },
    ];
    const results = [];
    for (const [i, mode] of modes.entries()) {
      log(`starting Swagbox with ${mode.name}`);
      const swagbox = await startWorker({ worker: "swagbox", stub, buildDir: build.outdir, vars: mode.vars });
      try {
        results.push({ ...mode, ...(await measure(mode.name, swagbox, stub, `m${i}-${run}`, mode.expected)) });
      } finally {
        await swagbox.stop();
      }
    }
    const [off, on] = results;
    check(off.seen[off.expected] === ENTRANTS && on.seen[on.expected] === ENTRANTS, `checks recorded: off ${JSON.stringify(off.seen)}, on ${JSON.stringify(on.seen)}`);
    const row = (r) => [r.name, round(r.signups.throughput), `${r.signups.p50} / ${r.signups.p99}`, round(r.submissions.throughput), `${r.submissions.p50} / ${r.submissions.p99}`, round(r.cpuMs, 2)];
    return {
      summary: [
        ["9", "signups/s, checks on (off)", round(on.signups.throughput), "–", round(on.signups.throughput / off.signups.throughput, 2), `${round(off.signups.throughput)}`, "–", "–"],
        ["9", "submissions/s, checks on (off)", round(on.submissions.throughput), "–", round(on.submissions.throughput / off.submissions.throughput, 2), `${round(off.submissions.throughput)}`, "–", "–"],
      ],
      tables: [
        {
          caption: `${ENTRANTS} entrants per mode at concurrency ${CONNECTIONS}: signups, then (with the links from their emails) submissions; latency in ms (p50 / p99). Runtime CPU: workerd's user + system time from the first submission until every check was recorded, per submission, so it includes the check jobs, emails and index rows.`,
          columns: ["mode", "signups/s", "signup p50 / p99 ms", "submissions/s", "submission p50 / p99 ms", "runtime CPU ms per submission"],
          rows: results.map(row),
        },
      ],
      checks: [
        { what: "every signup answered 202 and every submission 201", ok: true, detail: `${ENTRANTS} of each, in both modes` },
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
