import type { Env } from "../env";

/** How the Worker and the objects reach an object: by its name, never by a lookup. */

/** The one PrizeCounter of a deployment. */
export function prizeCounter(env: Env) {
  return env.PRIZE_COUNTER.get(env.PRIZE_COUNTER.idFromName("pool"));
}

/** Relay `n` of the deployment's LIVE_RELAYS. */
export function liveRelay(env: Env, n: number) {
  return env.LIVE_RELAY.get(env.LIVE_RELAY.idFromName(`relay-${n}`));
}

/** The object of one normalised repository or demo URL, the judge of who holds it. */
export function sharedLink(env: Env, url: string) {
  return env.SHARED_LINK.get(env.SHARED_LINK.idFromName(url));
}
