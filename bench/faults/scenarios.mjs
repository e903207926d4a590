/**
 * The faults of issue 11's table, each played against a real local runtime (and one more:
 * a provider that swallows requests). A scenario plays its fault in its own lab, waits for
 * the work of every answered request, and returns the census its invariants are checked
 * on, with what it measured. `before` is what the issue measured on the code before.
 */
import { check, log, now, ORGANISER, round, sleep, until } from "../lib/harness.mjs";
import { createEntrants, entrantEmail } from "../lib/entrants.mjs";
import { NO_ANSWER, NOT_SENT, SUBJECTS, tally } from "./lab.mjs";

const SIGNUPS = 500;
const CONCURRENCY = 20;
/** How long the D1 faults last (the email log refusing writes). */
const D1_FAULT_MS = 30_000;

const range = (n) => Array.from({ length: n }, (_, i) => i);

/** Counts by key, added up. */
function sum(counts) {
  const total = {};
  for (const c of counts) for (const [key, n] of Object.entries(c)) total[key] = (total[key] ?? 0) + n;
  return total;
}

/** What every signup scenario expects: each answered signup has one registration email and one index row. */
function signupExpectation(answered) {
  return { emailed: answered.map((to) => [to, SUBJECTS.registration]), indexed: answered };
}

/** Signs up SIGNUPS entrants while the provider is in `mode` (set just before, for mode.forMs). */
function providerFault({ name, fault, before, mode }) {
  return {
    name,
    fault,
    before,
    async run(lab) {
      const emails = range(SIGNUPS).map((i) => lab.address(`u${i}`));
      await lab.stub.setMode(mode);
      const started = now();
      const signups = await lab.signUp(emails, { concurrency: CONCURRENCY });
      // A fault without an end (a share of requests failing) is timed from the last signup.
      const since = mode.forMs ? started + mode.forMs : now();
      const census = await lab.settle(signupExpectation(signups.answered), { since, owners: emails });
      return { census, signups: signups.statuses, notes: [`provider mode ${JSON.stringify(mode)}`] };
    },
  };
}

/** The provider answers 429 rate_limit_exceeded with `Retry-After: 2` for `seconds`. */
function throttled(seconds, before) {
  return providerFault({
    name: `429-${seconds}s`,
    fault: `provider answers 429 \`Retry-After: 2\` for ${seconds} s`,
    before,
    mode: { kind: "throttle", retryAfterS: 2, forMs: seconds * 1000 },
  });
}

/**
 * Signs up SIGNUPS entrants while the email log refuses to record outcomes for D1_FAULT_MS;
 * addresses matching `refuse` are refused by the provider for good (permissive validation).
 */
function logWriteFault({ name, fault, before, statuses, refuse }) {
  return {
    name,
    fault,
    before,
    async run(lab) {
      const emails = range(SIGNUPS).map((i) => lab.address(refuse && i % 10 === 0 ? `refused-${i}` : `u${i}`));
      if (refuse) await lab.stub.setMode({ kind: "ok", refuse: "^refused-" });
      await lab.failEmailLogWrites(statuses);
      const started = now();
      const signups = await lab.signUp(emails, { concurrency: CONCURRENCY });
      await sleep(Math.max(0, started + D1_FAULT_MS - now()));
      await lab.healD1();
      const since = now();
      const refused = signups.answered.filter((to) => to.startsWith("refused-"));
      const census = await lab.settle(
        { ...signupExpectation(signups.answered.filter((to) => !to.startsWith("refused-"))), indexed: signups.answered, refused },
        { since, owners: emails },
      );
      const replays = census.providerRequests["200 replayed"] ?? 0;
      return {
        census,
        signups: signups.statuses,
        checks: [{ what: "the fault was hit: sends were made again after their outcome could not be recorded, and answered from the provider's record", ok: replays > 0, detail: `${replays} replays` }],
        notes: [`D1 refused to record ${statuses.join(" or ")} for ${D1_FAULT_MS / 1000} s from the first signup (a trigger on email_log)`],
      };
    },
  };
}

/**
 * After `stopped` (the runtime killed or stopped), restarts it on its storage and waits for
 * the work of the answered signups; recovery is counted from the restart. `how` says what
 * stopped it, for the notes.
 */
async function afterRestart(lab, stopped, signups, owners, how) {
  await stopped;
  const down = now();
  await lab.swagbox.restart();
  const since = now();
  const back = round((since - down) / 1000, 1);
  log(`${lab.name}: ${signups.answered.length} signups answered; back ${back} s after the stop`);
  const census = await lab.settle(signupExpectation(signups.answered), { since, owners });
  return { census, signups: signups.statuses, notes: [`${how}; restarted on the same storage in ${back} s; recovery counted from the restart`] };
}

export const SCENARIOS = [
  throttled(10, { once: "500 / 500", duplicated: "0", missing: "0" }),
  throttled(20, { once: "500 / 500", duplicated: "0", missing: "0 (39 emails went out on their last attempt)" }),
  throttled(60, { once: "**0**", duplicated: "0", missing: "**500 dead-lettered in ~26 s**" }),
  providerFault({
    name: "late-answer",
    fault: "provider accepts the batch but answers after the 10 s timeout, for 60 s",
    before: { once: "**0**", duplicated: "**500 (3–4 copies each)**", missing: "0" },
    mode: { kind: "hang-deliver", hangMs: 12_000, forMs: 60_000 },
  }),
  providerFault({
    name: "blackhole",
    fault: "provider takes the request, sends nothing and never answers, for 60 s (not in the issue's table)",
    before: { once: "–", duplicated: "–", missing: "–" },
    mode: { kind: "hang-drop", hangMs: 15_000, forMs: 60_000 },
  }),
  providerFault({
    name: "fail-50",
    fault: "50% of provider requests fail with 500",
    before: { once: "499", duplicated: "0", missing: "1 (dead after ~39 min, retryable)" },
    mode: { kind: "fail", share: 0.5 },
  }),
  logWriteFault({
    name: "log-write-fails",
    fault: "email-log write fails after a successful send, then the job is redelivered",
    before: { once: "—", duplicated: "sent twice", missing: "—" },
    statuses: ["sent"],
  }),
  logWriteFault({
    name: "refusal-log-fails",
    fault: "permanent refusal while the email-log write fails",
    before: { once: "—", duplicated: "—", missing: "acked with no log row: invisible, not retryable" },
    statuses: ["sent", "failed"],
    refuse: true,
  }),
  {
    name: "same-job-twice",
    fault: "same job in two batches 200 ms apart, provider takes 500 ms",
    before: { once: "—", duplicated: "sent twice", missing: "—" },
    /**
     * Signups in waves of 100 with a 500 ms provider. After each wave, the jobs its
     * registrants hold (while their own copy is still queued or at the provider) are put on
     * the changes queue twice more, as two full batches 200 ms apart: each job is then in three
     * batches at once, as after a redelivery or an object sending it again.
     */
    async run(lab) {
      await lab.stub.setMode({ kind: "slow", delayMs: 500 });
      const emails = range(SIGNUPS).map((i) => lab.address(`u${i}`));
      const answered = [];
      const statuses = [];
      let injected = 0;
      for (let wave = 0; wave < SIGNUPS; wave += 100) {
        const signups = await lab.signUp(emails.slice(wave, wave + 100), { concurrency: CONCURRENCY });
        answered.push(...signups.answered);
        statuses.push(signups.statuses);
        const { registrants } = await lab.outboxes(signups.answered);
        // Each job in a change of its own, as an object hands it over again.
        const jobs = Object.values(registrants).flat().filter((job) => job.topic === "email").map((job) => ({ topic: "change", body: { emails: [JSON.parse(job.body)], rows: [] } }));
        await lab.enqueue("CHANGES_QUEUE", jobs);
        await sleep(200);
        await lab.enqueue("CHANGES_QUEUE", jobs);
        injected += jobs.length;
      }
      const census = await lab.settle(signupExpectation(answered), { since: now(), owners: emails });
      return {
        census,
        signups: sum(statuses),
        checks: [{ what: "the fault was hit: jobs still held by their objects were queued twice more", ok: injected > 0, detail: `${injected} jobs × 2 copies` }],
        notes: [`${injected} of ${answered.length} jobs were still held by their registrants after their wave and were queued twice more, 200 ms apart`],
      };
    },
  },
  {
    name: "kill-signups",
    slow: true,
    fault: "runtime killed 1 s into 300 signups, restarted on the same state",
    before: { once: "23 of 114 stored", duplicated: "0", missing: "91 answered signups never emailed nor listed for judges; reindex cannot find them" },
    async run(lab) {
      const emails = range(300).map((i) => lab.address(`u${i}`));
      let killed = null;
      const timer = setTimeout(() => (killed = lab.swagbox.kill()), 1_000);
      const signups = await lab.signUp(emails, { concurrency: CONCURRENCY, stopWhen: () => killed !== null });
      clearTimeout(timer);
      const outcome = await afterRestart(lab, killed ?? lab.swagbox.kill(), signups, emails, "SIGKILL to the server's process group (workerd included) 1 s after the first signup");
      outcome.notes.push(`${signups.unanswered.length} signups were in flight when it died (not answered: not counted, but none may get two emails)`);
      return outcome;
    },
  },
  {
    name: "kill-mid-send",
    slow: true,
    fault: "runtime killed while the provider handles a batch (it sends, the answer is lost), restarted (not in the issue's table)",
    before: { once: "–", duplicated: "–", missing: "–" },
    /**
     * 200 signups while the provider takes 3 s to answer (it sends at once); the runtime is
     * killed as soon as the provider has a request in hand, so that request's outcome is
     * never recorded and the local queue loses its message: the worst moment of the row above.
     */
    async run(lab) {
      await lab.stub.setMode({ kind: "slow", delayMs: 3_000 });
      const emails = range(200).map((i) => lab.address(`u${i}`));
      const signups = await lab.signUp(emails, { concurrency: CONCURRENCY });
      await until("a provider request in hand", async () => Object.keys((await lab.stub.state()).requests).length > 0, 60_000, 50);
      // The request in hand keeps its 3 s; the restarted runtime finds a prompt provider.
      await lab.stub.setMode({ kind: "ok" });
      return afterRestart(lab, lab.swagbox.kill(), signups, emails, "SIGKILL once the provider (answering after 3 s) had a request in hand");
    },
  },
  {
    name: "kill-awards",
    slow: true,
    fault: "runtime killed during 2,000 award requests (pool 300), restarted",
    before: { once: "99 of 300 prize emails", duplicated: "0", missing: "201 winners never emailed" },
    /**
     * 600 entrants (signed up and submitted over HTTP), then 2,000 award requests over them
     * in turn at concurrency 50, as scenario 4 of the bench does. The runtime is killed when
     * 150 awards have been answered 201; after the restart, every request that got no answer
     * is made again (an organiser clicking again), so the pool fills.
     */
    async run(lab) {
      const ENTRANTS = 600;
      const POOL = 300;
      log(`kill-awards: creating ${ENTRANTS} entrants`);
      const ids = await createEntrants(lab.swagbox, lab.stub, ENTRANTS, "faults", { domain: lab.domain });
      const targets = range(2_000).map((i) => i % ENTRANTS);
      let granted = 0;
      let killed = null;
      const first = await lab.award(targets.map((i) => ids[i]), {
        concurrency: 50,
        stopWhen: () => killed !== null,
        onStatus: (status) => {
          if (status === 201 && ++granted === POOL / 2) killed = lab.swagbox.kill();
        },
      });
      await killed;
      const down = now();
      await lab.swagbox.restart();
      const since = now();
      const again = targets.filter((_, i) => first.outcomes[i] === NO_ANSWER || first.outcomes[i] === NOT_SENT);
      const unanswered = first.outcomes.filter((o) => o === NO_ANSWER).length;
      log(`kill-awards: killed with ${granted} awards answered; back in ${round((since - down) / 1000, 1)} s; making ${again.length} requests again`);
      const second = await lab.award(again.map((i) => ids[i]), { concurrency: 50 });
      const awardedAnswered = new Set([
        ...targets.filter((_, i) => first.outcomes[i] === 201),
        ...again.filter((_, i) => second.outcomes[i] === 201),
      ]);
      const stats = await (await fetch(`${lab.swagbox.url}/admin/api/stats`, { headers: ORGANISER })).json();
      check(stats.prizes.awarded === POOL, `the counter says ${stats.prizes.awarded} awarded, not ${POOL}`);
      const winners = [...awardedAnswered].map((i) => entrantEmail(i, lab.domain));
      const census = await lab.settle(
        { emailed: winners.map((to) => [to, SUBJECTS.prize]), indexed: winners.map((to) => [to, "winner"]) },
        { since, owners: range(ENTRANTS).map((i) => entrantEmail(i, lab.domain)), counter: true },
      );
      // Awards whose answer was lost to the kill count too: every slot taken gets its one email.
      const delivered = await lab.stub.delivered(`@${lab.domain}`);
      const prizeEmails = delivered.filter((row) => SUBJECTS.prize.test(row.subject)).length;
      const [{ n: indexWinners }] = await lab.d1("SELECT COUNT(*) AS n FROM entries WHERE status = 'winner'");
      return {
        census,
        signups: tally([...first.outcomes, ...second.outcomes].filter((o) => o !== NO_ANSWER && o !== NOT_SENT)),
        checks: [
          { what: `every slot taken (${stats.prizes.awarded}) has exactly one winner with a prize email`, ok: prizeEmails === stats.prizes.awarded, detail: `${prizeEmails} winners emailed` },
          { what: "the judges' index lists every winner", ok: indexWinners === stats.prizes.awarded, detail: `${indexWinners} winners in the index` },
        ],
        notes: [
          `SIGKILL sent when the ${POOL / 2}th award was answered 201 (${granted} were by the time it took effect; ${unanswered} requests in flight got no answer); restarted in ${round((since - down) / 1000, 1)} s; then the ${again.length} requests without an answer were made again; recovery counted from the restart`,
          `${awardedAnswered.size} awards were answered 201, ${stats.prizes.awarded} slots are taken (an award whose answer was lost answers 200 when asked again)`,
        ],
      };
    },
  },
  {
    name: "stop-after-10",
    fault: "clean stop right after 10 signups, restarted",
    before: { once: "0 of 10", duplicated: "0", missing: "10 never emailed nor listed" },
    async run(lab) {
      const emails = range(10).map((i) => lab.address(`u${i}`));
      const signups = await lab.signUp(emails, { concurrency: 10 });
      return afterRestart(lab, lab.swagbox.halt(), signups, emails, "SIGTERM (Miniflare disposes the runtime) as soon as the 10 signups were answered");
    },
  },
];
