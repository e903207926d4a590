import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import type { EmailJob } from "../../src/schemas/email-job";

export const CODE = `${"a".repeat(64)}.${"S".repeat(43)}`;

/** A registration job for Ada, with `extra` on top. */
export function job(key: string, extra: Partial<EmailJob> = {}): EmailJob {
  return { template: "registration", key, to: "ada@example.com", firstname: "Ada", code: CODE, ...extra } as EmailJob;
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

export function logRow(key: string) {
  return env.DB.prepare("SELECT status, attempts, last_error, provider FROM email_log WHERE key = ?").bind(key).first();
}
