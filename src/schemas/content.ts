import * as v from "valibot";
import { EmailAddress } from "./fields";

/** Optional Markdown of at most `max` characters; trimmed. */
const Markdown = (label: string, max: number) =>
  v.pipe(v.optional(v.string(`${label} must be text`), ""), v.trim(), v.maxLength(max, `${label} must be at most ${max} characters`));

/**
 * What organisers write for the pages, in Markdown: each part is optional, and a part left
 * empty shows Swagbox's default (generated from the settings). The limits keep the landing
 * page within its weight budget (docs/decisions.md: "Organisers' words on the pages").
 */
export const ContentFields = v.object({
  /** The landing page's opening, under the contest's name. */
  intro: Markdown("The introduction", 1_500),
  /** What the prize is, on the landing page and the rules. */
  prize: Markdown("The prize description", 1_000),
  /** Who may enter, on the rules. */
  eligibility: Markdown("Eligibility", 4_000),
  /** Questions and answers, on the rules. */
  faq: Markdown("The FAQ", 8_000),
  /** Where entrants write to the organisers; empty: no contact address is shown. */
  contact: v.pipe(
    v.optional(v.string("The contact address must be text"), ""),
    v.trim(),
    v.check((address) => address === "" || v.is(EmailAddress, address), "The contact address must be an email address, like team@example.com"),
    v.transform((address) => (address === "" ? "" : v.parse(EmailAddress, address))),
  ),
  /** A picture of the prize (https), shown on the landing page; empty: the default illustration. */
  prizeImage: v.pipe(
    v.optional(v.string("The prize image URL must be text"), ""),
    v.trim(),
    v.maxLength(2048, "The prize image URL must be at most 2048 characters"),
    v.check((url) => url === "" || URL.parse(url)?.protocol === "https:", "The prize image URL must be a full URL starting with https://"),
    v.transform((url) => (url === "" ? "" : new URL(url).href)),
  ),
});

export type ContentFields = v.InferOutput<typeof ContentFields>;

export const EMPTY_CONTENT: ContentFields = { intro: "", prize: "", eligibility: "", faq: "", contact: "", prizeImage: "" };

/** The KV snapshot the pages read: the latest saved version (its number for caches). */
export const ContentSnapshot = v.object({
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  fields: ContentFields,
  updatedAt: v.string(),
});

export type ContentSnapshot = v.InferOutput<typeof ContentSnapshot>;

export const CONTENT_SNAPSHOT_KEY = "content";
