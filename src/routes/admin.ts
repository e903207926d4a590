import { Router } from "itty-router";
import * as v from "valibot";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { authenticate } from "../judges/auth";
import { allows, type Role } from "../schemas/judges";
import { EntriesQuery, listEntries } from "../judges/entries-query";
import { scoreSchema } from "../schemas/rubric";
import { putScore, scoresFor } from "../judges/scores";
import { contestStats } from "../judges/stats";
import { prizeCounter } from "../objects/stubs";
import { listAudit, recordAudit } from "../store/audit";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import { fieldErrors, HttpUrl } from "../schemas/fields";
import { PoolSize, RegistrantId } from "../schemas/prizes";
import { PRODUCTS } from "../schemas/products";
import { linkReport, recheckEntry } from "./admin-checks";
import { emails, retryEmail } from "./admin-emails";
import {
  addBan,
  addressPairs,
  banEntry,
  bans,
  clearAddress,
  disqualify,
  entryReview,
  flag,
  flagQueue,
  liftBan,
  refuseBannedEntry,
  reinstate,
  resolveFlag,
} from "./admin-fair-play";
import { exportCsv } from "./admin-export";
import { deadLetters, resume, retryLetter, starter, task, tasks } from "./admin-work";
import { revokeSession, sessions } from "./admin-session";
import { announcements, createDraft, editDraft, previewAnnouncement, previewAnnouncementHtml, sendDraft, showAnnouncement, testAnnouncement } from "./admin-announcements";
import { content, contentAt, previewContent, saveContent } from "./admin-content";
import { publishResults, results, withdrawResults } from "./admin-results";
import { entryId, indexedEntry, parseQuery, type AdminRequest, type Handler } from "./admin-request";
import type { RouterArgs } from "./context";
import { awardBatch, preview } from "./admin-awards";
import { conflicts, declare, removal } from "./admin-conflicts";
import { next, progress, skip } from "./admin-judging";
import { addNoteTo, notes } from "./admin-notes";
import { hideIdentity, isBlind } from "../judges/blind";
import { conflictMessage } from "../judges/conflicts";
import { conflictsWith } from "../store/conflicts";

interface AdminRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  /** The least role that may call it. */
  role: Role;
  handler: Handler;
}

/**
 * The judges' OpenAPI document (src/judges/openapi.ts), as `npm run openapi` published it to
 * public/: the static file's bytes, answered as Response.json answers, to judges only.
 */
async function openApiDocument(request: AdminRequest, env: Env): Promise<Response> {
  const file = await env.ASSETS.fetch(new URL("/admin/api/openapi.json", request.url));
  if (!file.ok) throw new Error(`the OpenAPI document is missing from the static assets (${file.status})`);
  return new Response(file.body, { headers: { "content-type": "application/json" } });
}

/**
 * Every judges' route, with the role it needs. The router below is built from this table
 * and authenticates before any route runs, so a route cannot be added without both.
 */
export const ADMIN_ROUTES: AdminRoute[] = [
  { method: "GET", path: "/admin", role: "judge", handler: dashboard },
  { method: "GET", path: "/admin/api/me", role: "judge", handler: me },
  { method: "GET", path: "/admin/api/entries", role: "judge", handler: entries },
  { method: "GET", path: "/admin/api/entries/:id", role: "judge", handler: entry },
  { method: "PUT", path: "/admin/api/entries/:id/score", role: "judge", handler: score },
  { method: "POST", path: "/admin/api/entries/:id/award", role: "organiser", handler: award },
  { method: "DELETE", path: "/admin/api/entries/:id/award", role: "organiser", handler: revoke },
  { method: "POST", path: "/admin/api/entries/:id/shipped", role: "organiser", handler: shipped },
  { method: "DELETE", path: "/admin/api/entries/:id", role: "organiser", handler: erase },
  { method: "PUT", path: "/admin/api/pool", role: "organiser", handler: resizePool },
  { method: "GET", path: "/admin/api/export.csv", role: "judge", handler: exportCsv },
  { method: "GET", path: "/admin/api/stats", role: "judge", handler: stats },
  { method: "GET", path: "/admin/api/audit", role: "judge", handler: audit },
  { method: "POST", path: "/admin/api/reindex", role: "organiser", handler: starter("reindex") },
  { method: "POST", path: "/admin/api/flush", role: "organiser", handler: starter("flush") },
  { method: "POST", path: "/admin/api/entries/:id/checks", role: "organiser", handler: recheckEntry },
  { method: "POST", path: "/admin/api/checks", role: "organiser", handler: starter("recheck") },
  { method: "GET", path: "/admin/api/tasks", role: "judge", handler: tasks },
  { method: "GET", path: "/admin/api/tasks/:id", role: "judge", handler: task },
  { method: "POST", path: "/admin/api/tasks/:id/resume", role: "organiser", handler: resume },
  { method: "GET", path: "/admin/api/emails", role: "judge", handler: emails },
  { method: "POST", path: "/admin/api/emails/:key/retry", role: "organiser", handler: retryEmail },
  { method: "GET", path: "/admin/api/dead-letters", role: "judge", handler: deadLetters },
  { method: "POST", path: "/admin/api/dead-letters/:id/retry", role: "organiser", handler: retryLetter },
  { method: "GET", path: "/admin/api/sessions", role: "organiser", handler: sessions },
  { method: "DELETE", path: "/admin/api/sessions/:id", role: "organiser", handler: revokeSession },
  { method: "GET", path: "/admin/api/openapi.json", role: "judge", handler: openApiDocument },
  // One box per person: identity, flags, disqualification, bans, shared addresses.
  { method: "GET", path: "/admin/api/entries/:id/review", role: "judge", handler: entryReview },
  { method: "PUT", path: "/admin/api/entries/:id/flag", role: "judge", handler: flag },
  { method: "DELETE", path: "/admin/api/entries/:id/flag", role: "organiser", handler: resolveFlag },
  { method: "POST", path: "/admin/api/entries/:id/disqualify", role: "organiser", handler: disqualify },
  { method: "POST", path: "/admin/api/entries/:id/reinstate", role: "organiser", handler: reinstate },
  { method: "POST", path: "/admin/api/entries/:id/ban", role: "organiser", handler: banEntry },
  { method: "POST", path: "/admin/api/entries/:id/clear-address", role: "organiser", handler: clearAddress },
  { method: "GET", path: "/admin/api/flags", role: "organiser", handler: flagQueue },
  { method: "GET", path: "/admin/api/address-pairs", role: "organiser", handler: addressPairs },
  { method: "GET", path: "/admin/api/bans", role: "organiser", handler: bans },
  { method: "POST", path: "/admin/api/bans", role: "organiser", handler: addBan },
  { method: "DELETE", path: "/admin/api/bans/:id", role: "organiser", handler: liftBan },
  // Judging at scale: assignment, conflicts, progress, the top-N award, notes.
  { method: "GET", path: "/admin/api/next", role: "judge", handler: next },
  { method: "POST", path: "/admin/api/entries/:id/skip", role: "judge", handler: skip },
  { method: "GET", path: "/admin/api/progress", role: "judge", handler: progress },
  { method: "GET", path: "/admin/api/conflicts", role: "judge", handler: conflicts },
  { method: "POST", path: "/admin/api/conflicts", role: "judge", handler: declare },
  { method: "DELETE", path: "/admin/api/conflicts/:id", role: "organiser", handler: removal },
  { method: "GET", path: "/admin/api/awards/preview", role: "organiser", handler: preview },
  { method: "POST", path: "/admin/api/awards", role: "organiser", handler: awardBatch },
  { method: "GET", path: "/admin/api/entries/:id/notes", role: "organiser", handler: notes },
  { method: "POST", path: "/admin/api/entries/:id/notes", role: "organiser", handler: addNoteTo },
  // The organisers' voice: a revoke's notice, their page content, results, announcements.
  { method: "DELETE", path: "/admin/api/entries/:id/revoke-notice", role: "organiser", handler: cancelRevokeNotice },
  { method: "GET", path: "/admin/api/content", role: "organiser", handler: content },
  { method: "PUT", path: "/admin/api/content", role: "organiser", handler: saveContent },
  { method: "POST", path: "/admin/api/content/preview", role: "organiser", handler: previewContent },
  { method: "GET", path: "/admin/api/content/versions/:version", role: "organiser", handler: contentAt },
  { method: "GET", path: "/admin/api/results", role: "judge", handler: results },
  { method: "POST", path: "/admin/api/results", role: "organiser", handler: publishResults },
  { method: "DELETE", path: "/admin/api/results", role: "organiser", handler: withdrawResults },
  { method: "GET", path: "/admin/api/announcements", role: "organiser", handler: announcements },
  { method: "POST", path: "/admin/api/announcements", role: "organiser", handler: createDraft },
  { method: "GET", path: "/admin/api/announcements/:id", role: "organiser", handler: showAnnouncement },
  { method: "PUT", path: "/admin/api/announcements/:id", role: "organiser", handler: editDraft },
  { method: "GET", path: "/admin/api/announcements/:id/preview", role: "organiser", handler: previewAnnouncement },
  { method: "GET", path: "/admin/api/announcements/:id/preview.html", role: "organiser", handler: previewAnnouncementHtml },
  { method: "POST", path: "/admin/api/announcements/:id/test", role: "organiser", handler: testAnnouncement },
  { method: "POST", path: "/admin/api/announcements/:id/send", role: "organiser", handler: sendDraft },
];

const UNSAFE = new Set(["POST", "PUT", "DELETE", "PATCH"]);

/**
 * Credentials first, then — for a browser's cookie-borne credentials — proof that a
 * state-changing request comes from the dashboard itself: same origin, JSON body.
 */
async function requireJudge(request: AdminRequest, env: Env): Promise<Response | void> {
  const judge = await authenticate(request, request.config, env.DB);
  if (!judge) {
    const page = request.method === "GET" && new URL(request.url).pathname === "/admin";
    if (page) return Response.redirect(new URL("/admin/login", request.url).href, 303);
    throw new HttpError(401, "unauthorized", "Sign in: send a bearer token, or come through Cloudflare Access.");
  }
  request.judge = judge;
  if (UNSAFE.has(request.method) && judge.via !== "token") requireSameOriginJson(request);
}

function requireSameOriginJson(request: Request): void {
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  const sameOrigin = site ? site === "same-origin" : origin === new URL(request.url).origin;
  if (!sameOrigin) throw new HttpError(403, "forbidden_origin", "Changes must come from the dashboard's own pages.");
  const type = request.headers.get("content-type") ?? "";
  if (request.method !== "DELETE" && !type.toLowerCase().startsWith("application/json")) {
    throw new HttpError(415, "unsupported_media_type", "Send JSON.");
  }
}

function withRole(role: Role, handler: Handler): Handler {
  return (request, env, ctx) => {
    if (!allows(request.judge.role, role)) {
      throw new HttpError(403, "forbidden_role", `This needs the ${role} role; ${request.judge.name} is a ${request.judge.role}.`);
    }
    return handler(request, env, ctx);
  };
}

export const adminRouter = ADMIN_ROUTES.reduce(
  (router, route) => router[route.method.toLowerCase() as "get"](route.path, withRole(route.role, route.handler) as never),
  Router<AdminRequest, RouterArgs>({ before: [requireJudge] }),
).all("*", () => {
  throw new HttpError(404, "not_found", "There is no such judges' route.");
});

// ---- the dashboard and its API ----

function dashboard(request: AdminRequest): Response {
  return renderPage(request, request.config, PAGES.admin, {
    title: "Judges' dashboard",
    text: { judgeName: request.judge.name, judgeRole: request.judge.role },
    show: { organiser: request.judge.role === "organiser", session: request.judge.via === "session" },
  });
}

function me(request: AdminRequest): Response {
  const { name, role, via } = request.judge;
  const { rubric, awardPolicy, reviewsPerEntry, minReviews } = request.config;
  const blind = isBlind(request.config, request.judge);
  return json({ name, role, via, rubric, awardPolicy, products: PRODUCTS, reviewsPerEntry, minReviews, blind });
}

async function entries(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(EntriesQuery, request);
  const blind = isBlind(request.config, request.judge);
  if (blind && query.sort === "score") {
    throw new HttpError(403, "blind_judging", "Judging is blind: ranking by score is for organisers.", { sort: "sort by created or submitted" });
  }
  const page = await listEntries(env.DB, query, { reviewsPerEntry: request.config.reviewsPerEntry, blindJudge: blind ? request.judge.name : null });
  if (!blind) return json(page);
  return json({ ...page, entries: page.entries.map(({ mine, ...entry }) => (mine ? entry : hideIdentity(entry))) });
}

async function entry(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  const row = await indexedEntry(env, id);
  const [view, scores, links] = await Promise.all([
    env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).adminView(),
    scoresFor(env.DB, id),
    linkReport(env, id),
  ]);
  // A winner's postal address is for organisers, like the shipping export.
  const shipping_address = request.judge.role === "organiser" ? row.shipping_address : null;
  const shown = { ...row, shipping_address, products: JSON.parse(String(row.products)) };
  const myScore = scores.find((s) => s.judge === request.judge.name) ?? null;
  const blind = isBlind(request.config, request.judge) && myScore === null;
  return json({
    entry: blind ? hideIdentity(shown) : shown,
    history: view?.versions ?? [],
    prize: view?.prize ?? null,
    revokeNotice: view?.revokeNotice ?? null,
    scores: blind ? [] : scores,
    myScore,
    checks: links.checks,
    // Who else used the links: under blind judging, their entries without their names.
    shared: isBlind(request.config, request.judge) ? links.shared.map(hideIdentity) : links.shared,
  });
}

async function score(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  const body = await readFields(request, request.config.maxBodyBytes);
  const parsed = v.safeParse(scoreSchema(request.config.rubric), body);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.issues) {
      const path = v.getDotPath(issue) ?? "body";
      fields[path] ??= issue.message;
    }
    throw new HttpError(422, "invalid", "The score needs correcting.", fields);
  }
  const row = await indexedEntry(env, id);
  if (row.submission_version === null) throw new HttpError(409, "no_submission", "This entry has no submission to score yet.");
  const conflicts = await conflictsWith(env.DB, request.judge.name, id);
  if (conflicts.length > 0) {
    throw new HttpError(403, "conflict_of_interest", conflictMessage(conflicts, request.judge, isBlind(request.config, request.judge)));
  }
  return json(await putScore(env.DB, request.config.rubric, request.judge, id, parsed.output));
}

async function award(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  const row = await indexedEntry(env, id);
  const view = await env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).adminView();
  if (!view || view.versions.length === 0) throw new HttpError(409, "no_submission", "Only an entry with a submission can win.");
  await refuseBannedEntry(env, row);
  const result = await prizeCounter(env).award(id, request.judge.name);
  if (!result.ok && result.reason === "disqualified") throw new HttpError(409, "disqualified", "This entry is disqualified: reinstate it first.");
  if (!result.ok) throw new HttpError(409, "no_prizes_left", "Every prize is awarded. Revoke one, or enlarge the pool, first.");
  if (!result.already) await recordAudit(env.DB, request.judge, "award", id, { slot: result.slot });
  return json(result, result.already ? 200 : 201);
}

const RevokeBody = v.object({
  /** Told to the entrant in the notice. */
  reason: v.optional(v.pipe(v.string("The reason must be text"), v.trim(), v.maxLength(500, "The reason must be at most 500 characters")), ""),
  /** false: no notice at all (the award was a mistake). */
  notify: v.optional(v.boolean("notify is true or false"), true),
});

/**
 * DELETE /admin/api/entries/:id/award — revokes the prize. The entrant's notice (with the
 * reason, if given) waits REVOKE_UNDO_MINUTES, during which it can be called off; none goes
 * with `notify: false`. A body is optional.
 */
async function revoke(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  // The dashboard sends a DELETE as JSON with no body at all.
  const body = request.body ? await readFields(request, request.config.maxBodyBytes) : {};
  const parsed = v.safeParse(RevokeBody, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "The revocation needs correcting.", fieldErrors(parsed.issues));
  const { reason, notify } = parsed.output;
  const result = await prizeCounter(env).revoke(id, request.judge.name, { reason: reason || null, notify });
  if (!result.ok) throw new HttpError(409, "not_awarded", "This entry has no prize to revoke.");
  await recordAudit(env.DB, request.judge, "revoke", id, { slot: result.slot, reason, notify });
  const noticeAfter = notify ? new Date(Date.now() + request.config.revokeUndoMinutes * 60_000).toISOString() : null;
  return json({ ...result, notice: { notify, noticeAfter } });
}

/** DELETE /admin/api/entries/:id/revoke-notice — a revoke's notice, still in its undo window, does not go; audited. */
async function cancelRevokeNotice(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  if (!(await env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).cancelRevokeNotice())) {
    throw new HttpError(409, "nothing_to_cancel", "No notice is waiting: it went already, or none was due.");
  }
  await recordAudit(env.DB, request.judge, "revoke_notice_cancel", id);
  return json({ cancelled: true });
}

const ShippedBody = v.object({
  tracking_url: v.optional(v.nullable(HttpUrl("Tracking URL")), null),
});

/** POST /admin/api/entries/:id/shipped — the box left; the winner gets the tracking link. */
async function shipped(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  const body = await readFields(request, request.config.maxBodyBytes);
  const parsed = v.safeParse(ShippedBody, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "The tracking URL needs correcting.", fieldErrors(parsed.issues));
  const result = await env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).markShipped(parsed.output.tracking_url);
  if (!result.ok) throw new HttpError(409, "no_address", "Only a winner who gave an address can be shipped to.");
  await recordAudit(env.DB, request.judge, "shipped", id, { tracking_url: parsed.output.tracking_url });
  // Named as the entry's fields are, so a client can merge the answer into the entry.
  const { status, trackingUrl, holdExpiresAt, address } = result.shipping;
  return json({
    shipping_status: status,
    tracking_url: trackingUrl,
    hold_expires_at: holdExpiresAt,
    shipping_address: address ? JSON.stringify(address) : null,
  });
}

/** DELETE /admin/api/entries/:id — erases the entrant (an organiser acting on a request). */
async function erase(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  await env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).erase();
  await recordAudit(env.DB, request.judge, "erase", id);
  return json({ erased: true });
}

const PoolBody = v.object({ total: PoolSize });

async function resizePool(request: AdminRequest, env: Env): Promise<Response> {
  const body = await readFields(request, request.config.maxBodyBytes);
  const parsed = v.safeParse(PoolBody, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "The pool size needs correcting.", fieldErrors(parsed.issues));
  const result = await prizeCounter(env).resize(parsed.output.total, request.judge.name);
  if (!result.ok) {
    throw new HttpError(409, "below_awarded", `${result.awarded} prizes are already awarded; the pool cannot be smaller.`);
  }
  await recordAudit(env.DB, request.judge, "resize", null, { total: result.total });
  return json(result);
}

async function stats(_request: AdminRequest, env: Env): Promise<Response> {
  const [counts, pool] = await Promise.all([contestStats(env.DB), prizeCounter(env).getStatus()]);
  return json({ ...counts, prizes: pool });
}

const AuditQuery = v.object({
  before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, "before is a whole number"), v.transform(Number))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, "limit is a whole number"), v.transform(Number), v.minValue(1), v.maxValue(500)), "100"),
  actor: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200, "actor is at most 200 characters"))),
  action: v.optional(v.pipe(v.string(), v.regex(/^[a-z_]{1,40}$/, "action is an action name, like award or revoke"))),
  entry: v.optional(RegistrantId),
});

/** GET /admin/api/audit — newest first; filtered by who (actor), what (action) and which entry. */
async function audit(request: AdminRequest, env: Env): Promise<Response> {
  const { before, limit, actor, action, entry } = parseQuery(AuditQuery, request);
  // Under blind judging the log would show other judges' scores: a judge reads their own actions.
  const who = isBlind(request.config, request.judge) ? request.judge.name : actor || undefined;
  return json(await listAudit(env.DB, before ?? null, limit, { actor: who, action, target: entry }));
}
