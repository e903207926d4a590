import * as v from "valibot";
import { ObjectId, RegistrantId } from "./prizes";

/** ONE_BOX_PER_ADDRESS when it is on: `review` flags a second winner at an address, `refuse` turns them away. */
export const AddressMode = v.picklist(["review", "refuse"]);

export type AddressMode = v.InferOutput<typeof AddressMode>;

/**
 * Where a winner's address is claimed, as the Worker hands it to the Registrant: the
 * AddressClaim object named by the address's fingerprint (its id, never the fingerprint),
 * and the rule in force.
 */
export const AddressPlace = v.object({ claim: ObjectId, mode: AddressMode });

export type AddressPlace = v.InferOutput<typeof AddressPlace>;

/** A claim's token: each claim of an address gets a new one, so a late release of an older claim changes nothing. */
export const ClaimToken = v.pipe(v.string(), v.uuid());

/** What an AddressClaim tells each of its claimants: the other winners at that address, as of its `seq`. */
export const AddressPeers = v.object({
  registrantId: RegistrantId,
  claim: ObjectId,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  peers: v.pipe(v.array(RegistrantId), v.maxLength(1000)),
});

export type AddressPeers = v.InferOutput<typeof AddressPeers>;

/** A Registrant gives up its claim of an address (a corrected address, a failed save, an erasure). */
export const AddressRelease = v.object({ registrantId: RegistrantId, claim: ObjectId, token: ClaimToken });

export type AddressRelease = v.InferOutput<typeof AddressRelease>;

export type ClaimResult =
  | { ok: true; stamp: number; seq: number; peers: string[] }
  | { ok: false; reason: "address_taken" };
