import * as v from "valibot";
import { loadConfig, type Config } from "../config";
import type { Env } from "../env";
import { DEAD_LETTER_SUFFIX, retryDelaySeconds } from "../queues/retry";
import { EmailJob } from "../schemas/email-job";
import { emailProvider, type EmailProvider } from "./providers";
import { renderEmail } from "./templates";

/**
 * The `emails` queue consumer. Each message gets its own outcome: acked once sent (or when
 * it can never be sent, recorded as failed), retried with backoff on a temporary failure.
 * Jobs that run out of retries reach the dead-letter queue, whose messages are recorded as
 * dead. A batch costs D1 two round trips whatever its size (which keys were sent, then
 * every outcome), and its distinct jobs go to the provider in one call (one request for
 * Resend; side by side for providers that send one email at a time).
 */
export async function consumeEmails(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const log = new EmailLog(env.DB);
  const loaded = loadConfig(env);
  // Dead letters are only recorded, which needs no configuration: they must never be lost.
  if (batch.queue.endsWith(DEAD_LETTER_SUFFIX)) {
    const provider = loaded.ok ? loaded.config.emailProvider : "unknown";
    await settle(readJobs(batch), log, () => ({ status: "dead", provider, reason: "ran out of delivery attempts", keepAttempts: true }));
    return;
  }
  if (!loaded.ok) {
    console.error("emails: configuration is invalid, retrying later", loaded.problems);
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  const provider = emailProvider(loaded.config, env);
  const jobs = readJobs(batch);
  let sent: Set<string>;
  try {
    sent = await log.sentAmong([...jobs.keys()]);
  } catch (error) {
    // Without the log, a resend could not be told from a first send: wait for D1.
    logFailure(error);
    for (const { messages } of jobs.values()) {
      for (const message of messages) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
    return;
  }
  const unsent = [...jobs.values()].map(({ job }) => job).filter((job) => !sent.has(job.key));
  const outcomes = await sendUnsent(unsent, provider, loaded.config);
  await settle(jobs, log, (job) => outcomes.get(job.key) ?? null);
}

/** What became of one job: null when it had been sent before and nothing was done. */
type Outcome = {
  status: Status;
  provider: string;
  reason: string | null;
  retryAfterSeconds?: number;
  /** The dead-letter record keeps the attempt count the log already has. */
  keepAttempts?: boolean;
};

/** A batch's jobs by key, each with the messages that carry it (a redelivery can bring two). */
type Jobs = Map<string, { job: EmailJob; messages: Message<unknown>[] }>;

/** The batch's valid jobs; malformed messages are acked and dropped. */
function readJobs(batch: MessageBatch<unknown>): Jobs {
  const jobs: Jobs = new Map();
  for (const message of batch.messages) {
    const parsed = v.safeParse(EmailJob, message.body);
    if (!parsed.success) {
      console.error(`emails: dropping malformed job ${message.id}: ${v.summarize(parsed.issues)}`);
      message.ack();
      continue;
    }
    const entry = jobs.get(parsed.output.key);
    if (entry) entry.messages.push(message);
    else jobs.set(parsed.output.key, { job: parsed.output, messages: [message] });
  }
  return jobs;
}

/** Renders the jobs and hands them to the provider in one call; each job's outcome by key. */
async function sendUnsent(jobs: EmailJob[], provider: EmailProvider, config: Config): Promise<Map<string, Outcome>> {
  const emails = jobs.map((job) => ({ key: job.key, from: config.emailFrom, to: job.to, ...renderEmail(job, config) }));
  const results = await provider.sendAll(emails);
  return new Map(
    jobs.map((job, i) => {
      const error = results[i];
      const outcome: Outcome = error
        ? {
            status: error.permanent ? "failed" : "retrying",
            provider: provider.name,
            reason: error.message,
            retryAfterSeconds: error.retryAfterSeconds,
          }
        : { status: "sent", provider: provider.name, reason: null };
      return [job.key, outcome];
    }),
  );
}

/**
 * Records every outcome in one D1 batch, then acks or retries each message. A sent email
 * is acked even when the log cannot be written (sending it again would be worse); a dead
 * letter is retried until its record is written, so it never goes unseen.
 */
async function settle(jobs: Jobs, log: EmailLog, outcomeOf: (job: EmailJob) => Outcome | null): Promise<void> {
  const settled = [...jobs.values()].map((entry) => ({ ...entry, outcome: outcomeOf(entry.job) }));
  const records = settled.flatMap(({ job, messages, outcome }) =>
    outcome ? [{ ...outcome, job, attempts: outcome.keepAttempts ? null : messages[0]!.attempts }] : [],
  );
  const recorded = await log
    .recordAll(records)
    .then(
      () => true,
      (error) => {
        logFailure(error);
        return false;
      },
    );
  for (const { messages, outcome } of settled) {
    for (const message of messages) {
      const retry = outcome?.status === "retrying" || (outcome?.status === "dead" && !recorded);
      if (retry) message.retry({ delaySeconds: retryDelaySeconds(message.attempts, outcome?.retryAfterSeconds) });
      else message.ack();
    }
  }
}

function logFailure(error: unknown) {
  console.error("emails: could not write the email log", error);
}

type Status = "sent" | "retrying" | "failed" | "dead";

/** The D1 email log: one row per job key, the latest state of its delivery. */
class EmailLog {
  constructor(private readonly db: D1Database) {}

  /** Which of `keys` were sent already (a queue batch holds at most 100, D1's limit of bound values). */
  async sentAmong(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { results } = await this.db
      .prepare(`SELECT key FROM email_log WHERE status = 'sent' AND key IN (${keys.map(() => "?").join(", ")})`)
      .bind(...keys)
      .all<{ key: string }>();
    return new Set(results.map((row) => row.key));
  }

  /** Writes each job's latest state; `attempts` null keeps the count the log already has. */
  async recordAll(records: { job: EmailJob; status: Status; attempts: number | null; provider: string; reason: string | null }[]) {
    if (records.length === 0) return;
    const now = Date.now();
    const statement = this.db.prepare(
      `INSERT INTO email_log (key, template, recipient, status, attempts, provider, last_error, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, COALESCE(?5, 0), ?6, ?7, ?8, ?8)
       ON CONFLICT (key) DO UPDATE SET status = excluded.status,
         attempts = COALESCE(?5, email_log.attempts), provider = excluded.provider,
         last_error = excluded.last_error, updated_at = excluded.updated_at`,
    );
    await this.db.batch(
      records.map(({ job, status, attempts, provider, reason }) =>
        statement.bind(job.key, job.template, job.to, status, attempts, provider, reason, now),
      ),
    );
  }
}
