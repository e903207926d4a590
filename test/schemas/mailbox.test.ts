import { describe, expect, it } from "vitest";
import { canonicalMailbox, PROVIDERS } from "../../src/schemas/mailbox";

describe("canonicalMailbox", () => {
  it.each([
    ["ada@gmail.com", "ada@gmail.com"],
    ["a.da@gmail.com", "ada@gmail.com"],
    ["ada+contest@gmail.com", "ada@gmail.com"],
    ["a.d.a+one+two@googlemail.com", "ada@gmail.com"],
    ["ada@googlemail.com", "ada@gmail.com"],
    ["ada.l+x@proton.me", "adal@proton.me"],
    ["ada_l@protonmail.com", "adal@proton.me"],
    ["ada-l@pm.me", "adal@proton.me"],
    ["ada+news@outlook.com", "ada@outlook.com"],
    ["a.da+news@outlook.com", "a.da@outlook.com"],
    ["ada+1@hotmail.com", "ada@hotmail.com"],
    ["ada-shop@yahoo.com", "ada@yahoo.com"],
    ["ada+shop@icloud.com", "ada@icloud.com"],
  ])("folds %s into %s under providers", (email, mailbox) => {
    expect(canonicalMailbox(email, "providers")).toBe(mailbox);
  });

  it("keeps apart what providers do not fold: other domains' tags and dots, and one provider's domains from another's", () => {
    expect(canonicalMailbox("ada+x@example.com", "providers")).toBe("ada+x@example.com");
    expect(canonicalMailbox("a.da@example.com", "providers")).toBe("a.da@example.com");
    expect(canonicalMailbox("ada@hotmail.com", "providers")).not.toBe(canonicalMailbox("ada@outlook.com", "providers"));
    expect(canonicalMailbox("ada-x@gmail.com", "providers")).toBe("ada-x@gmail.com");
  });

  it("under strict also cuts a +tag at every domain; under off changes nothing", () => {
    expect(canonicalMailbox("ada+x@example.com", "strict")).toBe("ada@example.com");
    expect(canonicalMailbox("a.da+x@gmail.com", "strict")).toBe("ada@gmail.com");
    expect(canonicalMailbox("a.da+x@gmail.com", "off")).toBe("a.da+x@gmail.com");
    expect(canonicalMailbox("ada+x@example.com", "off")).toBe("ada+x@example.com");
  });

  it("keeps a local part that folding would empty, and is idempotent", () => {
    for (const email of ["+x@gmail.com", "...@gmail.com", "-a@yahoo.com", "ada+x@gmail.com", "x+y@example.com", "ren\u00e9+a@gmail.com"]) {
      for (const mode of ["providers", "strict", "off"] as const) {
        const mailbox = canonicalMailbox(email, mode);
        expect(mailbox.split("@")[0], `${email} ${mode}`).not.toBe("");
        expect(canonicalMailbox(mailbox, mode), `${email} ${mode}`).toBe(mailbox);
      }
    }
  });

  it("lists each domain under one provider only, in lower case", () => {
    const domains = PROVIDERS.flatMap((provider) => provider.domains);
    expect(new Set(domains).size).toBe(domains.length);
    for (const domain of domains) expect(domain).toBe(domain.toLowerCase());
  });
});
