/**
 * Dashboard sessions for token holders (development tokens, or a script's token used in a
 * browser; Access needs none of it): signing in turns a valid token into a server-side
 * session whose random secret is the cookie, signing out ends it, and organisers list and
 * revoke sessions through the API.
 */
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { limitSignIns } from "../http/rate-limit";
import { recordAudit } from "../store/audit";
import { findToken, readCookie, sessionCookieName } from "../judges/auth";
import { deleteSession, endSession, listSessions, SESSION_TTL_S, startSession } from "../judges/sessions";
import type { Env } from "../env";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import type { AdminRequest } from "./admin-request";
import type { AppRequest } from "./context";

/**
 * Before sessions were kept on the server, the cookie `swagbox_admin` (path /admin) held the
 * token itself; signing in or out deletes it from the browser.
 */
const FORGET_TOKEN_COOKIE = "swagbox_admin=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0";

/** GET /admin/login. */
export function loginPage(request: AppRequest): Response {
  return renderLogin(request, null, 200);
}

/**
 * POST /admin/login — a valid token starts a session: the cookie carries only its random
 * secret (HttpOnly, SameSite=Strict, `__Host-` and Secure on https). Attempts are limited
 * per client address.
 */
export async function login(request: AppRequest, env: Env): Promise<Response> {
  requireSameOrigin(request);
  await limitSignIns(request, env);
  const body = await readFields(request, request.config.maxBodyBytes);
  const token = typeof body.token === "string" ? body.token.trim() : "";
  const entry = token ? await findToken(token, request.config) : null;
  if (!entry) return renderLogin(request, "That token is not valid.", 401);
  const secret = await startSession(env.DB, entry);
  const headers = new Headers({ location: "/admin" });
  headers.append("set-cookie", sessionCookie(request, secret, SESSION_TTL_S));
  headers.append("set-cookie", FORGET_TOKEN_COOKIE);
  return new Response(null, { status: 303, headers });
}

/** POST /admin/logout — ends the session on the server, so a copy of the cookie stops working too. */
export async function logout(request: AppRequest, env: Env): Promise<Response> {
  requireSameOrigin(request);
  const secret = readCookie(request, sessionCookieName(request));
  if (secret) await endSession(env.DB, secret);
  const headers = new Headers({ location: "/admin/login" });
  headers.append("set-cookie", sessionCookie(request, "", 0));
  headers.append("set-cookie", FORGET_TOKEN_COOKIE);
  return new Response(null, { status: 303, headers });
}

/** GET /admin/api/sessions — the sessions that would be accepted now (organisers). */
export async function sessions(request: AdminRequest, env: Env): Promise<Response> {
  const list = await listSessions(env.DB, request.config);
  return json({ sessions: list.map((session) => ({ ...session, current: session.id === request.judge.session })) });
}

/** DELETE /admin/api/sessions/:id — ends a session (organisers); audited. */
export async function revokeSession(request: AdminRequest, env: Env): Promise<Response> {
  const id = String(request.params.id ?? "");
  if (!/^[0-9a-f]{64}$/.test(id) || !(await deleteSession(env.DB, id))) {
    throw new HttpError(404, "not_found", "There is no session with that id.");
  }
  await recordAudit(env.DB, request.judge, "revoke_session", null, { session: id });
  return json({ revoked: true });
}

function sessionCookie(request: Request, secret: string, maxAge: number): string {
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  return `${sessionCookieName(request)}=${secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
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
