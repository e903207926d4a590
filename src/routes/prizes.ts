import * as v from "valibot";
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { isHead } from "../http/head";
import { busy } from "../objects/live-sockets";
import { liveRelay, prizeCounter } from "../objects/stubs";
import { PRIZE_SNAPSHOT_KEY, PrizeSnapshot, type PrizeStatus } from "../schemas/prizes";
import type { AppRequest } from "./context";

/** Polling clients may reuse an answer this long; the WebSocket is the exact channel. */
const POLL_MAX_AGE_S = 2;
const POLL_CACHE = `public, max-age=${POLL_MAX_AGE_S}`;

/**
 * This isolate's copy of the latest answer. The Cache API does nothing on `*.workers.dev`,
 * so without it every poll there would reach the one PrizeCounter.
 */
let isolateCopy: { status: PrizeStatus; until: number } | undefined;

/**
 * GET /live — hands the WebSocket upgrade to the object that holds it with the Hibernation
 * API: a LiveRelay, starting from a random one and trying the next while one is full (503)
 * or fails, or the PrizeCounter itself when LIVE_RELAYS is 0. When every relay is full or
 * failing, the 503 sends the page's script to polling. A fresh Request for each: the router's
 * request object cannot cross to a stub.
 */
export async function live(request: AppRequest, env: Env): Promise<Response> {
  // A HEAD cannot open a socket: it gets what a GET without the upgrade would.
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || isHead(request)) {
    throw new HttpError(426, "upgrade_required", "Connect with a WebSocket, or poll /api/prizes.");
  }
  const upgrade = () => new Request(request.url, { headers: request.headers });
  const relays = request.config.liveRelays;
  if (relays === 0) return prizeCounter(env).fetch(upgrade());
  const first = Math.floor(Math.random() * relays);
  let response: Response | undefined;
  for (let i = 0; i < relays && response?.status !== 101; i++) {
    const relay = (first + i) % relays;
    response = await liveRelay(env, relay)
      .fetch(upgrade())
      .catch((error: unknown) => {
        // An overloaded or restarting relay is as good as a full one: the next may take it.
        console.warn(`live: relay ${relay} failed: ${error instanceof Error ? error.message : String(error)}`);
        return busy();
      });
  }
  return response!;
}

/**
 * GET /api/prizes — the same message /live sends, for clients without WebSockets or past
 * the socket cap. Answers come from this isolate's copy, or else this Cloudflare location's
 * cache, for as long as POLL_CACHE allows, so however many visitors poll, the one
 * PrizeCounter answers each isolate (on a custom domain: each location) about once in that
 * time and keeps its capacity for awards and claims. The key ignores the query string,
 * which would otherwise let a poller bypass the cache.
 */
export async function prizes(request: AppRequest, env: Env, ctx: ExecutionContext): Promise<Response> {
  if (isolateCopy && Date.now() < isolateCopy.until) return pollAnswer(isolateCopy.status);
  const key = new Request(new URL("/api/prizes", request.url));
  const cached = await caches.default.match(key);
  if (cached) return cached;
  const { remaining, total, head } = await prizeCounter(env).getStatus();
  const status: PrizeStatus = { type: "prizes", remaining, total, head };
  isolateCopy = { status, until: Date.now() + POLL_MAX_AGE_S * 1000 };
  const response = pollAnswer(status);
  ctx.waitUntil(caches.default.put(key, response.clone()));
  return response;
}

function pollAnswer(status: PrizeStatus): Response {
  return Response.json(status, { headers: { "cache-control": POLL_CACHE } });
}

const LogQuery = v.object({
  after: v.optional(v.pipe(v.string(), v.regex(/^\d{1,9}$/, "after must be a whole number"), v.transform(Number)), "0"),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,4}$/, "limit must be a whole number"), v.transform(Number), v.minValue(1), v.maxValue(1000, "limit is at most 1000")),
    "500",
  ),
});

/** GET /api/prizes/log — the public, hash-chained award log, a page at a time. */
export async function prizeLog(request: AppRequest, env: Env): Promise<Response> {
  const query = v.safeParse(LogQuery, { after: request.query.after, limit: request.query.limit });
  if (!query.success) {
    const issue = query.issues[0];
    throw new HttpError(400, "malformed", issue.message, { [String(issue.path?.[0]?.key ?? "query")]: issue.message });
  }
  const log = await prizeCounter(env).log(query.output.after, query.output.limit);
  return Response.json(log, { headers: { "cache-control": POLL_CACHE } });
}

/**
 * The pool as the landing page shows it before its script goes live: the KV snapshot,
 * which may lag by seconds, or the configured size before the first snapshot.
 */
export async function prizeSnapshot(env: Env, poolSize: number): Promise<{ remaining: number; total: number }> {
  const stored = await env.SNAPSHOTS.get(PRIZE_SNAPSHOT_KEY, "json").catch(() => null);
  const snapshot = v.safeParse(PrizeSnapshot, stored);
  return snapshot.success ? snapshot.output : { remaining: poolSize, total: poolSize };
}
