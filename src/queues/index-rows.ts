import type { Env } from "../env";
import { RETRY } from "../messages/topics";
import { readMessages } from "../messages/read";
import { retryDelaySeconds } from "../messages/retry";
import { upsertEntries } from "../store/entries-index";

/**
 * The `index` queue consumer: a whole batch of rows, from any number of registrants, in
 * one D1 batch, so a signup storm costs D1 one write per batch rather than one per signup.
 * Versioned upserts make the order of delivery irrelevant. If D1 refuses, every message
 * retries with backoff; rows that run out of retries reach the dead-letter queue. Either
 * way the registrant's object keeps its row until D1 has it, and sends it again if not.
 */
export async function consumeIndex(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const rows = readMessages(batch, "index");
  try {
    await upsertEntries(env.DB, rows.map(({ body }) => body));
    for (const { message } of rows) message.ack();
  } catch (error) {
    console.warn(`index: D1 refused ${rows.length} row(s), retrying: ${error instanceof Error ? error.message : String(error)}`);
    for (const { message } of rows) message.retry({ delaySeconds: retryDelaySeconds(message.attempts, RETRY.index) });
  }
}
