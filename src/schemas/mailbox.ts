/**
 * An email address's canonical mailbox: the one inbox that every spelling of it reaches.
 * The Registrant object is keyed by it, so `ada@gmail.com`, `a.da+1@gmail.com` and
 * `ada@googlemail.com` are one entrant however many times, and however they sign up.
 */

/** How far spellings are folded (EMAIL_CANONICAL). */
export const CANONICAL_MODES = ["providers", "strict", "off"] as const;

export type CanonicalMode = (typeof CANONICAL_MODES)[number];

/** A mail provider whose spellings of one mailbox are known, and safe to fold. */
export interface Provider {
  name: string;
  /** Domains that deliver to the same mailboxes; the first is the one the others fold into. */
  domains: readonly string[];
  /** Where the provider's sub-address tag starts: everything from it to the `@` reaches the same inbox. */
  tags: readonly string[];
  /** Characters the provider ignores anywhere in the local part. */
  ignored: readonly string[];
}

/**
 * The providers whose rules are folded under `providers` (the default). Only rules the
 * provider documents or reliably applies: folding two people's addresses into one would
 * turn an honest entrant away, so a provider is added here only when its spellings are
 * certain to reach one inbox. Each Microsoft or Apple domain is its own mailbox namespace,
 * so they are listed apart rather than folded together.
 */
export const PROVIDERS: readonly Provider[] = [
  { name: "Gmail", domains: ["gmail.com", "googlemail.com"], tags: ["+"], ignored: ["."] },
  // Proton's domains share one namespace of names, and Proton ignores . - _ in them.
  { name: "Proton Mail", domains: ["proton.me", "protonmail.com", "protonmail.ch", "pm.me"], tags: ["+"], ignored: [".", "-", "_"] },
  { name: "Outlook.com", domains: ["outlook.com"], tags: ["+"], ignored: [] },
  { name: "Hotmail", domains: ["hotmail.com"], tags: ["+"], ignored: [] },
  { name: "Windows Live", domains: ["live.com"], tags: ["+"], ignored: [] },
  { name: "MSN", domains: ["msn.com"], tags: ["+"], ignored: [] },
  { name: "iCloud Mail", domains: ["icloud.com"], tags: ["+"], ignored: [] },
  { name: "iCloud Mail (me.com)", domains: ["me.com"], tags: ["+"], ignored: [] },
  { name: "iCloud Mail (mac.com)", domains: ["mac.com"], tags: ["+"], ignored: [] },
  { name: "Fastmail", domains: ["fastmail.com"], tags: ["+"], ignored: [] },
  { name: "Fastmail (fastmail.fm)", domains: ["fastmail.fm"], tags: ["+"], ignored: [] },
  // Yahoo names cannot hold a hyphen: one in a Yahoo address starts a disposable address's keyword.
  { name: "Yahoo Mail", domains: ["yahoo.com"], tags: ["-"], ignored: [] },
];

const BY_DOMAIN = new Map(PROVIDERS.flatMap((provider) => provider.domains.map((domain) => [domain, provider] as const)));

/** What `strict` folds for every domain that has no rule of its own. */
const PLUS_TAG: Pick<Provider, "tags" | "ignored"> = { tags: ["+"], ignored: [] };

/** The domain of an address (after its last `@`). */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1);
}

/**
 * The canonical mailbox of an address the EmailAddress schema already normalised (trimmed,
 * NFC, lower-cased): under `providers`, a listed provider's tag is cut, its ignored
 * characters dropped and its domain folded into the first of its domains; under `strict`,
 * also a `+tag` at every other domain; under `off`, the address itself. A local part that
 * folding would leave empty is kept as it was. The same address always gives the same
 * mailbox, and a mailbox is itself canonical (folding it again changes nothing).
 */
export function canonicalMailbox(email: string, mode: CanonicalMode): string {
  if (mode === "off") return email;
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const provider = BY_DOMAIN.get(domain);
  const rule = provider ?? (mode === "strict" ? PLUS_TAG : null);
  if (!rule) return email;
  let folded = local;
  for (const tag of rule.tags) {
    const start = folded.indexOf(tag);
    if (start >= 0) folded = folded.slice(0, start);
  }
  for (const ignored of rule.ignored) folded = folded.replaceAll(ignored, "");
  return `${folded || local}@${provider?.domains[0] ?? domain}`;
}
