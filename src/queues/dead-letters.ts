/**
 * The one dead-letter queue, which every queue's messages reach after their last retry,
 * and the organisers' retry of any dead letter. What to do is decided per topic, from the
 * message contract: emails and tasks are recorded for organisers; an index row is rebuilt
 * from its registrant's object at once (and recorded, so the failure is still seen); a link
 * check that gave up is recorded as not checked, so its registrant stops waiting for it.
 */
import * as v from "valibot";
import type { Env } from "../env";
import { parseEmailKey, RESEND_AS } from "../messages/email-keys";
import { KEY_OF, parseAnnouncementKey, QueueMessage, TASK_KINDS, type Change } from "../messages/topics";
import { ADDRESS_CLAIM_ORIGIN } from "../objects/address-claim";
import { LINK_ORIGIN_PREFIX } from "../objects/shared-link";
import { addressClaim, prizeCounter } from "../objects/stubs";
import { ObjectId, RegistrantId } from "../schemas/prizes";
import { deadLetterStatements, markRetriedStatement, type DeadLetter } from "../store/dead-letters";
import { buryBatch, buryJobStatement, emailConfirmations, markRetriedStatement as markEmailRetried } from "../store/email-log";
import { indexConfirmations, refreshStatements } from "../store/entries-index";
import { lookUp } from "../store/lookup";
import { taskRun } from "../store/task-runs";
import { resumeTask, retryItem } from "../tasks/tasks";
import { retryDelaySeconds } from "../messages/retry";
import { staticResult } from "../checks/check-links";
import { resultStatement } from "../store/link-checks";
import { resendAnnouncementEmail } from "../announcements/announcements";
import { enqueue } from "../messages/enqueue";
import type { AnnouncementStep } from "../schemas/announcement";
import { announcement } from "../store/announcements";

const DEAD_RETRY = { firstS: 30, maxS: 3_600 };

export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = v.safeParse(QueueMessage, message.body);
    if (!parsed.success) {
      console.error(`dead letters: dropping malformed message ${message.id}: ${v.summarize(parsed.issues)}`);
      message.ack();
      continue;
    }
    try {
      await bury(env, parsed.output, message.attempts);
      message.ack();
    } catch (error) {
      // Recording needs only D1: keep trying, a dead letter must never go unseen.
      console.error(`dead letters: could not record a ${parsed.output.topic} message, retrying`, error);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, DEAD_RETRY) });
    }
  }
}

/** Records a message that ran out of retries, as its topic needs. */
async function bury(env: Env, message: QueueMessage, attempts: number): Promise<void> {
  const db = env.DB;
  const reason = "ran out of queue retries";
  switch (message.topic) {
    case "change":
      return buryChange(env, message.body, reason, attempts);
    case "email_send": {
      const keys = await buryBatch(db, message.body.batch, reason);
      const letters = keys.map((key) => ({ topic: "email", key, origin: parseEmailKey(key)?.registrantId ?? "unknown", reason, attempts }));
      if (letters.length > 0) await db.batch(deadLetterStatements(db, letters));
      return;
    }
    case "task": {
      const step = message.body;
      await db.batch(deadLetterStatements(db, [{ topic: "task", key: KEY_OF.task(step), origin: step.run, reason, attempts }]));
      return;
    }
    case "link_check": {
      // Its static checks still stand; what needed the network is recorded as not checked.
      const job = message.body;
      await db.batch([
        resultStatement(db, job, staticResult(job, `the check gave up after ${attempts} attempts; check it again from the dashboard`), 0),
        ...deadLetterStatements(db, [{ topic: "link_check", key: KEY_OF.link_check(job), origin: job.registrantId, reason, attempts }]),
      ]);
      return;
    }
    case "announcement": {
      const step = message.body;
      await db.batch(deadLetterStatements(db, [{ topic: "announcement", key: KEY_OF.announcement(step), origin: String(step.announcement), reason, attempts }]));
      return;
    }
  }
}

/**
 * A change that ran out of retries: only its parts that did not take effect are dead (the
 * other side of it may well have). Emails never planned are settled dead, so their
 * registrant stops waiting for them; an index row is rebuilt from its registrant's object
 * at once. Each is recorded, so the failure is still seen.
 */
async function buryChange(env: Env, change: Change, reason: string, attempts: number): Promise<void> {
  const db = env.DB;
  const [emails, rows] = await lookUp(db, emailConfirmations(db, change.emails.map((job) => job.key)), indexConfirmations(db, change.rows));
  const deadJobs = change.emails.filter((_, i) => emails[i]!.status === "lost");
  const deadRows = change.rows.filter((_, i) => rows[i]!.status === "lost");
  const rebuilt = await Promise.all(deadRows.map((row) => rebuildRow(env, row.id).catch(() => false)));
  const statements = [
    ...deadJobs.map((job) => buryJobStatement(db, job, reason)),
    ...deadLetterStatements(db, deadJobs.map((job) => ({ topic: "email", key: job.key, origin: parseEmailKey(job.key)?.registrantId ?? "unknown", reason, attempts }))),
    ...deadRows.flatMap((row, i) => deadLetterStatements(db, [{ topic: "index", key: KEY_OF.index(row), origin: row.id, reason, attempts }], Date.now(), rebuilt[i] ? "retried" : "open")),
  ];
  if (statements.length > 0) await db.batch(statements);
}

/** Writes the registrant's row as its object holds it now; false when nobody is registered there. */
async function rebuildRow(env: Env, id: string): Promise<boolean> {
  const row = await registrant(env, id).indexRow();
  if (row) await env.DB.batch(refreshStatements(env.DB, [row]));
  return row !== null;
}

type Retryable = Pick<DeadLetter, "topic" | "key" | "origin">;

export type RetryOutcome = { retried: true; detail: Record<string, unknown> } | { retried: false; reason: string };

/**
 * An organiser retries a dead letter, as its topic needs: an email goes out again (with a
 * fresh link where it had one), an index row is rebuilt, a task run carries on, a
 * registrant's part of a task runs again, a link check runs again, an object's dead job is
 * handed over again.
 */
export async function retryDeadLetter(env: Env, letter: Retryable): Promise<RetryOutcome> {
  const outcome = await redo(env, letter);
  if (outcome.retried) {
    const statements = [markRetriedStatement(env.DB, letter)];
    if (letter.topic === "email") statements.push(markEmailRetried(env.DB, letter.key));
    await env.DB.batch(statements);
  }
  return outcome;
}

async function redo(env: Env, letter: Retryable): Promise<RetryOutcome> {
  const gone = (reason: string): RetryOutcome => ({ retried: false, reason });
  // A job an object's outbox gave up on: the object still holds it, and hands it over again.
  const holder =
    letter.origin === "prize-counter"
      ? prizeCounter(env)
      : v.is(RegistrantId, letter.origin)
        ? registrant(env, letter.origin)
        : (addressClaimOf(env, letter.origin) ?? linkObject(env, letter.origin));
  if (holder && (await holder.retryDeadJob(letter.topic, letter.key))) return { retried: true, detail: { handedOver: true } };
  if (letter.topic === "email") {
    const parsed = parseEmailKey(letter.key);
    if (!parsed) return gone("That is not an email key Swagbox made.");
    const kind = RESEND_AS[parsed.kind];
    if (kind === "announcement") {
      return (await resendAnnouncementEmail(env, parsed.registrantId, parsed.occasion)) ? { retried: true, detail: { kind } } : gone("That announcement or its recipient is gone.");
    }
    const resent = await registrant(env, parsed.registrantId).resendEmail(kind);
    return resent ? { retried: true, detail: { kind } } : gone("That email no longer applies (the entrant or their prize has moved on).");
  }
  if (letter.topic === "index") {
    if (!v.is(RegistrantId, letter.origin)) return gone("Its origin is not a registrant.");
    return (await rebuildRow(env, letter.origin)) ? { retried: true, detail: {} } : gone("Nobody is registered there any more.");
  }
  if (letter.topic === "link_check") {
    if (!v.is(RegistrantId, letter.origin)) return gone("Its origin is not a registrant.");
    const again = await registrant(env, letter.origin).recheckLinks();
    return again.queued ? { retried: true, detail: { version: again.version } } : gone("That entrant has no submission any more.");
  }
  if (letter.topic === "task") {
    const run = await taskRun(env.DB, letter.origin);
    if (!run || run.status !== "running") return gone("That task run has finished.");
    await resumeTask(env, run);
    return { retried: true, detail: { run: run.id, cursor: run.cursor } };
  }
  if (letter.topic === "announcement") {
    const step = parseAnnouncementKey(letter.key);
    const sending = step ? await announcement(env.DB, step.announcement) : null;
    if (!step || !sending || (sending.status !== "sending" && sending.status !== "confirming")) return gone("That announcement is no longer being sent.");
    // Carried on from where it is now: a walk from its cursor, a confirmation from the start.
    const next: AnnouncementStep = sending.status === "sending" ? { ...step, phase: "walk", cursor: sending.cursor } : { ...step, phase: "confirm", cursor: null, unsettled: 0 };
    await enqueue(env.TASK_QUEUE, [{ topic: "announcement", body: next }]);
    return { retried: true, detail: { announcement: sending.id, phase: next.phase } };
  }
  const kind = v.safeParse(v.picklist(TASK_KINDS), letter.topic);
  if (kind.success) {
    return (await retryItem(env, kind.output, letter.key)) ? { retried: true, detail: { kind: kind.output } } : gone("It failed again.");
  }
  return gone("The object no longer holds that job.");
}

/** The AddressClaim a dead letter came from (its origin is `address-claim:<object id>`), if it did. */
function addressClaimOf(env: Env, origin: string) {
  const id = origin.startsWith(ADDRESS_CLAIM_ORIGIN) ? origin.slice(ADDRESS_CLAIM_ORIGIN.length) : null;
  return id !== null && v.is(ObjectId, id) ? addressClaim(env, id) : null;
}

/** The SharedLink object a dead letter's origin names (`link:<object id>`), if it names one. */
function linkObject(env: Env, origin: string) {
  const id = origin.startsWith(LINK_ORIGIN_PREFIX) ? origin.slice(LINK_ORIGIN_PREFIX.length) : "";
  return v.is(ObjectId, id) ? env.SHARED_LINK.get(env.SHARED_LINK.idFromString(id)) : null;
}

function registrant(env: Env, id: string) {
  return env.REGISTRANT.get(env.REGISTRANT.idFromString(id));
}
