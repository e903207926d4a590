import type { Env } from "../env";
import { canonicalMailbox, type CanonicalMode } from "../schemas/mailbox";

/** How the Worker and the objects reach an object: by its name, never by a lookup. */

/** The one PrizeCounter of a deployment. */
export function prizeCounter(env: Env) {
  return env.PRIZE_COUNTER.get(env.PRIZE_COUNTER.idFromName("pool"));
}

/** Relay `n` of the deployment's LIVE_RELAYS. */
export function liveRelay(env: Env, n: number) {
  return env.LIVE_RELAY.get(env.LIVE_RELAY.idFromName(`relay-${n}`));
}

/**
 * The Registrant of `email`'s mailbox: every spelling that EMAIL_CANONICAL folds into one
 * mailbox names the same object (invariant 1).
 */
export function registrantByEmail(env: Env, email: string, mode: CanonicalMode) {
  return env.REGISTRANT.get(env.REGISTRANT.idFromName(canonicalMailbox(email, mode)));
}

/** The AddressClaim whose id the Worker derived from an address's fingerprint. */
export function addressClaim(env: Env, id: string) {
  return env.ADDRESS_CLAIM.get(env.ADDRESS_CLAIM.idFromString(id));
}

/** The object of one normalised repository or demo URL, the judge of who holds it. */
export function sharedLink(env: Env, url: string) {
  return env.SHARED_LINK.get(env.SHARED_LINK.idFromName(url));
}
