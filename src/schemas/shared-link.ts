import * as v from "valibot";
import { RegistrantId } from "./prizes";

/** Which of a submission's links a URL is. */
export const LinkKind = v.picklist(["repo", "demo"]);

export type LinkKind = v.InferOutput<typeof LinkKind>;

/** A normalised URL (src/links/normalise.ts): host and path, never a scheme. */
export const NormalisedUrl = v.pipe(v.string(), v.minLength(1), v.maxLength(2100));

const Version = v.pipe(v.number(), v.integer(), v.minValue(1));

/**
 * A registrant tells a URL's object which of its links the URL is now (none: it let go),
 * as of `version` (its link-check version, a clock reading that also rises across an
 * erasure): the object keeps only the newest word of each registrant.
 */
export const LinkClaim = v.object({
  url: NormalisedUrl,
  registrantId: RegistrantId,
  kinds: v.pipe(v.array(LinkKind), v.maxLength(2)),
  version: Version,
});

export type LinkClaim = v.InferOutput<typeof LinkClaim>;

/** Who holds a URL now, as its object knows it. */
export interface LinkOwners {
  url: string;
  owners: { registrantId: string; kinds: LinkKind[]; version: number }[];
}
