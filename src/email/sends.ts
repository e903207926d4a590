import { loadConfig, type Config } from "../config";
import type { Env } from "../env";
import { parseEmailKey } from "../messages/email-keys";
import { RETRY, type EmailSend } from "../messages/topics";
import { readMessages } from "../messages/read";
import { retryDelaySeconds } from "../messages/retry";
import type { EmailJob } from "../schemas/email-job";
import { deadLetterStatements } from "../store/dead-letters";
import {
  extendLeaseStatement,
  isSettled,
  logRows,
  pauseStatements,
  providerPause,
  settleStatements,
  type Pause,
  type Settlement,
} from "../store/email-log";
import { emailProvider, type Delivery, type EmailProvider } from "./providers";
import { forgetRequest, recordRequest } from "./requests";
import { renderEmail } from "./templates";

/** A pause of the whole stream: 5 s, 10 s, 20 s… for each refusal in a row, at most 10 min. */
const PAUSE = { firstS: 5, maxS: 600 };
/** Writes of an attempt's outcome are tried this often before the whole attempt is left to the queue. */
const LOG_WRITE_TRIES = 3;

/**
 * The `email-sends` queue consumer: each message is one provider request, fixed when it
 * was planned. Before calling the provider it reads the log: members already settled (an
 * earlier attempt) are not sent again, and while the provider has asked the whole stream
 * to wait, nothing is sent. Every outcome is written to the log before the message is
 * acked; if that write fails, the message comes back and the same request is made again
 * under the same idempotency key, which a provider that keeps keys answers without
 * sending twice. Emails without an outcome after EMAIL_RETRY_HOURS are dead-lettered.
 */
export async function consumeEmailSends(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    console.error("email sends: configuration is invalid, retrying later", loaded.problems);
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  const provider = emailProvider(loaded.config, env);
  for (const { body, message } of readMessages(batch, "email_send")) {
    await attempt(body, message, provider, loaded.config, env);
  }
}

/** One attempt of a send message: the batch, what it still owes, and the stream's state. */
interface Attempt {
  send: EmailSend;
  owed: readonly EmailJob[];
  message: Message<unknown>;
  provider: string;
  pause: Pause;
}

async function attempt(send: EmailSend, message: Message<unknown>, provider: EmailProvider, config: Config, env: Env): Promise<void> {
  const db = env.DB;
  let current: Attempt;
  let firstClaimedAt: number;
  try {
    const [members, pause] = await Promise.all([logRows(db, send.jobs.map((job) => job.key)), providerPause(db, provider.name)]);
    // What this batch still owes: its members the log has not settled (nor given to another batch).
    const owed = send.jobs.filter((job) => {
      const member = members.get(job.key);
      return member?.batch_id === send.batch && !isSettled(member.status);
    });
    current = { send, owed, message, provider: provider.name, pause };
    firstClaimedAt = Math.min(...owed.map((job) => members.get(job.key)!.created_at));
  } catch (error) {
    console.warn(`email sends: could not read the log for batch ${send.batch}: ${messageOf(error)}`);
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts, RETRY.email_send) });
    return;
  }
  if (current.owed.length === 0) {
    message.ack();
    return;
  }
  const now = Date.now();
  if (now - firstClaimedAt >= config.emailRetryHours * 3_600_000) {
    const reason = `no delivery within EMAIL_RETRY_HOURS (${config.emailRetryHours} h)`;
    await record(env, current, current.owed.map(() => ({ outcome: "refused", reason })), { dead: true });
    return;
  }
  if (current.pause.until > now) {
    const delayS = retryDelaySeconds(message.attempts, RETRY.email_send, (current.pause.until - now) / 1000);
    await extendLeaseStatement(db, send.batch, now + delayS * 1000)
      .run()
      .catch((error) => console.warn(`email sends: could not extend the lease of batch ${send.batch}: ${messageOf(error)}`));
    message.retry({ delaySeconds: delayS });
    return;
  }
  const emails = current.owed.map((job) => ({ key: job.key, from: config.emailFrom, to: job.to, ...renderEmail(job, config) }));
  try {
    // Kept before the provider may act on it: if this attempt's outcome is lost with its
    // message, the planner makes exactly this request again (src/email/requests.ts).
    await recordRequest(env.SNAPSHOTS, { batch: send.batch, jobs: [...current.owed] });
  } catch (error) {
    console.warn(`email sends: could not record batch ${send.batch} before sending it: ${messageOf(error)}`);
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts, RETRY.email_send) });
    return;
  }
  await record(env, current, await provider.sendAll(emails, await idempotencyKey(send.batch, current.owed)));
}

/**
 * Records what the attempt came to for each owed job, failures as dead letters, and a
 * pause of the stream (or its end, once the provider takes a batch again); then acks the
 * message, or schedules its next attempt when something is left to retry. `dead`: the
 * emails ran out of time and are given up.
 */
async function record(env: Env, current: Attempt, deliveries: readonly Delivery[], { dead = false } = {}): Promise<void> {
  const db = env.DB;
  const { send, owed, message, provider, pause } = current;
  const now = Date.now();
  const retries = deliveries.flatMap((delivery) => (delivery.outcome === "retry" ? [delivery] : []));
  const retryAfterS = Math.max(0, ...retries.map((delivery) => delivery.retryAfterS ?? 0));
  const pausing = retries.find((delivery) => delivery.pause);
  const pauseS = pausing ? retryDelaySeconds(pause.strikes + 1, PAUSE, retryAfterS) : 0;
  const delayS = retryDelaySeconds(message.attempts, RETRY.email_send, Math.max(pauseS, retryAfterS));
  const settlements = owed.map((job, i): Settlement => {
    const delivery = deliveries[i]!;
    const base = { key: job.key, batch: send.batch, provider };
    if (delivery.outcome === "sent") return { ...base, status: "sent", reason: null };
    if (delivery.outcome === "refused") return { ...base, status: dead ? "dead" : "failed", reason: delivery.reason };
    return { ...base, status: "retrying", reason: delivery.reason, nextAttemptAt: now + delayS * 1000 };
  });
  const givenUp = settlements.filter((s) => s.status === "failed" || s.status === "dead");
  const statements = [
    ...settleStatements(db, settlements, now),
    ...deadLetterStatements(
      db,
      givenUp.map((s) => ({ topic: "email", key: s.key, origin: parseEmailKey(s.key)?.registrantId ?? "unknown", reason: s.reason ?? "", attempts: message.attempts })),
      now,
    ),
    ...pauseStatements(db, provider, pausing ? { until: now + pauseS * 1000, strikes: pause.strikes + 1, reason: pausing.reason } : pause.strikes > 0 ? "clear" : null),
  ];
  for (let tries = 1; ; tries++) {
    try {
      await db.batch(statements);
      break;
    } catch (error) {
      if (tries < LOG_WRITE_TRIES) {
        await new Promise((resolve) => setTimeout(resolve, 100 * tries));
        continue;
      }
      // The log does not know what happened: the whole request is made again later, with
      // the same idempotency key.
      console.error(`email sends: could not record batch ${send.batch}: ${messageOf(error)}`);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, RETRY.email_send) });
      return;
    }
  }
  if (retries.length > 0) {
    message.retry({ delaySeconds: delayS });
    return;
  }
  message.ack();
  // Settled: the record would never be needed (it expires anyway).
  await forgetRequest(env.SNAPSHOTS, send.batch).catch((error) => console.warn(`email sends: could not forget batch ${send.batch}: ${messageOf(error)}`));
}

/**
 * The request's idempotency key: the batch id and a digest of the members it sends, so an
 * attempt that sends exactly the same emails asks the provider for its first answer.
 */
async function idempotencyKey(batch: string, jobs: readonly EmailJob[]): Promise<string> {
  const keys = jobs.map((job) => job.key).sort().join("\n");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(keys)));
  return `swagbox/${batch}/${[...digest.slice(0, 8)].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
