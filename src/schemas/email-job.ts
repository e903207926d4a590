import * as v from "valibot";

/** The longest announcement: a subject line, and a body that keeps a provider request of 100 well under a queue message. */
export const ANNOUNCEMENT_LIMITS = { subject: 150, body: 8_000 } as const;

const Base = {
  /** Unique per email; the consumer sends each key once. */
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  to: v.pipe(v.string(), v.minLength(3), v.maxLength(254)),
  firstname: v.string(),
};

/** A secret link code; it lives only in the job and the email. */
const Code = v.string();
const Instant = v.pipe(v.number(), v.integer());

/** One email a change carries (its `emails`): which template, for whom, with what. */
export const EmailJob = v.variant("template", [
  v.object({ template: v.literal("registration"), ...Base, code: Code }),
  v.object({ template: v.literal("link_resent"), ...Base, code: Code }),
  v.object({
    template: v.literal("submission_received"),
    ...Base,
    code: Code,
    version: v.pipe(v.number(), v.integer(), v.minValue(1)),
    title: v.string(),
  }),
  /** A prize is held for the winner until `holdExpiresAt`; the code opens the shipping form. */
  v.object({ template: v.literal("prize_won"), ...Base, code: Code, slot: v.pipe(v.number(), v.integer(), v.minValue(1)), holdExpiresAt: Instant }),
  v.object({ template: v.literal("shipping_reminder"), ...Base, code: Code, holdExpiresAt: Instant }),
  v.object({ template: v.literal("hold_expired"), ...Base }),
  v.object({
    template: v.literal("shipping_confirmed"),
    ...Base,
    summary: v.pipe(v.string(), v.maxLength(1000)),
    /** The T-shirt size given with the address; jobs queued before it was sent say nothing. */
    tshirtSize: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(10))), null),
  }),
  v.object({ template: v.literal("shipped"), ...Base, trackingUrl: v.nullable(v.pipe(v.string(), v.regex(/^https?:\/\//), v.maxLength(2048))) }),
  /** The organisers disqualified the entry (the reason stays with them and the audit log). */
  v.object({ template: v.literal("disqualified"), ...Base }),
  /** A prize was taken back, with the organiser's reason if they gave one. */
  v.object({ template: v.literal("prize_revoked"), ...Base, reason: v.nullable(v.pipe(v.string(), v.maxLength(500))) }),
  /** A waitlisted entrant moved up and holds a prize now: prize_won's content, told as a promotion. */
  v.object({ template: v.literal("waitlist_promoted"), ...Base, code: Code, slot: v.pipe(v.number(), v.integer(), v.minValue(1)), holdExpiresAt: Instant }),
  /**
   * An organiser's announcement to a segment (not transactional): their subject and Markdown,
   * and the recipient's signed unsubscribe link, which the email and its headers carry.
   */
  v.object({
    template: v.literal("announcement"),
    ...Base,
    subject: v.pipe(v.string(), v.minLength(1), v.maxLength(ANNOUNCEMENT_LIMITS.subject)),
    body: v.pipe(v.string(), v.minLength(1), v.maxLength(ANNOUNCEMENT_LIMITS.body)),
    unsubscribeUrl: v.pipe(v.string(), v.regex(/^https?:\/\//), v.maxLength(2048)),
  }),
]);

export type EmailJob = v.InferOutput<typeof EmailJob>;
export type EmailTemplate = EmailJob["template"];
