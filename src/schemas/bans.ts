/**
 * The ban list: mailboxes (kept only as the SHA-256 of the canonical mailbox) and whole
 * domains that may not sign up or submit. The PrizeCounter keeps it and publishes it to KV
 * as a snapshot, which the Worker reads on the signup path (docs/decisions.md).
 */
import * as v from "valibot";
import { hashSecret, hex } from "../secrets";
import { withParents } from "./email-domains";
import { RegistrantId } from "./prizes";

/** The KV key of the ban-list snapshot. */
export const BAN_SNAPSHOT_KEY = "bans";

const Sha256Hex = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "Not a SHA-256 in hex"));

/** A domain as the configuration and the email schema hold it: lower-cased, at least two labels, no spaces. */
export const BannedDomain = v.pipe(
  v.string("domain must be text"),
  v.trim(),
  v.normalize("NFC"),
  v.toLowerCase(),
  v.maxLength(253, "domain must be at most 253 characters"),
  v.regex(/^[^\s@*,]+\.[^\s@*,]+$/u, "domain must be a domain such as example.com"),
);

/** Why an organiser acted: required, kept in the audit log. */
export const Reason = v.pipe(
  v.string("reason must be text"),
  v.trim(),
  v.nonEmpty("reason is required"),
  v.maxLength(1000, "reason must be at most 1000 characters"),
);

/** What the PrizeCounter is asked to ban. A mailbox ban names the mailbox's registrant, who is disqualified with it. */
export const BanRequest = v.variant("kind", [
  v.object({ kind: v.literal("mailbox"), hash: Sha256Hex, registrantId: RegistrantId, reason: Reason }),
  v.object({ kind: v.literal("domain"), domain: BannedDomain, reason: Reason }),
]);

export type BanRequest = v.InferOutput<typeof BanRequest>;

/** The snapshot the Worker and the Registrants read: what is banned now (may lag the counter by seconds). */
export const BanSnapshot = v.object({
  mailboxes: v.array(Sha256Hex),
  domains: v.array(v.string()),
  updatedAt: v.string(),
});

export type BanSnapshot = v.InferOutput<typeof BanSnapshot>;

export const NO_BANS: BanSnapshot = { mailboxes: [], domains: [], updatedAt: new Date(0).toISOString() };

/** The SHA-256 of a canonical mailbox, in hex: how the ban list holds a mailbox. */
export async function mailboxHash(mailbox: string): Promise<string> {
  return hex(await hashSecret(mailbox));
}

/** Whether the snapshot bans this mailbox (by its hash) or its domain, or a domain it is under. */
export function isBanned(snapshot: BanSnapshot, hash: string, domain: string): boolean {
  return snapshot.mailboxes.includes(hash) || withParents(domain).some((candidate) => snapshot.domains.includes(candidate));
}

/** What a banned visitor is told, on the signup form and the submission form alike. */
export const BANNED_MESSAGE = "This email address may not take part in this contest. If you think this is a mistake, write to the organisers.";
