import { planEmails } from "../email/jobs";
import type { Env } from "../env";
import { readMessages } from "../messages/read";
import { retryDelaySeconds, type RetryPolicy } from "../messages/retry";
import { writeIndexRows } from "./index-rows";

/**
 * The changes queue's consumer: what registrants' changes imply, a batch at a time. The
 * batch's index rows (with the registry) and its email jobs go to D1 side by side, each
 * with its own outcome. A change is acked when both its sides succeeded; otherwise it is
 * retried whole, and the side that had succeeded takes the redelivery as the duplicate it
 * is (versioned upserts, emails claimed once).
 */
export async function consumeChanges(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const changes = readMessages(batch, "change");
  if (changes.length === 0) return;
  const [indexFailure, emailFailure] = await Promise.all([
    writeIndexRows(changes.flatMap(({ body }) => body.rows), env),
    planEmails(changes.flatMap(({ body }) => body.emails), env),
  ]);
  for (const { body, message } of changes) {
    const failures = [body.rows.length > 0 ? indexFailure : null, body.emails.length > 0 ? emailFailure : null].filter((policy): policy is RetryPolicy => policy !== null);
    if (failures.length === 0) message.ack();
    else message.retry({ delaySeconds: Math.max(...failures.map((policy) => retryDelaySeconds(message.attempts, policy))) });
  }
}
