/**
 * The message contract: every asynchronous hop of Swagbox, declared once. A topic names
 * what travels (its valibot schema), how its key is built (receivers de-duplicate by it),
 * where it goes, and how it is retried. Outboxes, queue consumers, the dead-letter consumer
 * and the organisers' retry all take their facts from here; nothing else spells a queue
 * name or a key format.
 */
import * as v from "valibot";
import { AnnouncementStep } from "../schemas/announcement";
import { EmailJob } from "../schemas/email-job";
import type { AddressPeers, AddressRelease } from "../schemas/address-claim";
import type { EligibilityUpdate } from "../schemas/eligibility";
import { EntryRow } from "../schemas/entry-row";
import { LinkCheckJob } from "../schemas/link-check";
import type { LinkClaim } from "../schemas/shared-link";
import { PrizeUpdate, RegistrantId } from "../schemas/prizes";

/** The queues, by the names wrangler.toml gives them (a test checks that the two agree). */
export const QUEUES = {
  /** What a registrant's change implies: its emails and its row for the judges' index, one message a change. */
  changes: "swagbox-changes",
  emailSends: "swagbox-email-sends",
  tasks: "swagbox-tasks",
  /** Checks of submitted links for the judges (a few network requests each, off the request path). */
  checks: "swagbox-checks",
  deadLetters: "swagbox-dead-letters",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Resend takes at most 100 emails in one request; the other providers send a batch side by side. */
export const EMAILS_PER_SEND = 100;

/**
 * One request to the email provider, fixed before it is first tried: its members were
 * claimed for it in the email log, and every retry sends exactly these jobs again under
 * the same idempotency key, so a provider that already took it does not send it twice.
 */
export const EmailSend = v.object({
  batch: v.pipe(v.string(), v.uuid()),
  jobs: v.pipe(v.array(EmailJob), v.minLength(1), v.maxLength(EMAILS_PER_SEND)),
});

export type EmailSend = v.InferOutput<typeof EmailSend>;

/**
 * What one registrant's change implies, as one message: its emails and its row for the
 * judges' index (each still confirmed on its own by the object that sent it). One message
 * a change rather than one per destination halves the queue's work, and lets a consumer
 * batch of 100 messages fill a provider request with 100 emails.
 */
export const Change = v.pipe(
  v.object({ emails: v.array(EmailJob), rows: v.array(EntryRow) }),
  v.check((change) => change.emails.length + change.rows.length > 0, "A change carries an email or an index row."),
);

export type Change = v.InferOutput<typeof Change>;

/** The background tasks organisers (and the daily cron) start; each runs in bounded steps. */
export const TASK_KINDS = ["reindex", "retention", "flush", "recheck"] as const;

export type TaskKind = (typeof TASK_KINDS)[number];

/** One step of a task run: the registry page after `cursor` (null: from the start). */
export const TaskStep = v.object({
  run: v.pipe(v.string(), v.uuid()),
  kind: v.picklist(TASK_KINDS),
  cursor: v.nullable(RegistrantId),
});

export type TaskStep = v.InferOutput<typeof TaskStep>;

/** A Registrant asks the PrizeCounter for a first-come slot, or gives an expired one back. */
export const PrizeRequest = v.object({ registrantId: RegistrantId });

export type PrizeRequest = v.InferOutput<typeof PrizeRequest>;

/** An action the system took by itself (a hold expiring, a prize re-offered), for the audit log. */
export const SystemAudit = v.object({
  action: v.pipe(v.string(), v.nonEmpty(), v.maxLength(100)),
  target: v.nullable(RegistrantId),
  detail: v.record(v.string(), v.unknown()),
  /** When it happened, which also keeps two audits of one action apart. */
  at: v.pipe(v.number(), v.integer()),
});

export type SystemAudit = v.InferOutput<typeof SystemAudit>;

/**
 * Every message a queue carries, in an envelope that names its topic: a consumer checks
 * that its queue carries the topic, and the one dead-letter queue knows what it got.
 */
export const ENVELOPES = {
  change: v.object({ topic: v.literal("change"), body: Change }),
  email_send: v.object({ topic: v.literal("email_send"), body: EmailSend }),
  task: v.object({ topic: v.literal("task"), body: TaskStep }),
  link_check: v.object({ topic: v.literal("link_check"), body: LinkCheckJob }),
  announcement: v.object({ topic: v.literal("announcement"), body: AnnouncementStep }),
};

export const QueueMessage = v.variant("topic", Object.values(ENVELOPES));

export type QueueMessage = v.InferOutput<typeof QueueMessage>;
export type QueueTopic = keyof typeof ENVELOPES;
export type BodyOf<T extends QueueTopic> = v.InferOutput<(typeof ENVELOPES)[T]>["body"];

/** Which queue carries each queued topic. */
export const QUEUE_OF = {
  change: QUEUES.changes,
  email_send: QUEUES.emailSends,
  task: QUEUES.tasks,
  link_check: QUEUES.checks,
  // An announcement's send walks its segment in steps, as tasks walk the registry.
  announcement: QUEUES.tasks,
} as const satisfies Record<QueueTopic, QueueName>;

/** Every outbox topic's key: unique per piece of work, the same on every redelivery of it. */
export const KEY_OF = {
  email: (job: EmailJob) => job.key,
  email_send: (send: EmailSend) => send.batch,
  index: (row: EntryRow) => `${row.id}@${row.version}`,
  task: (step: TaskStep) => `${step.run}@${step.cursor ?? "start"}`,
  announcement: (step: AnnouncementStep) => `${step.announcement}:${step.phase}@${step.cursor ?? "start"}`,
  prize_claim: (request: PrizeRequest) => request.registrantId,
  prize_release: (request: PrizeRequest) => request.registrantId,
  prize_update: (update: PrizeUpdate) => `${update.registrantId}@${update.seq}`,
  reindex: (row: EntryRow) => `${row.id}@${row.version}`,
  audit: (entry: SystemAudit) => `${entry.action}:${entry.target ?? "-"}@${entry.at}`,
  eligibility: (update: EligibilityUpdate) => `${update.registrantId}@${update.seq}`,
  address_peers: (update: AddressPeers) => `${update.claim}:${update.registrantId}@${update.seq}`,
  address_release: (release: AddressRelease) => `${release.claim}:${release.registrantId}:${release.token}`,
  link_check: (job: LinkCheckJob) => `${job.registrantId}@${job.version}`,
  link_claim: (claim: LinkClaim) => `${claim.registrantId}@${claim.version}:${claim.url}`,
  /** A claim a URL's object took, on its way to the judges' index. */
  link_owner: (claim: LinkClaim) => `${claim.registrantId}@${claim.version}:${claim.url}`,
  /** A provisional first-come slot whose review window ended: confirmed, or given up after a failed check. */
  prize_confirm: (request: PrizeRequest) => request.registrantId,
  prize_forfeit: (request: PrizeRequest) => request.registrantId,
};

export type Topic = keyof typeof KEY_OF;

/** The announcement step a key names (KEY_OF.announcement), to carry it on from; null for any other string. */
export function parseAnnouncementKey(key: string): AnnouncementStep | null {
  const match = /^(\d{1,15}):(walk|confirm)@([0-9a-f]{64}|start)$/.exec(key);
  return match ? { announcement: Number(match[1]), phase: match[2] as AnnouncementStep["phase"], cursor: match[3] === "start" ? null : match[3]!, unsettled: 0 } : null;
}

/**
 * How queue consumers space their retries: exponential with full jitter, from `firstS`
 * up to `maxS` seconds, never sooner than a receiver's Retry-After; a change waits as long
 * as the longer of its emails' and its index row's delays. Emails keep trying for
 * EMAIL_RETRY_HOURS (the configuration) before they are dead-lettered; index rows, task
 * steps and link checks until the queue's max_retries, then the dead-letter consumer takes
 * over. A link check waiting out a forge's rate limit is queued again instead of retried,
 * so a rate limit never uses up its retries.
 */
export const RETRY = {
  email: { firstS: 10, maxS: 1_800 },
  email_send: { firstS: 10, maxS: 1_800 },
  index: { firstS: 5, maxS: 600 },
  task: { firstS: 10, maxS: 600 },
  link_check: { firstS: 30, maxS: 3_600 },
  announcement: { firstS: 10, maxS: 600 },
} as const satisfies Record<string, { firstS: number; maxS: number }>;


/** What a check found about work handed to a queue (the outbox asks it of the receiver's records). */
export type Confirmation =
  /** Its effect is recorded (the email's outcome, the index row): the job is done. */
  | { status: "done" }
  /** A consumer is still on it; look again at `recheckAt`. */
  | { status: "pending"; recheckAt: number }
  /** Nothing shows it arrived: hand it over again. */
  | { status: "lost" };
