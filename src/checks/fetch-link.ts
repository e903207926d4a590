/**
 * Whether a link answers: its host's addresses are looked up first (DNS over HTTPS) and a
 * name that resolves to a private or metadata address is refused without a fetch; then one
 * GET, whose body is never read, and each redirect (up to MAX_REDIRECTS) checked the same
 * way before it is followed.
 */
import * as v from "valibot";
import { isIpLiteral, isPublicAddress } from "../links/addresses";
import { refusal } from "../links/static-check";
import type { DemoStatus, LinkResult } from "../schemas/link-check";
import { CheckerUnavailable, discard, OutOfBudget, type Net } from "./net";

/** Redirects followed before the last answer counts as it is. */
export const MAX_REDIRECTS = 3;

const DOH = "https://cloudflare-dns.com/dns-query";

/** The parts of a DNS-over-HTTPS JSON answer a check reads. */
const DnsAnswer = v.object({
  Status: v.number(),
  Answer: v.optional(v.array(v.object({ type: v.number(), data: v.string() })), []),
});

const A = 1;
const AAAA = 28;
const NXDOMAIN = 3;

type Verdict = { ok: true } | { ok: false; status: "refused" | "unreachable"; detail: string };

/**
 * Where the name `host` leads: refused when any of its addresses is not global unicast (a
 * fetch might reach that one), unreachable when it has none. DNS-over-HTTPS itself failing
 * is the checker's trouble, not the link's: CheckerUnavailable.
 */
export async function resolveHost(net: Net, host: string): Promise<Verdict> {
  const answers = await Promise.all(
    [A, AAAA].map(async (type) => {
      let response: Response;
      try {
        response = await net.fetch(`${DOH}?name=${encodeURIComponent(host)}&type=${type}`, { accept: "application/dns-json" });
      } catch (error) {
        if (error instanceof OutOfBudget) throw error;
        throw new CheckerUnavailable(`DNS over HTTPS failed: ${messageOf(error)}`);
      }
      const parsed = response.ok ? v.safeParse(DnsAnswer, await response.json().catch(() => null)) : null;
      if (!parsed?.success) throw new CheckerUnavailable(`DNS over HTTPS answered ${response.status}`);
      return parsed.output;
    }),
  );
  if (answers.some((answer) => answer.Status === NXDOMAIN)) return { ok: false, status: "unreachable", detail: `${host} does not exist (DNS)` };
  const addresses = answers.flatMap((answer) => answer.Answer.filter((record) => record.type === A || record.type === AAAA).map((record) => record.data));
  const inside = addresses.find((address) => !isPublicAddress(address));
  if (inside !== undefined) return { ok: false, status: "refused", detail: `${host} resolves to ${inside}, a private, loopback, link-local or reserved address` };
  if (addresses.length === 0) return { ok: false, status: "unreachable", detail: `${host} has no address (DNS)` };
  return { ok: true };
}

/**
 * Fetches `url` as a browser would open it, but checking every hop before it is made:
 * `live` for a 2xx or 3xx answer, `error` for another status, `unreachable` when no answer
 * came (DNS, timeout, TLS), `refused` when the link or a redirect may not be fetched.
 */
export async function fetchLink(net: Net, url: string): Promise<LinkResult<DemoStatus>> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const via = hop === 0 ? "" : `redirected to ${current}: `;
    const refused = refusal(current);
    if (refused) return { status: "refused", http: null, detail: `${via}${refused}` };
    const host = new URL(current).hostname;
    if (!isIpLiteral(host)) {
      const resolved = await resolveHost(net, host);
      if (!resolved.ok) return { status: resolved.status, http: null, detail: `${via}${resolved.detail}` };
    }
    let response: Response;
    try {
      response = await net.fetch(current, { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    } catch (error) {
      if (error instanceof OutOfBudget) throw error;
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      return { status: "unreachable", http: null, detail: `${via}${timedOut ? "no answer within the timeout" : messageOf(error)}` };
    }
    discard(response);
    const location = response.headers.get("location");
    const next = location === null ? null : URL.parse(location, current)?.href;
    if (response.status >= 300 && response.status < 400 && next && hop < MAX_REDIRECTS) {
      current = next;
      continue;
    }
    const detail = hop === 0 ? null : `after ${hop} redirect${hop === 1 ? "" : "s"}, at ${current}`;
    if (response.status >= 200 && response.status < 400) return { status: "live", http: response.status, detail };
    return { status: "error", http: response.status, detail };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
