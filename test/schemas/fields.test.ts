import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { EmailAddress } from "../../src/schemas/fields";

const valid = (email: string) => v.safeParse(EmailAddress, email).success;

describe("EmailAddress", () => {
  it.each([
    "judge-bait@example.com?cc=attacker%40evil.test&subject=hi",
    "a@exa'mple.com",
    "a@example.com#fragment",
    "a@exa=mple.com",
    "a@exa%41mple.com",
    "a@exa&mple.com",
    "a@exa_mple.com",
    "a@-example.com",
    "a@example-.com",
    "a@example.123",
    "a@192.0.2.1",
    "a@example..com",
    "a@example.com.",
    "a@exa/mple.com",
    `a@${"l".repeat(64)}.example`,
  ])("refuses the domain of %s", (email) => {
    expect(valid(email)).toBe(false);
  });

  it.each([
    "ada@example.com",
    "ada@sub-domain.example.co.uk",
    "ada@bücher.example",
    "ada@xn--bcher-kva.example",
    "ada@例え.テスト",
    "o'brien&co+swag=yes@example.com",
    "ADA@EXAMPLE.COM",
  ])("accepts %s", (email) => {
    expect(valid(email)).toBe(true);
  });

  it("keeps an internationalised domain as the entrant typed it, so the registrant key does not change", () => {
    expect(v.parse(EmailAddress, " Ada@Bücher.Example ")).toBe("ada@bücher.example");
  });
});
