import { disposableEmailBlocklist } from "disposable-email-domains-js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DISPOSABLE_DOMAINS } from "../../src/schemas/disposable-domains";
import { decodeDomains, encodeDomains } from "../../src/schemas/domain-list";
import { disposableDomains, domainVerdict, withParents } from "../../src/schemas/email-domains";

const NONE = { emailDomainsDeny: [], emailDomainsAllow: [] };

describe("domainVerdict", () => {
  it("refuses the published throwaway domains and their subdomains, and lets ordinary ones pass", () => {
    expect(domainVerdict("mailinator.com", NONE)).toBe("disposable");
    expect(domainVerdict("inbox.mailinator.com", NONE)).toBe("disposable");
    for (const domain of ["gmail.com", "example.com", "outlook.com", "exämple.com"]) expect(domainVerdict(domain, NONE)).toBe("allowed");
  });

  it("refuses the organiser's denied domains with their subdomains; allow wins over deny and over the list", () => {
    const rules = { emailDomainsDeny: ["spam.example"], emailDomainsAllow: ["mailinator.com", "ok.spam.example"] };
    expect(domainVerdict("spam.example", rules)).toBe("denied");
    expect(domainVerdict("a.spam.example", rules)).toBe("denied");
    expect(domainVerdict("ok.spam.example", rules)).toBe("allowed");
    expect(domainVerdict("mailinator.com", rules)).toBe("allowed");
  });

  it("restricts a contest to one company with deny * and allow", () => {
    const rules = { emailDomainsDeny: ["*"], emailDomainsAllow: ["acme.example"] };
    expect(domainVerdict("acme.example", rules)).toBe("allowed");
    expect(domainVerdict("eu.acme.example", rules)).toBe("allowed");
    expect(domainVerdict("gmail.com", rules)).toBe("denied");
  });
});

describe("the throwaway-domain list the Worker carries", () => {
  const published = disposableEmailBlocklist();

  it("is the package's list as scripts/disposable-domains.ts writes it (run `npm run disposable-domains` after an update)", () => {
    expect(DISPOSABLE_DOMAINS).toBe(encodeDomains(published));
  });

  it("holds exactly the package's domains, no more and no fewer", () => {
    const carried = decodeDomains(DISPOSABLE_DOMAINS);
    expect(carried).toHaveLength(new Set(published).size);
    expect(new Set(carried)).toEqual(new Set(published));
    expect(disposableDomains()).toEqual(new Set(published));
  });

  it("refuses every listed domain and its subdomains, and only near misses the list itself refuses", () => {
    const listed = new Set(published);
    const verdictByList = (domain: string) => (withParents(domain).some((candidate) => listed.has(candidate)) ? "disposable" : "allowed");
    for (const domain of published) {
      expect(domainVerdict(domain, NONE), domain).toBe("disposable");
      expect(domainVerdict(`mx.${domain}`, NONE), domain).toBe("disposable");
      // One character more, one less or changed: refused only where the package lists that name (or a parent) too.
      for (const near of [`a${domain}`, domain.slice(1), `${domain.slice(0, -1)}x`, domain.replace(".", "-")]) {
        expect(domainVerdict(near, NONE), near).toBe(verdictByList(near));
      }
    }
  });

  it("gives back any list of lower-case domains exactly, and refuses to write anything else", () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,40}$/);
    const domain = fc.tuple(label, fc.array(label, { minLength: 1, maxLength: 3 })).map(([first, rest]) => [first, ...rest].join("."));
    fc.assert(
      fc.property(fc.array(domain, { maxLength: 60 }), (domains) => {
        const decoded = decodeDomains(encodeDomains(domains));
        expect(decoded).toHaveLength(new Set(domains).size);
        expect(new Set(decoded)).toEqual(new Set(domains));
      }),
      { numRuns: 500 },
    );
    for (const bad of ["Mailinator.com", "localhost", "xn--bcher-kva.example ", "bücher.example", "a..b", "a.b:c"]) expect(() => encodeDomains([bad]), bad).toThrow();
  });
});
