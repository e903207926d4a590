import * as v from "valibot";

const Base = {
  /** Unique per email; the consumer sends each key once. */
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  to: v.pipe(v.string(), v.minLength(3), v.maxLength(254)),
  firstname: v.string(),
};

/** A secret link code; it lives only in the job and the email. */
const Code = v.string();
const Instant = v.pipe(v.number(), v.integer());

/** A message on the `emails` queue: which template, for whom, with what. */
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
  v.object({ template: v.literal("shipping_confirmed"), ...Base, summary: v.pipe(v.string(), v.maxLength(1000)) }),
  v.object({ template: v.literal("shipped"), ...Base, trackingUrl: v.nullable(v.pipe(v.string(), v.regex(/^https?:\/\//), v.maxLength(2048))) }),
  /** The organisers disqualified the entry (the reason stays with them and the audit log). */
  v.object({ template: v.literal("disqualified"), ...Base }),
]);

export type EmailJob = v.InferOutput<typeof EmailJob>;
export type EmailTemplate = EmailJob["template"];
