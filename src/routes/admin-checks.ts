/**
 * The judges' API over link checks: what an entry's checks found and whom it shares links
 * with (part of the entry's detail), and an organiser's re-run of one entry's checks (all
 * entries': the `recheck` task, started from admin-work's starter).
 */
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { recordAudit } from "../store/audit";
import { linkCheckOf, type LinkCheckRow } from "../store/link-checks";
import { sharedWith, type SharedWith } from "../store/link-owners";
import { entryId, indexedEntry, type AdminRequest } from "./admin-request";

export interface LinkReport {
  /** The latest check (null before the first), with whether one is waiting out a rate limit. */
  checks: (LinkCheckRow & { waiting: boolean }) | null;
  shared: SharedWith[];
}

/** An entry's checks and the entries that share one of its links. */
export async function linkReport(env: Env, id: string, now = Date.now()): Promise<LinkReport> {
  const [checks, shared] = await Promise.all([linkCheckOf(env.DB, id), sharedWith(env.DB, id)]);
  return { checks: checks && { ...checks, waiting: checks.pending_version > checks.check_version && checks.pending_until > now }, shared };
}

/** POST /admin/api/entries/:id/checks — checks the entry's links again (organisers); audited; 202. */
export async function recheckEntry(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  const result = await env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).recheckLinks();
  if (!result.queued) throw new HttpError(409, "no_submission", "This entry has no submission whose links could be checked.");
  await recordAudit(env.DB, request.judge, "recheck", id, { version: result.version });
  return json({ queued: true, version: result.version }, 202);
}
