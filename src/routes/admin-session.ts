/**
 * Signing in to the dashboard with a token: the token becomes an HttpOnly, same-site session
 * cookie (development tokens, or a script's token used in a browser). Access needs none of it.
 */
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { fromToken, SESSION_COOKIE } from "../judges/auth";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import type { AppRequest } from "./context";

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

