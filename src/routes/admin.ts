import { Router, type IRequest } from "itty-router";
import * as v from "valibot";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { listAudit, recordAudit } from "../judges/audit";
import { allows, authenticate, fromToken, SESSION_COOKIE, type Judge, type Role } from "../judges/auth";
import { csvStream } from "../judges/csv";
import { EntriesQuery, listEntries } from "../judges/entries-query";
import { ADMIN_OPENAPI } from "../judges/openapi";
import { scoreSchema } from "../judges/rubric";
import { putScore, scoresFor } from "../judges/scores";
import { contestStats } from "../judges/stats";
import { prizeCounter } from "../objects/prize-counter";
import type { ResendKind } from "../objects/registrant";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import { fieldErrors, HttpUrl } from "../schemas/fields";
import { PoolSize, RegistrantId } from "../schemas/prizes";
import { PRODUCTS } from "../schemas/products";
import type { AppRequest, RouterArgs } from "./context";

/** A request on a judges' route, once its credentials are known. */
export type AdminRequest = AppRequest & { judge: Judge };

type Handler = (request: AdminRequest, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

interface AdminRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  /** The least role that may call it. */
  role: Role;
  handler: Handler;
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
  { method: "POST", path: "/admin/api/reindex", role: "organiser", handler: reindex },
  { method: "GET", path: "/admin/api/emails", role: "judge", handler: emails },
  { method: "POST", path: "/admin/api/emails/:key/retry", role: "organiser", handler: retryEmail },
  { method: "GET", path: "/admin/api/openapi.json", role: "judge", handler: () => Response.json(ADMIN_OPENAPI) },
];

const UNSAFE = new Set(["POST", "PUT", "DELETE", "PATCH"]);

/**
 * Credentials first, then — for a browser's cookie-borne credentials — proof that a
 * state-changing request comes from the dashboard itself: same origin, JSON body.
 */
async function requireJudge(request: AdminRequest): Promise<Response | void> {
  const judge = await authenticate(request, request.config);
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

// ---- sign-in for the dashboard (development tokens, or scripts' tokens in a browser) ----

/** GET /admin/login. */
export function loginPage(request: AppRequest): Response {
  return renderLogin(request, null, 200);
}

/** POST /admin/login — a valid token becomes an HttpOnly, same-site session cookie. */
export async function login(request: AppRequest): Promise<Response> {
  requireSameOrigin(request);
  const body = await readFields(request, request.config.maxBodyBytes);
  const token = typeof body.token === "string" ? body.token.trim() : "";
  const judge = token ? await fromToken(token, request.config, "session") : null;
  if (!judge) return renderLogin(request, "That token is not valid.", 401);
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  return new Response(null, {
    status: 303,
    headers: {
      location: "/admin",
      "set-cookie": `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=43200${secure}`,
    },
  });
}

/** POST /admin/logout. */
export function logout(request: AppRequest): Response {
  requireSameOrigin(request);
  return new Response(null, {
    status: 303,
    headers: { location: "/admin/login", "set-cookie": `${SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0` },
  });
}

/** Sign-in and sign-out forms: refused only when the browser says another site sent them. */
function requireSameOrigin(request: Request): void {
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  // Pages send no referrer, so a same-origin form post may carry `Origin: null`.
  const foreign = site ? site !== "same-origin" && site !== "none" : origin !== null && origin !== "null" && origin !== new URL(request.url).origin;
  if (foreign) throw new HttpError(403, "forbidden_origin", "Sign in from this site's own page.");
}

function renderLogin(request: AppRequest, error: string | null, status: number): Response {
  return renderPage(
    request,
    request.config,
    PAGES.login,
    {
      title: "Judges' sign-in",
      errors: error ? { token: error } : {},
      show: { development: request.config.environment === "development", access: request.config.access !== null },
    },
    { status },
  );
}

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
  return json({ name, role, via, rubric: request.config.rubric, awardPolicy: request.config.awardPolicy, products: PRODUCTS });
}

async function entries(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(EntriesQuery, request);
  return json(await listEntries(env.DB, query));
}

async function entry(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  const row = await indexedEntry(env, id);
  const [view, scores] = await Promise.all([
    env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).adminView(),
    scoresFor(env.DB, id),
  ]);
  return json({
    entry: { ...row, products: JSON.parse(String(row.products)) },
    history: view?.versions ?? [],
    prize: view?.prize ?? null,
    scores,
    myScore: scores.find((s) => s.judge === request.judge.name) ?? null,
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
  return json(await putScore(env.DB, request.config.rubric, request.judge, id, parsed.output));
}

async function award(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  const view = await env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).adminView();
  if (!view || view.versions.length === 0) throw new HttpError(409, "no_submission", "Only an entry with a submission can win.");
  const result = await prizeCounter(env).award(id, request.judge.name);
  if (!result.ok) throw new HttpError(409, "no_prizes_left", "Every prize is awarded. Revoke one, or enlarge the pool, first.");
  if (!result.already) await recordAudit(env.DB, request.judge, "award", id, { slot: result.slot });
  return json(result, result.already ? 200 : 201);
}

async function revoke(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  const result = await prizeCounter(env).revoke(id, request.judge.name);
  if (!result.ok) throw new HttpError(409, "not_awarded", "This entry has no prize to revoke.");
  await recordAudit(env.DB, request.judge, "revoke", id, { slot: result.slot });
  return json(result);
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
  return json(result.shipping);
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
});

async function audit(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(AuditQuery, request);
  return json(await listAudit(env.DB, query.before ?? null, query.limit));
}

const ReindexBody = v.object({ ids: v.optional(v.pipe(v.array(RegistrantId), v.maxLength(1000))) });

/**
 * POST /admin/api/reindex — every registrant the index or the prize ledger knows (and any
 * `ids` given) re-sends its row, overwriting what D1 has. The objects are the truth.
 */
async function reindex(request: AdminRequest, env: Env): Promise<Response> {
  const body = await readFields(request, request.config.maxBodyBytes);
  const parsed = v.safeParse(ReindexBody, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "ids must be registrant ids.", fieldErrors(parsed.issues));
  const { results } = await env.DB.prepare("SELECT id FROM entries").all<{ id: string }>();
  const ledger = await prizeCounter(env).registrantIds();
  const ids = [...new Set([...results.map((row) => row.id), ...ledger, ...(parsed.output.ids ?? [])])];
  let reindexed = 0;
  for (let i = 0; i < ids.length; i += 50) {
    const found = await Promise.all(
      ids.slice(i, i + 50).map((id) => env.REGISTRANT.get(env.REGISTRANT.idFromString(id)).reindex()),
    );
    reindexed += found.filter(Boolean).length;
  }
  await recordAudit(env.DB, request.judge, "reindex", null, { reindexed });
  return json({ reindexed });
}

// ---- the email log ----

const EmailsQuery = v.object({
  status: v.optional(v.picklist(["sent", "retrying", "failed", "dead"], "status is sent, retrying, failed or dead")),
  before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, "before is a whole number"), v.transform(Number))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, "limit is a whole number"), v.transform(Number), v.minValue(1), v.maxValue(500)), "100"),
});

/** GET /admin/api/emails — the email log, newest change first (`before`: the last updated_at seen). */
async function emails(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(EmailsQuery, request);
  const { results } = await env.DB.prepare(
    `SELECT key, template, recipient, status, attempts, provider, last_error, created_at, updated_at FROM email_log
     WHERE (?1 IS NULL OR status = ?1) AND updated_at < ?2 ORDER BY updated_at DESC, key DESC LIMIT ?3`,
  )
    .bind(query.status ?? null, query.before ?? Number.MAX_SAFE_INTEGER, query.limit + 1)
    .all<{ updated_at: number }>();
  const page = results.slice(0, query.limit);
  return json({ emails: page, next: results.length > query.limit ? (page.at(-1)?.updated_at ?? null) : null });
}

/** Which registrant and what to resend, from an email's job key (`<registrant id>:<kind>:…`). */
const RETRY_KINDS = {
  link: "link",
  submission: "link",
  prize: "shipping_link",
  "shipping-reminder": "shipping_link",
  "shipping-confirmed": "shipping_confirmed",
  shipped: "shipped",
  "hold-expired": "hold_expired",
} as const satisfies Record<string, ResendKind>;

/**
 * POST /admin/api/emails/:key/retry — sends a failed or dead email again. Emails with a link
 * go out with a fresh link (the object keeps only hashes); the audit log records the retry.
 */
async function retryEmail(request: AdminRequest, env: Env): Promise<Response> {
  const key = decodeURIComponent(String(request.params.key));
  const logged = await env.DB.prepare("SELECT status FROM email_log WHERE key = ?").bind(key).first<{ status: string }>();
  const match = /^([0-9a-f]{64}):([a-z-]+)(?::|$)/.exec(key);
  const kind = match ? RETRY_KINDS[match[2] as keyof typeof RETRY_KINDS] : undefined;
  if (!logged || !match || !kind) throw new HttpError(404, "not_found", "There is no email with that key in the log.");
  const resent = await env.REGISTRANT.get(env.REGISTRANT.idFromString(match[1]!)).resendEmail(kind);
  if (!resent) throw new HttpError(409, "nothing_to_resend", "That email no longer applies (the entrant or their prize has moved on).");
  await recordAudit(env.DB, request.judge, "email_retry", match[1]!, { key, was: logged.status });
  return json({ resent: true, kind }, 202);
}

// ---- export ----

const EXPORTS = {
  entries: {
    role: "judge",
    where: "1 = 1",
    header: ["id", "firstname", "lastname", "email", "status", "registered_at", "submitted_at", "title", "repo_url", "demo_url", "products", "score", "scores", "slot"],
    cells: (r: ExportRow) => [r.id, r.firstname, r.lastname, r.email, r.status, iso(r.registered_at), iso(r.submitted_at), r.title, r.repo_url, r.demo_url, products(r), r.score, r.scores_count, r.slot],
  },
  submissions: {
    role: "judge",
    where: "submission_version IS NOT NULL",
    header: ["id", "firstname", "lastname", "email", "title", "description", "repo_url", "demo_url", "products", "version", "submitted_at", "amended_at", "score"],
    cells: (r: ExportRow) => [r.id, r.firstname, r.lastname, r.email, r.title, r.description, r.repo_url, r.demo_url, products(r), r.submission_version, iso(r.submitted_at), iso(r.amended_at), r.score],
  },
  winners: {
    role: "organiser",
    where: "status = 'winner'",
    header: ["slot", "id", "firstname", "lastname", "email", "title", "demo_url", "shipping_status"],
    cells: (r: ExportRow) => [r.slot, r.id, r.firstname, r.lastname, r.email, r.title, r.demo_url, r.shipping_status],
  },
  // What a swag vendor needs: winners who gave an address.
  shipping: {
    role: "organiser",
    where: "status = 'winner' AND shipping_address IS NOT NULL",
    header: ["slot", "name", "address_line1", "address_line2", "city", "region", "postal_code", "country", "phone", "tshirt_size", "email", "status", "tracking_url"],
    cells: (r: ExportRow) => {
      const a = JSON.parse(String(r.shipping_address)) as Record<string, string>;
      return [r.slot, a.name, a.address_line1, a.address_line2, a.city, a.region, a.postal_code, a.country, a.phone, a.tshirt_size, r.email, r.shipping_status, r.tracking_url];
    },
  },
} satisfies Record<string, { role: Role; where: string; header: string[]; cells: (row: ExportRow) => unknown[] }>;

type ExportRow = Record<string, string | number | null> & { id: string; registered_at: number; products: string };

const ExportQuery = v.object({
  set: v.optional(v.picklist(["entries", "submissions", "winners", "shipping"], "set is entries, submissions, winners or shipping"), "entries"),
});

async function exportCsv(request: AdminRequest, env: Env): Promise<Response> {
  const { set } = parseQuery(ExportQuery, request);
  const spec = EXPORTS[set];
  if (!allows(request.judge.role, spec.role)) {
    throw new HttpError(403, "forbidden_role", `Exporting ${set} needs the ${spec.role} role.`);
  }
  await recordAudit(env.DB, request.judge, "export", null, { set });
  const stream = csvStream<ExportRow>(spec.header, spec.cells, async (after) => {
    const { results } = await env.DB.prepare(
      `SELECT * FROM entries WHERE ${spec.where} AND (registered_at > ?1 OR (registered_at = ?1 AND id > ?2))
       ORDER BY registered_at, id LIMIT 500`,
    )
      .bind(after?.registered_at ?? -1, after?.id ?? "")
      .all<ExportRow>();
    return results;
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="swagbox-${set}.csv"`,
      "cache-control": "no-store",
    },
  });
}

const iso = (ms: unknown) => (typeof ms === "number" ? new Date(ms).toISOString() : "");
const products = (row: ExportRow) => (JSON.parse(row.products) as string[]).join(" ");

// ---- helpers ----

function entryId(request: IRequest): string {
  const parsed = v.safeParse(RegistrantId, request.params.id);
  if (!parsed.success) throw new HttpError(404, "not_found", "There is no entry with that id.");
  return parsed.output;
}

async function indexedEntry(env: Env, id: string): Promise<Record<string, unknown>> {
  const row = await env.DB.prepare("SELECT * FROM entries WHERE id = ?").bind(id).first();
  if (!row) throw new HttpError(404, "not_found", "There is no entry with that id.");
  return row;
}

function parseQuery<T extends v.GenericSchema>(schema: T, request: IRequest): v.InferOutput<T> {
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = v.safeParse(schema, raw);
  if (!parsed.success) throw new HttpError(400, "malformed", v.summarize(parsed.issues), fieldErrors(parsed.issues));
  return parsed.output;
}
