/**
 * The fault lab: what every fault scenario shares. Each scenario gets a lab of its own (a
 * fresh provider stub and a fresh Swagbox runtime on its own storage, with the server's
 * control port open), plays its fault, then asks the lab to wait until the work of every
 * answered request is done and to take the census that the invariants are checked on.
 */
import { FORM, log, now, ORGANISER, pool, round, signupBody, sleep, startStub, startWorker } from "../lib/harness.mjs";

/**
 * How long an object waits before checking that work it queued took effect (300 s in
 * production): the local queue loses what it holds when the runtime stops, and this is
 * what brings it back, so it bounds the recovery after a restart.
 */
export const OUTBOX_CONFIRM_SECONDS = Number(process.env.FAULTS_CONFIRM_SECONDS ?? 5);
/**
 * The longest a scenario waits for the work of its answered requests (FAULTS_SETTLE_SECONDS):
 * longer than an email claim's lease (LEASE_MARGIN_MS, 15 min in src/store/email-log.ts),
 * which is what brings back an email whose provider request the local queue lost in a
 * restart, plus a check and a retry after it.
 */
export const SETTLE_SECONDS = Number(process.env.FAULTS_SETTLE_SECONDS ?? 1_080);
/** A job this late for its turn has no wake-up: nothing will run it until someone flushes the object. */
const OVERDUE_MS = 60_000;
/**
 * After everything arrived, every object is asked to check its work at once and the lab
 * watches this long more: a copy sent again by a check, or a retry, would show up.
 */
export const QUIET_SECONDS = 2 * OUTBOX_CONFIRM_SECONDS + 5;

/** The subjects of the emails the census counts (CONTEST_NAME of config/development.env). */
export const SUBJECTS = {
  registration: /^Your (?!new ).*submission link$/,
  prize: /^You won a .* prize$/,
};

const JSON_FORM = { accept: "application/json", "content-type": FORM };
const FAULT_TRIGGER = "faults_injected";
export const NO_ANSWER = "no answer";
export const NOT_SENT = "not sent";

/**
 * Opens a scenario's lab. `onSettling` is called when the scenario's fault is over and it
 * starts waiting (the runner then starts the next scenario's fault meanwhile).
 */
export async function openLab(build, name, onSettling = () => {}) {
  const stub = await startStub();
  const swagbox = await startWorker({
    worker: "swagbox",
    stub,
    buildDir: build.outdir,
    control: true,
    vars: { OUTBOX_CONFIRM_SECONDS: String(OUTBOX_CONFIRM_SECONDS) },
  }).catch(async (error) => {
    await stub.stop();
    throw error;
  });
  return new Lab(name, stub, swagbox, onSettling);
}

export class Lab {
  constructor(name, stub, swagbox, onSettling) {
    this.stub = stub;
    this.swagbox = swagbox;
    this.onSettling = onSettling;
    this.name = name;
    /** Every address a scenario uses ends in this, so its census counts only its own. */
    this.domain = `${name.replace(/[^a-z0-9-]/g, "-")}.faults.bench`;
  }

  address(local) {
    return `${local}@${this.domain}`;
  }

  async close() {
    await this.swagbox.stop();
    await this.stub.stop();
  }

  /**
   * Signs up `emails`, `concurrency` at a time. Returns the addresses whose signup was
   * answered 202, those sent but not answered (the runtime died under them), and the
   * statuses; see `requests` for `stopWhen` and `onStatus`.
   */
  async signUp(emails, options = {}) {
    const started = now();
    const { outcomes, statuses } = await this.requests(
      emails.length,
      (i) => fetch(`${this.swagbox.url}/signup`, { method: "POST", body: signupBody(emails[i]), headers: JSON_FORM }),
      options,
    );
    log(`${this.name}: signups ${JSON.stringify(statuses)} in ${round((now() - started) / 1000, 1)} s`);
    return {
      answered: emails.filter((_, i) => outcomes[i] === 202),
      unanswered: emails.filter((_, i) => outcomes[i] === NO_ANSWER),
      statuses,
    };
  }

  /** Award requests for registrant `ids`, in order (organiser's token); outcomes by request. */
  award(ids, options = {}) {
    return this.requests(ids.length, (i) => fetch(`${this.swagbox.url}/admin/api/entries/${ids[i]}/award`, { method: "POST", headers: ORGANISER }), options);
  }

  /**
   * `n` requests made by `send(i)`, `concurrency` at a time (20 by default). Each outcome is
   * its status, NO_ANSWER when the connection failed (the runtime died under it), or
   * NOT_SENT once `stopWhen()` is true. `onStatus(status, i)` hears each answer as it comes.
   */
  async requests(n, send, { concurrency = 20, stopWhen = () => false, onStatus = () => {} } = {}) {
    const outcomes = await pool(n, concurrency, async (i) => {
      if (stopWhen()) return NOT_SENT;
      try {
        const response = await send(i);
        await response.arrayBuffer();
        onStatus(response.status, i);
        return response.status;
      } catch {
        return NO_ANSWER;
      }
    });
    return { outcomes, statuses: tally(outcomes) };
  }

  /** One statement on the runtime's D1 database; its rows. */
  async d1(sql, params = []) {
    return (await this.swagbox.control("/d1", { sql, params })).results;
  }

  /**
   * From now on, D1 refuses to record an email's outcome as one of `statuses` (a trigger
   * that aborts the update, and with it the whole batch it is part of), until `healD1`.
   * The fault is in the database, not in Swagbox: the code under test is the code deployed.
   */
  async failEmailLogWrites(statuses) {
    const list = statuses.map((status) => `'${status}'`).join(", ");
    await this.d1(`CREATE TRIGGER ${FAULT_TRIGGER} BEFORE UPDATE OF status ON email_log WHEN NEW.status IN (${list})
      BEGIN SELECT RAISE(ABORT, 'fault injected by npm run faults'); END`);
  }

  async healD1() {
    await this.d1(`DROP TRIGGER IF EXISTS ${FAULT_TRIGGER}`);
  }

  /** Sends raw messages to one of the runtime's queues (as a redelivery would). */
  async enqueue(binding, bodies) {
    await this.swagbox.control("/queue", { binding, bodies });
  }

  /** The outboxes of the registrants with these addresses (and the counter's): {registrants: {email: jobs}, counter}. */
  outboxes(emails, { flush = false, counter = false } = {}) {
    return this.swagbox.control("/outboxes", { emails, flush, counter });
  }

  /**
   * What the provider, the judges' index, the email log and the dead letters hold for this
   * lab's addresses, against what should be there:
   * - `emailed`: [address, subject pattern] pairs that must each have exactly one email;
   * - `indexed`: addresses that must each have one row in the judges' index (with `status`
   *   if given: [address, status] pairs);
   * - `refused`: addresses whose email the provider refuses for good: none delivered, the
   *   log says failed, and an open dead letter says so (the only dead letters allowed).
   */
  async census({ emailed = [], indexed = [], refused = [] }) {
    const [delivered, rows, log, dead] = await Promise.all([
      this.stub.delivered(`@${this.domain}`),
      this.d1("SELECT email, status FROM entries WHERE email LIKE ?", [`%@${this.domain}`]),
      this.d1("SELECT recipient, template, status FROM email_log WHERE recipient LIKE ?", [`%@${this.domain}`]),
      this.d1("SELECT topic, key, reason FROM dead_letters WHERE status = 'open'"),
    ]);
    const countOf = (to, subject) => delivered.filter((row) => row.to === to && subject.test(row.subject)).reduce((a, row) => a + row.count, 0);
    const counts = emailed.map(([to, subject]) => countOf(to, subject));
    const indexRows = new Map();
    for (const row of rows) indexRows.set(row.email, [...(indexRows.get(row.email) ?? []), row.status]);
    const indexOk = ([email, status]) => indexRows.get(email)?.length === 1 && (!status || indexRows.get(email)[0] === status);
    const wantIndexed = indexed.map((entry) => (Array.isArray(entry) ? entry : [entry, null]));
    const failedLog = new Set(log.filter((row) => row.status === "failed").map((row) => row.recipient));
    const refusedDelivered = refused.filter((to) => delivered.some((row) => row.to === to));
    const logStatuses = {};
    for (const row of log) logStatuses[row.status] = (logStatuses[row.status] ?? 0) + 1;
    return {
      expected: emailed.length,
      exactlyOnce: counts.filter((n) => n === 1).length,
      missing: counts.filter((n) => n === 0).length,
      // Any address of the lab with two copies of one email, expected or not.
      duplicated: delivered.filter((row) => row.count > 1).length,
      extraCopies: delivered.reduce((a, row) => a + Math.max(0, row.count - 1), 0),
      indexExpected: wantIndexed.length,
      indexedOnce: wantIndexed.filter(indexOk).length,
      indexMissing: wantIndexed.filter((entry) => !indexOk(entry)).length,
      refused: refused.length,
      refusedVisible: refused.filter((to) => failedLog.has(to)).length,
      refusedDelivered: refusedDelivered.length,
      openDeadLetters: dead.length,
      deadLetterSample: dead.slice(0, 3).map((row) => `${row.topic} ${row.key}: ${row.reason}`),
      logStatuses,
    };
  }

  /**
   * Waits (at most SETTLE_SECONDS in all) until the census finds everything expected
   * ("complete"), then until the email log holds no email of the lab still being sent or
   * retried ("settled": a claim left by a lost request runs out its lease, and whatever
   * that brings, a second copy included, has happened). Then every object is asked to
   * check its work now, the stub is watched QUIET_SECONDS more, and the census is taken
   * again: that is the one the invariants are checked on. `since` is when the fault ended
   * (the clock of recovery); `owners` the addresses whose objects to look into.
   */
  async settle(expectation, { since, owners, counter = false }) {
    this.onSettling();
    const deadline = Date.now() + SETTLE_SECONDS * 1000;
    const unsettledSql = "SELECT COUNT(*) AS n FROM email_log WHERE recipient LIKE ? AND status IN ('sending', 'retrying')";
    let census;
    let completeAt = null;
    let settledAt = null;
    let unsettled = null;
    while (settledAt === null && Date.now() <= deadline) {
      census = await this.census(expectation);
      const refusedDone = census.refusedVisible === census.refused && census.openDeadLetters >= census.refused;
      if (completeAt === null && census.missing === 0 && census.indexMissing === 0 && refusedDone) {
        completeAt = now();
        log(`${this.name}: complete ${round((completeAt - since) / 1000, 1)} s after the fault ended`);
      }
      [{ n: unsettled }] = await this.d1(unsettledSql, [`%@${this.domain}`]);
      if (completeAt !== null && unsettled === 0) settledAt = now();
      else await sleep(1_000);
    }
    if (settledAt === null) {
      log(`${this.name}: NOT settled after ${SETTLE_SECONDS} s: ${census.missing} emails and ${census.indexMissing} index rows missing, ${unsettled} emails still being sent`);
    } else log(`${this.name}: settled ${round((settledAt - since) / 1000, 1)} s after the fault ended; quiet check for ${QUIET_SECONDS} s`);
    // Before anyone helps: jobs long past their turn that nothing is going to run.
    const before = await this.outboxes(owners, { counter });
    const overdue = [...Object.values(before.registrants).flat(), ...before.counter].filter((job) => job.state !== "dead" && job.nextAttemptAt < Date.now() - OVERDUE_MS);
    const flushed = await this.outboxes(owners, { flush: true, counter });
    await sleep(QUIET_SECONDS * 1000);
    const final = await this.census(expectation);
    const held = await this.outboxes(owners, { counter });
    const heldJobs = [...Object.values(held.registrants).flat(), ...held.counter];
    const state = await this.stub.state();
    // Negative when it was so before the fault ended.
    const after = (at) => (at === null ? null : (at - since) / 1000);
    return {
      ...final,
      recoveredSeconds: after(completeAt),
      settledSeconds: after(settledAt),
      unsettledAtEnd: settledAt === null ? unsettled : 0,
      overdueJobs: overdue.length,
      overdueObjects: Object.values(before.registrants).filter((jobs) => jobs.some((job) => overdue.includes(job))).length,
      flushedObjects: Object.keys(flushed.registrants).length,
      // Jobs objects still hold after the quiet check: awaiting a confirmation, or dead.
      heldJobs: heldJobs.length,
      heldStates: tally(heldJobs.map((job) => `${job.topic} ${job.state}`)),
      providerRequests: state.requests,
    };
  }
}

export function tally(values) {
  const counts = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/**
 * The invariants every scenario's final census must hold; returns the broken ones (empty
 * when all hold). The only open dead letters allowed are the permanent refusals'.
 */
export function brokenInvariants(census) {
  const broken = [];
  if (census.recoveredSeconds === null) broken.push(`the work of answered requests was not complete within ${SETTLE_SECONDS} s, without help`);
  if (census.unsettledAtEnd > 0) broken.push(`${census.unsettledAtEnd} emails were still being sent after ${SETTLE_SECONDS} s`);
  if (census.overdueJobs > 0) broken.push(`${census.overdueJobs} jobs of ${census.overdueObjects} objects were over ${OVERDUE_MS / 1000} s past their turn with nothing to run them`);
  if (census.missing > 0) broken.push(`${census.missing} of ${census.expected} expected emails missing`);
  if (census.exactlyOnce !== census.expected) broken.push(`${census.expected - census.exactlyOnce} expected emails not delivered exactly once`);
  if (census.duplicated > 0) broken.push(`${census.duplicated} emails delivered more than once (${census.extraCopies} extra copies)`);
  if (census.indexMissing > 0) broken.push(`${census.indexMissing} of ${census.indexExpected} index rows missing or not as expected`);
  if (census.refusedDelivered > 0) broken.push(`${census.refusedDelivered} refused emails delivered`);
  if (census.refusedVisible !== census.refused) broken.push(`${census.refused - census.refusedVisible} refused emails not recorded as failed`);
  if (census.openDeadLetters !== census.refused) {
    broken.push(`${census.openDeadLetters} open dead letters, ${census.refused} expected (${census.deadLetterSample.join("; ")})`);
  }
  return broken;
}
