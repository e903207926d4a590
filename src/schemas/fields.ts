import * as v from "valibot";
import type { FieldErrors } from "../http/errors";

/** A required single-line or multi-line text field, trimmed, with a length limit. */
export const Text = (label: string, max: number) =>
  v.pipe(
    // A missing field reads as an empty one, so it gets the same "is required" message.
    v.optional(v.string(`${label} must be text`), ""),
    v.trim(),
    v.nonEmpty(`${label} is required`),
    v.maxLength(max, `${label} must be at most ${max} characters`),
  );

/** An http(s) URL: other schemes (javascript:, data:) never reach a judge's browser. */
export const HttpUrl = (label: string) =>
  v.pipe(
    v.optional(v.string(`${label} must be text`), ""),
    v.trim(),
    v.nonEmpty(`${label} is required`),
    v.maxLength(2048, `${label} must be at most 2048 characters`),
    v.url(`${label} must be a full URL, starting with https://`),
    // Checks keep running after a failed one, so this one must not assume a parsable URL.
    v.check((url) => /^https?:$/.test(URL.parse(url)?.protocol ?? "http:"), `${label} must start with http:// or https://`),
    v.transform((url) => new URL(url).href),
  );

/**
 * A ticked checkbox: "on" from a browser form, true from JSON. Anything else, including
 * an absent field, is the message.
 */
export const Consent = (message: string) =>
  v.pipe(
    v.optional(v.unknown(), false),
    v.check((value) => value === true || value === "on" || value === "true" || value === "yes", message),
    v.transform((): true => true),
  );

/**
 * An email address as the registrant key: trimmed, Unicode NFC, lower-cased, so that
 * " Ada@Example.COM" and "ada@example.com" are one registrant.
 */
export const EmailAddress = v.pipe(
  v.optional(v.string("Email must be text"), ""),
  v.trim(),
  v.nonEmpty("Email is required"),
  v.normalize("NFC"),
  v.toLowerCase(),
  v.maxLength(254, "Email must be at most 254 characters"),
  // Permissive on purpose: internationalised addresses (SMTPUTF8, IDN) are real entrants.
  v.regex(/^[^\s@"<>(),;:\\]+@[^\s@"<>(),;:\\.]+(\.[^\s@"<>(),;:\\.]+)+$/u, "Enter a valid email address, like ada@example.com"),
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
