import * as v from "valibot";
import type { Env } from "../env";
import { DEAD_LETTER_SUFFIX, retryDelaySeconds } from "../queues/retry";
import { EntryRow } from "../schemas/entry-row";
import { upsertEntries } from "./entries-index";

/** The queue that carries index rows (wrangler.toml); its dead letters come on the same name plus "-dlq". */
export const INDEX_QUEUE = "swagbox-index";

/**
 * The `index` queue consumer: a whole batch of rows, from any number of registrants, in
 * one D1 batch, so a signup storm costs D1 one write per batch rather than one per signup.
 * Versioned upserts make the order of delivery irrelevant. If D1 refuses, every message
 * retries with backoff; rows that run out of retries reach the dead-letter queue, whose
 * consumer asks each registrant's object to send its row again (the object is the truth).
 */
export async function consumeIndex(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const rows: { row: EntryRow; message: Message<unknown> }[] = [];
  for (const message of batch.messages) {
    const parsed = v.safeParse(EntryRow, message.body);
    if (parsed.success) rows.push({ row: parsed.output, message });
    else {
      console.error(`index: dropping malformed row ${message.id}: ${v.summarize(parsed.issues)}`);
      message.ack();
    }
  }
  if (batch.queue.endsWith(DEAD_LETTER_SUFFIX)) {
    await Promise.all(rows.map(({ row, message }) => reindexFromObject(env, row.id, message)));
    return;
  }
  try {
    await upsertEntries(env.DB, rows.map(({ row }) => row));
    for (const { message } of rows) message.ack();
  } catch (error) {
    console.warn(`index: D1 refused ${rows.length} row(s), retrying: ${error instanceof Error ? error.message : String(error)}`);
    for (const { message } of rows) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  }
}

async function reindexFromObject(env: Env, id: string, message: Message<unknown>): Promise<void> {
  try {
    // An erased registrant has nothing to send, and its tombstone is already in place.
    await env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).reindex();
    message.ack();
  } catch (error) {
    console.error(`index: registrant ${id} could not send its row again`, error);
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  }
}
