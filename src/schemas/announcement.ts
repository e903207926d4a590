import * as v from "valibot";
import { ANNOUNCEMENT_LIMITS } from "./email-job";
import { RegistrantId } from "./prizes";

/**
 * Who an announcement goes to, from the judges' index: everyone; those who signed up but
 * never submitted; those who submitted; the winners; the waitlist; the winners whose prize
 * has not shipped yet. Unsubscribed entrants are left out of every segment.
 */
export const SEGMENTS = ["everyone", "registered", "submitted", "winners", "waitlist", "unshipped"] as const;

export type Segment = (typeof SEGMENTS)[number];

/** An announcement as an organiser writes it (create, or change a draft). */
export const AnnouncementDraft = v.object({
  subject: v.pipe(
    v.optional(v.string("The subject must be text"), ""),
    v.trim(),
    v.nonEmpty("The subject is required"),
    v.maxLength(ANNOUNCEMENT_LIMITS.subject, `The subject must be at most ${ANNOUNCEMENT_LIMITS.subject} characters`),
    // A header line: a line break in it would start another header.
    v.regex(/^[^\r\n]*$/, "The subject must be one line"),
  ),
  body: v.pipe(
    v.optional(v.string("The message must be text"), ""),
    v.trim(),
    v.nonEmpty("The message is required"),
    v.maxLength(ANNOUNCEMENT_LIMITS.body, `The message must be at most ${ANNOUNCEMENT_LIMITS.body} characters`),
  ),
  segment: v.picklist(SEGMENTS, `The segment is one of ${SEGMENTS.join(", ")}`),
});

export type AnnouncementDraft = v.InferOutput<typeof AnnouncementDraft>;

/**
 * One step of an announcement's send, on the tasks queue: `walk` queues the emails of the
 * next page of the segment after `cursor`; `confirm` checks a page of recipients, after
 * `cursor`, against the email log and queues again what the queue lost; `unsettled` counts
 * the recipients this confirmation pass found still on their way.
 */
export const AnnouncementStep = v.object({
  announcement: v.pipe(v.number(), v.integer(), v.minValue(1)),
  phase: v.picklist(["walk", "confirm"]),
  cursor: v.nullable(RegistrantId),
  unsettled: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
});

export type AnnouncementStep = v.InferOutput<typeof AnnouncementStep>;
