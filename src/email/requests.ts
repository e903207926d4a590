/**
 * The provider requests Swagbox has made, kept until they settle: an attempt is recorded
 * (its batch, exactly the emails it sent) before the provider is called. If the request's
 * outcome is then lost with its queue message, the planner finds the record when the
 * emails come back, and makes the same request again under the same idempotency key, which
 * the provider answers from its own record instead of sending twice.
 *
 * The record is in KV, not D1, because the emails carry link codes: KV keeps no history
 * and forgets a record a day after it was written (when Resend forgets its key, too).
 */
import * as v from "valibot";
import { EmailSend } from "../messages/topics";

const PREFIX = "email-request:";
/** Resend keeps an idempotency key for 24 hours; a record is no use for longer. */
const KEEP_S = 24 * 3_600 + 3_600;

export function recordRequest(kv: KVNamespace, request: EmailSend): Promise<void> {
  return kv.put(PREFIX + request.batch, JSON.stringify(request), { expirationTtl: KEEP_S });
}

/** The requests recorded for these batches (a batch never attempted has none). */
export async function recordedRequests(kv: KVNamespace, batches: readonly string[]): Promise<EmailSend[]> {
  const found = await Promise.all(batches.map((batch) => kv.get(PREFIX + batch, "json")));
  return found.flatMap((record) => {
    const parsed = v.safeParse(EmailSend, record);
    return parsed.success ? [parsed.output] : [];
  });
}

/** Settled: nothing will make this request again. */
export function forgetRequest(kv: KVNamespace, batch: string): Promise<void> {
  return kv.delete(PREFIX + batch);
}
