import * as v from "valibot";
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { WITHHELD, isBlind } from "../judges/blind";
import { decodeCursor, encodeCursor } from "../judges/cursor";
import { parseEmailKey } from "../messages/email-keys";
import { retryDeadLetter } from "../queues/dead-letters";
import { recordAudit } from "../store/audit";
import { parseQuery, type AdminRequest } from "./admin-request";

const EmailsQuery = v.object({
  status: v.optional(
    v.picklist(["sending", "retrying", "sent", "failed", "dead", "retried"], "status is sending, retrying, sent, failed, dead or retried"),
  ),
  /** One recipient's emails: their address as they signed up with it (compared without case). */
  recipient: v.optional(v.pipe(v.string(), v.trim(), v.toLowerCase(), v.maxLength(254, "recipient is at most 254 characters"))),
  cursor: v.optional(v.string()),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, "limit is a whole number"), v.transform(Number), v.minValue(1), v.maxValue(500)), "100"),
});

const EmailCursor = v.tuple([v.number(), v.string()]);

/** GET /admin/api/emails — the email log, newest change first, a page at a time; by status, by recipient. */
export async function emails(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(EmailsQuery, request);
  const [beforeTime, beforeKey] = query.cursor ? decodeCursor(query.cursor, EmailCursor) : [Number.MAX_SAFE_INTEGER, ""];
  const { results } = await env.DB.prepare(
    `SELECT key, template, recipient, status, attempts, provider, last_error, created_at, updated_at FROM email_log
     WHERE (?1 IS NULL OR status = ?1) AND (?5 IS NULL OR recipient = ?5) AND (updated_at < ?2 OR (updated_at = ?2 AND key < ?3))
     ORDER BY updated_at DESC, key DESC LIMIT ?4`,
  )
    .bind(query.status ?? null, beforeTime, beforeKey, query.limit + 1, query.recipient || null)
    .all<{ key: string; updated_at: number; recipient: string; last_error: string | null }>();
  const page = results.slice(0, query.limit);
  const last = page.at(-1);
  // Under blind judging a judge may not learn who entered: the address, and any provider
  // error that may quote it, are withheld.
  const blind = isBlind(request.config, request.judge);
  const shown = blind ? page.map((email) => ({ ...email, recipient: WITHHELD, last_error: email.last_error === null ? null : WITHHELD })) : page;
  return json({ emails: shown, next: results.length > query.limit && last ? encodeCursor([last.updated_at, last.key]) : null });
}

/**
 * POST /admin/api/emails/:key/retry — sends a failed or dead email again. Emails with a link
 * go out with a fresh link (the object keeps only hashes); the audit log records the retry.
 */
export async function retryEmail(request: AdminRequest, env: Env): Promise<Response> {
  const key = safeDecode(String(request.params.key));
  const parsed = key ? parseEmailKey(key) : null;
  const logged = key && parsed ? await env.DB.prepare("SELECT status FROM email_log WHERE key = ?").bind(key).first<{ status: string }>() : null;
  if (!key || !parsed || !logged) throw new HttpError(404, "not_found", "There is no email with that key in the log.");
  // Sending again what went out (or is still being tried) would retire a working link.
  if (logged.status !== "failed" && logged.status !== "dead") {
    throw new HttpError(409, "not_failed", `That email is ${logged.status}; only failed or dead emails are retried.`);
  }
  const outcome = await retryDeadLetter(env, { topic: "email", key, origin: parsed.registrantId });
  if (!outcome.retried) throw new HttpError(409, "nothing_to_resend", outcome.reason);
  await recordAudit(env.DB, request.judge, "email_retry", parsed.registrantId, { key, was: logged.status });
  return json({ resent: true, ...outcome.detail }, 202);
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
