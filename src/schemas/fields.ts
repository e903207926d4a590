import * as v from "valibot";
import type { FieldErrors } from "../http/errors";

/** A required single-line or multi-line text field, trimmed, with a length limit. */
export const Text = (label: string, max: number) =>
  v.pipe(
    v.string(`${label} is required`),
    v.trim(),
    v.nonEmpty(`${label} is required`),
    v.maxLength(max, `${label} must be at most ${max} characters`),
  );

/** An http(s) URL: other schemes (javascript:, data:) never reach a judge's browser. */
export const HttpUrl = (label: string) =>
  v.pipe(
    v.string(`${label} is required`),
    v.trim(),
    v.nonEmpty(`${label} is required`),
    v.maxLength(2048, `${label} must be at most 2048 characters`),
    v.url(`${label} must be a full URL, starting with https://`),
    v.check((url) => /^https?:$/i.test(new URL(url).protocol), `${label} must start with http:// or https://`),
    v.transform((url) => new URL(url).href),
  );

/**
 * A ticked checkbox: "on" from a browser form, true from JSON. Anything else, including
 * an absent field, is the message.
 */
export const Consent = (message: string) =>
  v.pipe(
    v.unknown(),
    v.check((value) => value === true || value === "on" || value === "true" || value === "yes", message),
    v.transform((): true => true),
  );

/**
 * An email address as the registrant key: trimmed, Unicode NFC, lower-cased, so that
 * " Ada@Example.COM" and "ada@example.com" are one registrant.
 */
export const EmailAddress = v.pipe(
  v.string("Email is required"),
  v.trim(),
  v.nonEmpty("Email is required"),
  v.normalize("NFC"),
  v.toLowerCase(),
  v.maxLength(254, "Email must be at most 254 characters"),
  v.rfcEmail("Enter a valid email address, like ada@example.com"),
);

/** The first message for each top-level field, the shape of the `fields` error object. */
export function fieldErrors(issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = String(issue.path?.[0]?.key ?? "body");
    errors[field] ??= issue.message;
  }
  return errors;
}
