import type { Env } from "../env";
import { clientKey } from "./client-key";
import { HttpError } from "./errors";

/** The window of every `[[ratelimits]]` binding in wrangler.toml, in seconds. */
const WINDOW_S = 60;

/**
 * Refuses (429, the message naming `form`) a client that sent more signup or new-link forms than SIGNUP_LIMITER allows
 * (wrangler.toml: per IP address, per Cloudflare location). Both forms make Swagbox email
 * an address the visitor typed, so without a limit one script could mail thousands of
 * strangers through the contest's sending domain.
 */
export function limitEmailingForms(request: Request, env: Env, form: "signup" | "link" = "signup"): Promise<void> {
  const what = form === "signup" ? "signups" : "requests for a new link";
  return limitClient(request, env.SIGNUP_LIMITER, `Too many ${what} came from your network in the last minute.`);
}

/**
 * Refuses a client that tried to sign in to the dashboard more often than
 * ADMIN_LOGIN_LIMITER allows, so tokens cannot be guessed at the Worker's speed.
 */
export function limitSignIns(request: Request, env: Env): Promise<void> {
  return limitClient(request, env.ADMIN_LOGIN_LIMITER, "Too many sign-in attempts came from your network in the last minute.");
}

/**
 * 429 with Retry-After once `limiter` says the client's address (clientKey) is past its
 * limit. Cloudflare sets cf-connecting-ip on every request; without it (a test calling the
 * Worker directly) or without the binding there is nothing to count.
 */
async function limitClient(request: Request, limiter: RateLimit | undefined, message: string): Promise<void> {
  const ip = request.headers.get("cf-connecting-ip");
  if (!limiter || ip === null) return;
  const { success } = await limiter.limit({ key: clientKey(ip) });
  if (!success) throw new HttpError(429, "rate_limited", message, undefined, { "retry-after": String(WINDOW_S) });
}
