import * as v from "valibot";
import type { EmailTemplate } from "../schemas/email-job";
import { RegistrantId } from "../schemas/prizes";

/**
 * What an email is about, as its key says it. Every email's key is
 * `<registrant id>:<kind>:<occasion>`: unique per email, stable across every retry and
 * redelivery of it (the consumer sends each key once), and enough to tell, from the key
 * alone, whose email it was and what an organiser's retry should send again.
 */
const KIND_OF = {
  registration: "link",
  link_resent: "link",
  submission_received: "submission",
  prize_won: "prize",
  shipping_reminder: "shipping-reminder",
  hold_expired: "hold-expired",
  shipping_confirmed: "shipping-confirmed",
  shipped: "shipped",
  disqualified: "disqualified",
  prize_revoked: "prize-revoked",
  // A promotion is the award's email for an entrant who was waitlisted: one per award, as prize_won.
  waitlist_promoted: "prize",
  announcement: "announcement",
} as const satisfies Record<EmailTemplate, string>;

export type EmailKind = (typeof KIND_OF)[EmailTemplate];

/**
 * What an organiser's retry of a failed email sends: emails that carried a link go out
 * with a fresh link (only hashes of codes are kept, so the old one cannot be sent again);
 * the others are queued again as they were.
 */
export const RESEND_AS = {
  link: "link",
  submission: "link",
  prize: "shipping_link",
  "shipping-reminder": "shipping_link",
  "shipping-confirmed": "shipping_confirmed",
  shipped: "shipped",
  "hold-expired": "hold_expired",
  disqualified: "disqualified",
  "prize-revoked": "prize_revoked",
  // Not the Registrant's: the announcement is queued again from D1 (src/announcements/).
  announcement: "announcement",
} as const satisfies Record<EmailKind, string>;

export type ResendKind = (typeof RESEND_AS)[EmailKind];

const KINDS = [...new Set(Object.values(KIND_OF))] as [EmailKind, ...EmailKind[]];

/** The key of `template`'s email to the registrant, for one occasion (a link number, a version…). */
export function emailKey(registrantId: string, template: EmailTemplate, occasion: string | number): string {
  return `${registrantId}:${KIND_OF[template]}:${occasion}`;
}

const ParsedEmailKey = v.pipe(
  v.string(),
  v.maxLength(200),
  v.transform((key) => key.split(":")),
  v.strictTuple([RegistrantId, v.picklist(KINDS), v.pipe(v.string(), v.minLength(1))]),
  v.transform(([registrantId, kind, occasion]) => ({ registrantId, kind, occasion })),
);

/** Whose email a key names, what it was about and on which occasion; null for a key Swagbox never made. */
export function parseEmailKey(key: string): { registrantId: string; kind: EmailKind; occasion: string } | null {
  const parsed = v.safeParse(ParsedEmailKey, key);
  return parsed.success ? parsed.output : null;
}
