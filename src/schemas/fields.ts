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

const INVALID_EMAIL = "Enter a valid email address, like ada@example.com";

/** Letters, digits and hyphens, neither first nor last, at most 63: a DNS label. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * True when `domain` is a hostname: dot-separated labels of letters, digits and hyphens,
 * where an internationalised label counts by its punycode (URL parsing applies IDNA), and a
 * top-level label that is not all digits. Nothing else reaches a header, a link or a mailto:
 * no `? & = % # '`, no IP address.
 */
function isHostname(domain: string): boolean {
  // Only what IDNA turns into a label: the URL parser would otherwise read "?" or "#" as the end of the host.
  if (!/^[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)+$/u.test(domain)) return false;
  const ascii = URL.parse(`http://${domain}/`)?.hostname;
  if (!ascii || ascii.length > 253) return false;
  const labels = ascii.split(".");
  return labels.length >= 2 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!);
}

/**
 * An email address as the registrant key: trimmed, Unicode NFC, lower-cased, so that
 * " Ada@Example.COM" and "ada@example.com" are one registrant. The domain is kept as typed
 * (an internationalised one is not turned into punycode), but must be a hostname.
 */
export const EmailAddress = v.pipe(
  v.optional(v.string("Email must be text"), ""),
  v.trim(),
  v.nonEmpty("Email is required"),
  v.normalize("NFC"),
  v.toLowerCase(),
  v.maxLength(254, "Email must be at most 254 characters"),
  // The local part is permissive on purpose: internationalised addresses (SMTPUTF8) and
  // characters such as ' & = are real entrants' addresses.
  v.regex(/^[^\s@"<>(),;:\\]+@[^@]+$/u, INVALID_EMAIL),
  v.check((email) => isHostname(email.slice(email.lastIndexOf("@") + 1)), INVALID_EMAIL),
);

/**
 * An email domain as addresses hold it (trimmed, NFC, lower-case, kept as typed); a leading
 * `@` or `*.` is dropped, so "@Example.com" and "*.example.com" both mean example.com.
 */
export const EmailDomain = v.pipe(
  v.string("The domain must be text"),
  v.trim(),
  v.normalize("NFC"),
  v.toLowerCase(),
  v.transform((domain) => domain.replace(/^(?:@|\*\.)/, "")),
  v.nonEmpty("The domain is required"),
  v.check(isHostname, "Enter a domain, like example.com"),
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
