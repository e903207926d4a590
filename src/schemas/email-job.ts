import * as v from "valibot";

const Base = {
  /** Unique per email; the consumer sends each key once. */
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  to: v.pipe(v.string(), v.minLength(3), v.maxLength(254)),
  firstname: v.string(),
  /** The entrant's secret link code; it lives only in the job and the email. */
  code: v.string(),
};

/** A message on the `emails` queue: which template, for whom, with what. */
export const EmailJob = v.variant("template", [
  v.object({ template: v.literal("registration"), ...Base }),
  v.object({ template: v.literal("link_resent"), ...Base }),
  v.object({
    template: v.literal("submission_received"),
    ...Base,
    version: v.pipe(v.number(), v.integer(), v.minValue(1)),
    title: v.string(),
  }),
]);

export type EmailJob = v.InferOutput<typeof EmailJob>;
export type EmailTemplate = EmailJob["template"];
