import type { Env } from "../env";
import type { Read } from "../messages/read";
import { RETRY } from "../messages/topics";
import { retryDelaySeconds } from "../messages/retry";
import { upsertStatements } from "../store/entries-index";
import { registerStatements } from "../store/registry";

/**
 * Index rows from the changes queue: a whole batch of rows, from any number of registrants,
 * in one D1 batch with their registry entries, so a signup storm costs D1 one write per
 * batch rather than one per signup. Versioned upserts make the order of delivery
 * irrelevant. If D1 refuses, every row retries with backoff; the registrant's object keeps
 * its row until D1 has it, and sends it again if not.
 */
export async function writeIndexRows(rows: Read<"index">[], env: Env): Promise<void> {
  if (rows.length === 0) return;
  const bodies = rows.map(({ body }) => body);
  try {
    await env.DB.batch([...upsertStatements(env.DB, bodies), ...registerStatements(env.DB, bodies)]);
    for (const { message } of rows) message.ack();
  } catch (error) {
    console.warn(`index: D1 refused ${rows.length} row(s), retrying: ${error instanceof Error ? error.message : String(error)}`);
    for (const { message } of rows) message.retry({ delaySeconds: retryDelaySeconds(message.attempts, RETRY.index) });
  }
}
