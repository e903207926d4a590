import { describe, expect, it } from "vitest";
import { domainVerdict } from "../../src/schemas/email-domains";

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
