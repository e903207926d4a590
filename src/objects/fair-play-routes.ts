/**
 * The outbox routes of one box per person: how the PrizeCounter tells a Registrant it was
 * disqualified or reinstated, how an AddressClaim tells each winner at an address who
 * else gave it, and how a Registrant gives up a claim. Each is a call that returns once
 * the receiver stored it, which confirms it; receivers keep only the newest by `seq`, or
 * act once per token, so delivering twice is harmless.
 */
import type { Env } from "../env";
import { KEY_OF } from "../messages/topics";
import type { AddressPeers, AddressRelease } from "../schemas/address-claim";
import type { EligibilityUpdate } from "../schemas/eligibility";
import type { Route } from "./outbox";

function registrant(env: Env, id: string) {
  return env.REGISTRANT.get(env.REGISTRANT.idFromString(id));
}

/** The counter's word on a registrant's eligibility, to that registrant. */
export function eligibilityRoute(env: Env): Route<EligibilityUpdate> {
  return {
    key: KEY_OF.eligibility,
    deliver: async (updates) => {
      await Promise.all(updates.map((update) => registrant(env, update.registrantId).recordEligibility(update)));
    },
  };
}

/** Who else gave an address, to each winner who gave it. */
export function addressPeersRoute(env: Env): Route<AddressPeers> {
  return {
    key: KEY_OF.address_peers,
    deliver: async (updates) => {
      await Promise.all(updates.map((update) => registrant(env, update.registrantId).recordAddressPeers(update)));
    },
  };
}

/** A registrant's claim of an address, given back to the address's AddressClaim. */
export function addressReleaseRoute(env: Env): Route<AddressRelease> {
  return {
    key: KEY_OF.address_release,
    deliver: async (releases) => {
      for (const release of releases) {
        await env.ADDRESS_CLAIM.get(env.ADDRESS_CLAIM.idFromString(release.claim)).release(release.registrantId, release.token);
      }
    },
  };
}
