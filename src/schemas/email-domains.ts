/**
 * Which email domains may sign up: not a throwaway inbox, not one the organisers deny,
 * unless the organisers allow it (allow wins, so `EMAIL_DOMAINS_DENY=*` with
 * `EMAIL_DOMAINS_ALLOW=example.com` restricts a contest to one company).
 */
import { DISPOSABLE_DOMAINS } from "./disposable-domains";
import { decodeDomains } from "./domain-list";

/** Lists of domains as the configuration holds them: lower-cased, NFC; `*` is every domain. */
export interface DomainRules {
  emailDomainsDeny: readonly string[];
  emailDomainsAllow: readonly string[];
}

export type DomainVerdict = "allowed" | "disposable" | "denied";

let disposable: ReadonlySet<string> | undefined;

/**
 * The published list of throwaway-inbox domains (disposable-email-domains-js, carried in a
 * compact form), exactly: made into a set once per isolate, at first use.
 */
export function disposableDomains(): ReadonlySet<string> {
  disposable ??= new Set(decodeDomains(DISPOSABLE_DOMAINS));
  return disposable;
}

/** The domain and each parent domain it sits in, down to two labels: mail.example.com, example.com. */
export function withParents(domain: string): string[] {
  const labels = domain.split(".");
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join("."));
}

function listed(domain: string, list: readonly string[]): boolean {
  return list.includes("*") || withParents(domain).some((candidate) => list.includes(candidate));
}

/**
 * Whether addresses at `domain` may sign up. A domain counts with its subdomains: a rule
 * for example.com covers mail.example.com, and a throwaway service's subdomains are
 * throwaway too.
 */
export function domainVerdict(domain: string, rules: DomainRules): DomainVerdict {
  if (listed(domain, rules.emailDomainsAllow)) return "allowed";
  if (listed(domain, rules.emailDomainsDeny)) return "denied";
  const throwaway = disposableDomains();
  return withParents(domain).some((candidate) => throwaway.has(candidate)) ? "disposable" : "allowed";
}

/** What the signup form says next to the email field for a refused domain. */
export const DOMAIN_REFUSALS: Record<Exclude<DomainVerdict, "allowed">, string> = {
  disposable: "This looks like a throwaway inbox. Sign up with an address you will keep: your link and any prize news go to it.",
  denied: "Addresses at this domain cannot enter this contest. Sign up with another address.",
};
