import * as v from "valibot";
import { loadConfig, type Config } from "../config";
import type { Env } from "../env";
import { EmailJob } from "../schemas/email-job";
import { EmailDeliveryError, emailProvider, type EmailProvider } from "./providers";
import { renderEmail } from "./templates";

/** Messages that ran out of retries arrive on the queue of the same name plus this suffix. */
export const DEAD_LETTER_SUFFIX = "-dlq";

const MAX_RETRY_DELAY_S = 3600;

/**
 * The `emails` queue consumer. Each message is handled alone: acked once sent (or when it can
 * never be sent, recorded as failed), retried with backoff on a temporary failure. Jobs
 * that run out of retries reach the dead-letter queue, whose messages are recorded as dead.
 */
export async function consumeEmails(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const log = new EmailLog(env.DB);
  const loaded = loadConfig(env);
  // Dead letters are only recorded, which needs no configuration: they must never be lost.
  if (batch.queue.endsWith(DEAD_LETTER_SUFFIX)) {
    const provider = loaded.ok ? loaded.config.emailProvider : "unknown";
    for (const message of batch.messages) await recordDead(message, log, provider);
    return;
  }
  if (!loaded.ok) {
    console.error("emails: configuration is invalid, retrying later", loaded.problems);
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  const provider = emailProvider(loaded.config, env);
  for (const message of batch.messages) await deliver(message, log, provider, loaded.config);
}

async function deliver(message: Message<unknown>, log: EmailLog, provider: EmailProvider, config: Config) {
  const parsed = v.safeParse(EmailJob, message.body);
  if (!parsed.success) {
    console.error(`emails: dropping malformed job ${message.id}: ${v.summarize(parsed.issues)}`);
    message.ack();
    return;
  }
  const job = parsed.output;
  try {
    if (await log.wasSent(job.key)) {
      message.ack();
      return;
    }
    await provider.send({ key: job.key, from: config.emailFrom, to: job.to, ...renderEmail(job, config) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const delivery = error instanceof EmailDeliveryError ? error : null;
    const permanent = delivery?.permanent ?? false;
    await log.record(job, provider.name, permanent ? "failed" : "retrying", message.attempts, reason).catch(logFailure);
    if (permanent) message.ack();
    else message.retry({ delaySeconds: retryDelaySeconds(message.attempts, delivery?.retryAfterSeconds) });
    return;
  }
  // The email is out: a log failure now must not send it twice, so ack whatever happens.
  await log.record(job, provider.name, "sent", message.attempts, null).catch(logFailure);
  message.ack();
}

async function recordDead(message: Message<unknown>, log: EmailLog, provider: string) {
  const parsed = v.safeParse(EmailJob, message.body);
  if (!parsed.success) {
    console.error(`emails: dead letter ${message.id} is not a job: ${v.summarize(parsed.issues)}`);
    message.ack();
    return;
  }
  try {
    await log.record(parsed.output, provider, "dead", null, "ran out of delivery attempts");
    message.ack();
  } catch (error) {
    logFailure(error);
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  }
}

/**
 * The provider's Retry-After when it gave one, else 10 s, 20 s, 40 s… with jitter so that
 * retries of one outage spread out; never more than an hour.
 */
export function retryDelaySeconds(attempts: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined) return Math.min(Math.max(Math.ceil(retryAfterSeconds), 0), MAX_RETRY_DELAY_S);
  const ceiling = Math.min(10 * 2 ** Math.max(attempts - 1, 0), MAX_RETRY_DELAY_S);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function logFailure(error: unknown) {
  console.error("emails: could not write the email log", error);
}

type Status = "sent" | "retrying" | "failed" | "dead";

/** The D1 email log: one row per job key, the latest state of its delivery. */
class EmailLog {
  constructor(private readonly db: D1Database) {}

  async wasSent(key: string): Promise<boolean> {
    const row = await this.db.prepare("SELECT status FROM email_log WHERE key = ?").bind(key).first<{ status: Status }>();
    return row?.status === "sent";
  }

  /** `attempts` null keeps the count the log already has. */
  async record(job: EmailJob, provider: string, status: Status, attempts: number | null, error: string | null) {
    const now = Date.now();
    await this.db
      .prepare(
        `INSERT INTO email_log (key, template, recipient, status, attempts, provider, last_error, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, COALESCE(?5, 0), ?6, ?7, ?8, ?8)
         ON CONFLICT (key) DO UPDATE SET status = excluded.status,
           attempts = COALESCE(?5, email_log.attempts), provider = excluded.provider,
           last_error = excluded.last_error, updated_at = excluded.updated_at`,
      )
      .bind(job.key, job.template, job.to, status, attempts, provider, error, now)
      .run();
  }
}
