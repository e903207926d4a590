/**
 * The judges' work list: the next entry to review (leased for a few minutes), skipping an
 * entry, and how far judging has got.
 */
import * as v from "valibot";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { isHead } from "../http/head";
import { json } from "../http/negotiate";
import { hideIdentity, isBlind } from "../judges/blind";
import { fieldErrors } from "../schemas/fields";
import { leaseNext, skipStatements } from "../store/assignments";
import { auditStatement } from "../store/audit";
import { judgingProgress, type JudgeProgress } from "../store/progress";
import { entryId, indexedEntry, type AdminRequest } from "./admin-request";

/**
 * GET /admin/api/next — leases the caller the entry that most needs a review from them
 * (see leaseNext), or answers `{"entry": null}` when none does. Each call leases another:
 * a GET that changes something, as the issue's contract names it; a HEAD leases nothing.
 */
export async function next(request: AdminRequest, env: Env): Promise<Response> {
  // A HEAD changes nothing: it leases nothing either.
  if (isHead(request)) return json({ entry: null, lease: null });
  const lease = await leaseNext(env.DB, request.judge.name, request.config.reviewsPerEntry);
  if (!lease) return json({ entry: null, lease: null });
  const entry = await env.DB.prepare(
    `SELECT id, email, firstname, lastname, status, submitted_at, submission_version, title, products, score, scores_count
     FROM entries WHERE id = ?`,
  )
    .bind(lease.entry_id)
    .first<Record<string, unknown> & { products: string }>();
  if (!entry) throw new Error(`leased entry ${lease.entry_id} is not in the index`);
  const shown = { ...entry, products: JSON.parse(entry.products) as string[] };
  // The entry was just leased, so the caller has not scored it.
  return json({ entry: isBlind(request.config, request.judge) ? hideIdentity(shown) : shown, lease });
}

const SkipBody = v.object({
  reason: v.optional(v.pipe(v.string("reason must be text"), v.trim(), v.maxLength(500, "reason is at most 500 characters")), ""),
});

/** POST /admin/api/entries/:id/skip — `next` does not give the caller this entry again; audited. */
export async function skip(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  const body = await readFields(request, request.config.maxBodyBytes);
  const parsed = v.safeParse(SkipBody, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "The skip needs correcting.", fieldErrors(parsed.issues));
  const row = await indexedEntry(env, id);
  if (row.submission_version === null) throw new HttpError(409, "no_submission", "This entry has no submission to review yet.");
  const { reason } = parsed.output;
  await env.DB.batch([
    ...skipStatements(env.DB, request.judge.name, id, reason),
    auditStatement(env.DB, request.judge, "skip", id, { reason }),
  ]);
  return json({ skipped: true, entry_id: id, reason });
}

/**
 * GET /admin/api/progress — judging overall, and per judge: every judge for organisers
 * (those with a token listed even before they start), the caller's own for a judge.
 */
export async function progress(request: AdminRequest, env: Env): Promise<Response> {
  const organiser = request.judge.role === "organiser";
  const { overall, judges } = await judgingProgress(env.DB, request.config.reviewsPerEntry, organiser ? null : request.judge.name);
  const known = new Set(judges.map((row) => row.judge));
  const waiting = (organiser ? request.config.adminTokens.filter((token) => token.role === "judge").map((token) => token.name) : [request.judge.name])
    .filter((name) => !known.has(name))
    .map((name): JudgeProgress => ({ judge: name, scored: 0, conflicted: 0, skipped: 0, leased: 0 }));
  return json({ overall, judges: [...judges, ...waiting].sort((a, b) => a.judge.localeCompare(b.judge)) });
}
