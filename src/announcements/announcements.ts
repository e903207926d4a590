/**
 * Announcements: an organiser's email to a segment of entrants, sent as one job per
 * recipient (key `<registrant>:announcement:<id>`) through the email pipeline, which claims
 * each key once in the email log and batches them into provider requests.
 *
 * The send walks the segment of the judges' index in steps of STEP_SIZE through the tasks
 * queue (as task runs walk the registry): a step queues its recipients' jobs, then records
 * who it queued (with each job's key) and moves the cursor in D1. The jobs come from no
 * Registrant's outbox, so D1 keeps them instead: once the walk is over, confirmation passes
 * read each recipient's email in the log, queue again what the queue lost (same key, so
 * never twice), and end the send when every email has settled. One announcement is sent
 * at a time. Not transactional: each email carries a signed unsubscribe link and the
 * List-Unsubscribe headers; unsubscribed entrants are left out when their page is walked.
 */
import { loadConfig, type Config } from "../config";
import type { Env } from "../env";
import { emailKey, parseEmailKey } from "../messages/email-keys";
import { enqueue } from "../messages/enqueue";
import type { Read } from "../messages/read";
import { retryDelaySeconds } from "../messages/retry";
import { RETRY, type QueueMessage } from "../messages/topics";
import type { AnnouncementStep } from "../schemas/announcement";
import type { EmailJob } from "../schemas/email-job";
import { sign, verifySignature } from "../secrets";
import {
  advanceWalkStatement,
  announcement,
  backToDraft,
  dropRecipientStatement,
  finishStatement,
  recipient,
  recipientStatements,
  rekeyRecipientStatement,
  segmentPage,
  startSending,
  unsettledRecipients,
  type Announcement,
  type Recipient,
} from "../store/announcements";

/** Recipients one step queues (one provider request's worth), and confirms. */
export const STEP_SIZE = 100;

type AnnouncementJob = Extract<EmailJob, { template: "announcement" }>;

/** The configuration's secret for unsubscribe links, or null: announcements need one. */
export function unsubscribeSecret(config: Config): string | null {
  return config.unsubscribeSecret ?? null;
}

/** The recipient's own unsubscribe link: their id, signed, so that it needs no login and cannot be made for another. */
export async function unsubscribeUrl(config: Config, secret: string, registrantId: string): Promise<string> {
  return `${config.publicUrl}/unsubscribe?id=${registrantId}&sig=${await sign(secret, `unsubscribe:${registrantId}`)}`;
}

/** Whether `sig` is the unsubscribe signature of `registrantId`. */
export function validUnsubscribe(secret: string, registrantId: string, sig: string): Promise<boolean> {
  return verifySignature(secret, `unsubscribe:${registrantId}`, sig);
}

/** The announcement's email to one recipient, under `occasion` (the announcement's id, or a retry's). */
export async function announcementJob(config: Config, secret: string, sent: Pick<Announcement, "subject" | "body">, to: Recipient, occasion: string): Promise<AnnouncementJob> {
  return {
    template: "announcement",
    key: emailKey(to.id, "announcement", occasion),
    to: to.email,
    firstname: to.firstname,
    subject: sent.subject,
    body: sent.body,
    unsubscribeUrl: await unsubscribeUrl(config, secret, to.id),
  };
}

export type SendOutcome = { ok: true } | { ok: false; reason: "not_draft" | "running" };

/**
 * Starts sending a draft: one send at a time, and a send started twice starts once. Throws,
 * with the announcement back to its draft, when the tasks queue does not take the first step.
 */
export async function sendAnnouncement(env: Env, draft: Announcement, by: string): Promise<SendOutcome> {
  if (draft.status !== "draft") return { ok: false, reason: "not_draft" };
  if (!(await startSending(env.DB, draft, by))) {
    const now = await announcement(env.DB, draft.id);
    return { ok: false, reason: now?.status === "draft" ? "running" : "not_draft" };
  }
  try {
    await enqueue(env.TASK_QUEUE, [{ topic: "announcement", body: { announcement: draft.id, phase: "walk", cursor: null, unsettled: 0 } }]);
  } catch (error) {
    await backToDraft(env.DB, draft.id);
    throw error;
  }
  return { ok: true };
}

/** Steps from the tasks queue: each message is one step, retried whole if it fails (every step is idempotent). */
export async function runAnnouncementSteps(read: Read<"announcement">[], env: Env): Promise<void> {
  if (read.length === 0) return;
  const loaded = loadConfig(env);
  for (const { body, message } of read) {
    try {
      if (!loaded.ok) throw new Error("the configuration is invalid");
      await (body.phase === "walk" ? walk(env, loaded.config, body) : confirm(env, loaded.config, body));
      message.ack();
    } catch (error) {
      console.warn(`announcements: ${body.phase} step of ${body.announcement} after ${body.cursor ?? "start"} failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, RETRY.announcement) });
    }
  }
}

/**
 * Queues the emails of the segment's next page, then the next step, then records the page
 * and moves the cursor (a crash in between repeats the step: the keys are the same, so no
 * email goes twice). A step whose announcement has moved on (a duplicate) does nothing.
 */
async function walk(env: Env, config: Config, step: AnnouncementStep): Promise<void> {
  const sending = await announcement(env.DB, step.announcement);
  if (!sending || sending.status !== "sending" || sending.cursor !== step.cursor) return;
  const secret = requireSecret(config);
  const page = await segmentPage(env.DB, sending.segment, step.cursor, STEP_SIZE);
  const jobs = await Promise.all(page.map((to) => announcementJob(config, secret, sending, to, String(sending.id))));
  if (jobs.length > 0) await enqueue(env.CHANGES_QUEUE, asChanges(jobs));
  const done = page.length < STEP_SIZE;
  const cursor = page.at(-1)?.id ?? step.cursor;
  await enqueue(
    env.TASK_QUEUE,
    [{ topic: "announcement", body: done ? { announcement: sending.id, phase: "confirm", cursor: null, unsettled: 0 } : { ...step, cursor } }],
    done ? { delaySeconds: config.outboxConfirmSeconds } : {},
  );
  await env.DB.batch([
    ...recipientStatements(env.DB, sending.id, jobs.map((job, i) => ({ registrantId: page[i]!.id, key: job.key }))),
    advanceWalkStatement(env.DB, { id: sending.id, from: step.cursor, to: cursor, done }),
  ]);
}

/**
 * One page of a confirmation pass: recipients whose email the log does not show settled.
 * Those the log never saw, or whose batch was lost (its lease ran out), are queued again;
 * those erased since are dropped. A pass that found anything unsettled starts again after
 * OUTBOX_CONFIRM_SECONDS; one that found nothing finishes the send.
 */
async function confirm(env: Env, config: Config, step: AnnouncementStep): Promise<void> {
  const sending = await announcement(env.DB, step.announcement);
  if (!sending || sending.status !== "confirming") return;
  const now = Date.now();
  const rows = await unsettledRecipients(env.DB, sending.id, step.cursor, STEP_SIZE);
  const gone = rows.filter((row) => row.email === null);
  const lost = rows.filter((row) => row.email !== null && (row.status === null || (row.lease_until ?? 0) < now));
  if (lost.length > 0) {
    const secret = requireSecret(config);
    const jobs = await Promise.all(
      lost.map((row) => announcementJob(config, secret, sending, { id: row.registrant_id, email: row.email!, firstname: row.firstname ?? "" }, parseEmailKey(row.key)?.occasion ?? String(sending.id))),
    );
    await enqueue(env.CHANGES_QUEUE, asChanges(jobs));
  }
  if (gone.length > 0) await env.DB.batch(gone.map((row) => dropRecipientStatement(env.DB, sending.id, row.registrant_id)));
  const unsettled = step.unsettled + rows.length - gone.length;
  if (rows.length === STEP_SIZE) {
    await enqueue(env.TASK_QUEUE, [{ topic: "announcement", body: { ...step, cursor: rows.at(-1)!.registrant_id, unsettled } }]);
  } else if (unsettled > 0) {
    await enqueue(env.TASK_QUEUE, [{ topic: "announcement", body: { ...step, cursor: null, unsettled: 0 } }], { delaySeconds: config.outboxConfirmSeconds });
  } else {
    await finishStatement(env.DB, sending.id).run();
  }
}

/**
 * An organiser's test of a draft: the email as `sample` would get it, sent to `to` (their
 * own address) under a key of its own; it unsubscribes nobody real.
 */
export async function sendTest(env: Env, config: Config, draft: Announcement, sample: Recipient, to: string): Promise<void> {
  const secret = requireSecret(config);
  const tester = { id: await testerId(to), email: to, firstname: sample.firstname };
  const job = await announcementJob(config, secret, draft, tester, `${draft.id}-test-${Date.now()}`);
  await enqueue(env.CHANGES_QUEUE, asChanges([{ ...job, subject: `[Test] ${job.subject}` }]));
}

/** A registrant-shaped id for an organiser's address (its SHA-256), so that a test email's key parses like the others. */
async function testerId(address: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`announcement-test:${address}`)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * An organiser retries an announcement email that failed for good: it goes again under a
 * new key (the log keeps the failed one's as retried), which the send's progress follows.
 * False when the recipient or the announcement is gone (or it was a test email).
 */
export async function resendAnnouncementEmail(env: Env, registrantId: string, occasion: string): Promise<boolean> {
  const loaded = loadConfig(env);
  const id = Number(/^\d+/.exec(occasion)?.[0]);
  if (!loaded.ok || !Number.isSafeInteger(id) || occasion.includes("-test-")) return false;
  const [sent, to] = await Promise.all([announcement(env.DB, id), recipient(env.DB, registrantId)]);
  const secret = unsubscribeSecret(loaded.config);
  if (!sent || !to || !secret || sent.status === "draft") return false;
  const job = await announcementJob(loaded.config, secret, sent, to, `${id}-r${Date.now()}`);
  await enqueue(env.CHANGES_QUEUE, asChanges([job]));
  await rekeyRecipientStatement(env.DB, id, registrantId, job.key).run();
  return true;
}

/**
 * Announcement emails on the changes queue, each a change of its own: a consumer batch then
 * holds at most 100 of them, as a provider request does.
 */
function asChanges(jobs: readonly EmailJob[]): QueueMessage[] {
  return jobs.map((job) => ({ topic: "change", body: { emails: [job], rows: [] } }));
}

function requireSecret(config: Config): string {
  const secret = unsubscribeSecret(config);
  if (!secret) throw new Error("UNSUBSCRIBE_SECRET is not set: announcements need it for their unsubscribe links");
  return secret;
}
