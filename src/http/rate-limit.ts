import type { Env } from "../env";
import { HttpError } from "./errors";

/** The limiter's window in seconds (wrangler.toml, `[[ratelimits]]` SIGNUP_LIMITER). */
const WINDOW_S = 60;

/**
 * Refuses a client that sent more signup or new-link forms than SIGNUP_LIMITER allows
 * (wrangler.toml: per IP address, per Cloudflare location). Both forms make Swagbox email
 * an address the visitor typed, so without a limit one script could mail thousands of
 * strangers through the contest's sending domain. Cloudflare sets cf-connecting-ip on
 * every request; without it (a test calling the Worker directly) or without the binding
 * there is nothing to count.
 */
export async function limitEmailingForms(request: Request, env: Env): Promise<void> {
  const ip = request.headers.get("cf-connecting-ip");
  if (!env.SIGNUP_LIMITER || !ip) return;
  const { success } = await env.SIGNUP_LIMITER.limit({ key: clientKey(ip) });
  if (!success) {
    throw new HttpError(429, "rate_limited", "Too many signups came from your network in the last minute.", undefined, {
      "retry-after": String(WINDOW_S),
    });
  }
}

/**
 * The address an IPv4 client is counted under, or the /64 network of an IPv6 client
 * (one subscriber's prefix, in which it can pick any address it likes).
 */
export function clientKey(ip: string): string {
  if (!ip.includes(":") || ip.includes(".")) return ip.slice(ip.lastIndexOf(":") + 1);
  const [head = "", tail] = ip.toLowerCase().split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill("0");
  const groups = [...headGroups, ...zeros, ...tailGroups];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
