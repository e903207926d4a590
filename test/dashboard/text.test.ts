import { describe, expect, it } from "vitest";
import { addressLines, fullName, mailtoHref, percent, plural, safeUrl } from "../../public/admin/dashboard/text.js";

describe("mailto links", () => {
  it("carry exactly the address as the one recipient: no cc, subject or body can be smuggled in", () => {
    const address = "judge-bait@example.com?cc=attacker@evil.test&subject=Prize&body=Click%20here#x";
    const href = mailtoHref(address);
    const url = new URL(href);
    expect(url.protocol).toBe("mailto:");
    expect(url.search).toBe("");
    expect(url.hash).toBe("");
    expect(decodeURIComponent(url.pathname)).toBe(address);
    expect(href).not.toMatch(/[?&#=]/);
  });

  it("keep a plain address readable, and encode commas that would add recipients", () => {
    expect(mailtoHref("ada.lovelace+swag@example.com")).toBe("mailto:ada.lovelace%2Bswag@example.com");
    const list = new URL(mailtoHref("a@example.com,b@evil.test"));
    expect(list.pathname).not.toContain(",");
    expect(decodeURIComponent(list.pathname)).toBe("a@example.com,b@evil.test");
  });
});

describe("links out of the dashboard", () => {
  it("are http(s) only, normalised", () => {
    expect(safeUrl("https://example.com/a b")).toBe("https://example.com/a%20b");
    expect(safeUrl("http://example.com")).toBe("http://example.com/");
    for (const value of ["javascript:alert(1)", "data:text/html,x", "not a url", null, undefined, 42]) expect(safeUrl(value)).toBeNull();
  });

  it("show a bidi control in a path percent-encoded, and refuse one in a host", () => {
    expect(safeUrl("https://example.com/invoice\u202Efdp.exe")).toBe("https://example.com/invoice%E2%80%AEfdp.exe");
    expect(safeUrl("https://exa\u202Emple.com/")).toBeNull();
  });
});

describe("words", () => {
  it("format percentages, names and counts", () => {
    expect(percent(87.25)).toBe("87.3%");
    expect(percent(null)).toBe("—");
    expect(fullName({ firstname: "Ada", lastname: "Lovelace" })).toBe("Ada Lovelace");
    expect(fullName({ firstname: null })).toBe("");
    expect(plural(1, "score")).toBe("1 score");
    expect(plural(2, "entry", "entries")).toBe("2 entries");
  });
});

describe("a winner's address", () => {
  it("is printed as lines, with the country named where the browser can, and phone and size apart", () => {
    const json = JSON.stringify({ name: " Grace Hopper ", address_line1: "1 Compiler Lane", city: "London", postal_code: "SW1A 1AA", country: "GB", phone: "+44 20", tshirt_size: "M" });
    expect(addressLines(json, (code) => (code === "GB" ? "United Kingdom" : undefined))).toEqual({
      lines: ["Grace Hopper", "1 Compiler Lane", "London, SW1A 1AA", "United Kingdom (GB)"],
      phone: "+44 20",
      size: "M",
    });
    expect(addressLines(json)?.lines.at(-1)).toBe("GB");
  });

  it("is null when there is none or it does not parse, and ignores fields that are not text", () => {
    for (const junk of [null, 42, "not json", "null", "[1]x"]) expect(addressLines(junk)).toBeNull();
    expect(addressLines(JSON.stringify({ name: { evil: true }, city: "Paris" }))).toEqual({ lines: ["Paris"], phone: "", size: "" });
  });
});
