import type { Env } from "../env";
import { RETRY } from "../messages/topics";
import type { RetryPolicy } from "../messages/retry";
import type { EntryRow } from "../schemas/entry-row";
import { upsertStatements } from "../store/entries-index";
import { registerStatements } from "../store/registry";

/**
 * Index rows from the changes queue: a whole batch of rows, from any number of registrants,
 * in one D1 batch with their registry entries, so a signup storm costs D1 one write per
 * batch rather than one per signup. Versioned upserts make the order of delivery
 * irrelevant. Returns how to retry when D1 refused (null when written); the registrant's
 * object keeps its row until D1 has it, and sends it again if not.
 */
export async function writeIndexRows(rows: EntryRow[], env: Env): Promise<RetryPolicy | null> {
  if (rows.length === 0) return null;
  try {
    await env.DB.batch([...upsertStatements(env.DB, rows), ...registerStatements(env.DB, rows)]);
    return null;
  } catch (error) {
    console.warn(`index: D1 refused ${rows.length} row(s), retrying: ${error instanceof Error ? error.message : String(error)}`);
    return RETRY.index;
  }
}
