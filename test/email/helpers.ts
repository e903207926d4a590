import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { QUEUES, type EmailSend } from "../../src/messages/topics";
import type { EmailJob } from "../../src/schemas/email-job";
import { emailChanges, queued } from "../helpers";

export const CODE = `${"a".repeat(64)}.${"S".repeat(43)}`;
/** The registrant the test jobs belong to, so that their keys parse as Swagbox's own. */
export const OWNER = "b".repeat(64);

/** A registration job for Ada, keyed `<OWNER>:link:<occasion>`, with `extra` on top. */
export function job(occasion: string, extra: Partial<EmailJob> = {}): EmailJob {
  return { template: "registration", key: `${OWNER}:link:${occasion}`, to: "ada@example.com", firstname: "Ada", code: CODE, ...extra } as EmailJob;
}

/** Runs the Worker's queue handler on one batch and says what it did with each message. */
export async function consume(queue: string, bodies: unknown[], vars: Partial<Env> = {}, attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );
  // The harness's result leaves out retry delays, so they are read from the calls themselves.
  const retries = batch.messages.map((message) => vi.spyOn(message, "retry"));
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...vars });
  const retryDelays = retries.flatMap((spy) => spy.mock.calls.map(([options]) => options?.delaySeconds));
  return { ...(await getQueueResult(batch, ctx)), retryDelays };
}

/**
 * Plans jobs as the emails queue's consumer would, keeping the provider requests it makes
 * instead of queueing them (so that nothing else sends them), and returns them.
 */
export async function plan(jobs: EmailJob[], vars: Partial<Env> = {}): Promise<{ sends: EmailSend[]; result: Awaited<ReturnType<typeof consume>> }> {
  const sends: EmailSend[] = [];
  const spy = vi.spyOn(env.EMAIL_SENDS_QUEUE, "sendBatch").mockImplementation(async (messages) => {
    for (const { body } of messages) {
      const message = queued(body);
      if (message.topic === "email_send") sends.push(message.body);
    }
    return ACCEPTED;
  });
  try {
    const result = await consume(QUEUES.changes, emailChanges(jobs), vars);
    return { sends, result };
  } finally {
    spy.mockRestore();
  }
}

/** One attempt at each provider request, as the email-sends queue makes it (its `attempts`-th). */
export function attempt(sends: EmailSend[], vars: Partial<Env> = {}, attempts = 1) {
  return consume(QUEUES.emailSends, sends.map((body) => ({ topic: "email_send", body })), vars, attempts);
}

/** A job's first delivery: planned, then attempted once. */
export async function deliver(jobs: EmailJob[], vars: Partial<Env> = {}) {
  const { sends } = await plan(jobs, vars);
  return { sends, result: await attempt(sends, vars) };
}

/** What a queue answers when it took a batch. */
export const ACCEPTED: QueueSendBatchResponse = { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };

export function logRow(key: string) {
  return env.DB.prepare("SELECT status, attempts, last_error, provider, batch_id FROM email_log WHERE key = ?").bind(key).first();
}

export function deadLetterFor(key: string) {
  return env.DB.prepare("SELECT topic, origin, reason, status FROM dead_letters WHERE topic = 'email' AND key = ?").bind(key).first();
}
