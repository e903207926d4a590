import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { clientKey } from "../../src/http/client-key";
import { countingLimiter, holdsRegistration, send, signUp } from "../helpers";

/** wrangler.toml: SIGNUP_LIMITER allows 30 a minute per client. */
const LIMIT = 30;

// The real binding's window follows the wall clock, so these tests count with their own.
let limiter: ReturnType<typeof countingLimiter>;
beforeEach(() => {
  limiter = countingLimiter(LIMIT);
});

function from(ip: string) {
  return { acceptJson: true, headers: { "cf-connecting-ip": ip }, vars: { SIGNUP_LIMITER: limiter } };
}

describe("the signup and new-link rate limit", () => {
  it("is a binding of the deployed configuration", () => {
    expect(typeof env.SIGNUP_LIMITER?.limit).toBe("function");
  });

  it("answers 429 with Retry-After once one address has sent its forms for the minute, and registers nobody for it", async () => {
    const ip = "203.0.113.7";
    for (let i = 0; i < LIMIT - 1; i++) expect((await signUp(`limit-${i}@example.com`, {}, from(ip))).status).toBe(202);
    expect((await send("/link", { ...from(ip), form: { email: "limit-0@example.com" } })).status).toBe(202);

    const refused = await signUp("one-too-many@example.com", {}, from(ip));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.json()).toEqual({ error: "rate_limited", message: "Too many signups came from your network in the last minute." });
    expect(await holdsRegistration("one-too-many@example.com")).toBe(false);
    expect((await send("/link", { ...from(ip), form: { email: "limit-1@example.com" } })).status).toBe(429);

    const page = await signUp("one-too-many@example.com", {}, { ...from(ip), acceptJson: false });
    expect(page.status).toBe(429);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Wait a minute, then send the form again.");

    expect((await signUp("someone-else@example.com", {}, from("198.51.100.4"))).status).toBe(202);
    expect(await holdsRegistration("someone-else@example.com")).toBe(true);
  });

  it("counts an IPv6 client by its /64, so changing address within it does not reset the count", async () => {
    for (let i = 0; i < LIMIT; i++) {
      expect((await signUp(`v6-${i}@example.com`, {}, from(`2001:db8:7:7:${i.toString(16)}::1`))).status).toBe(202);
    }
    expect((await signUp("v6-more@example.com", {}, from("2001:db8:7:7:ffff:ffff:ffff:ffff"))).status).toBe(429);
    expect((await signUp("v6-neighbour@example.com", {}, from("2001:db8:7:8::1"))).status).toBe(202);
    expect([...limiter.counted.keys()]).toEqual(["2001:db8:7:7::/64", "2001:db8:7:8::/64"]);
  });
});

describe("clientKey", () => {
  it("keeps an IPv4 address, unwraps an IPv4-mapped one, and reduces IPv6 to its /64", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("2001:DB8:0001:0002:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });

  it("never throws on a malformed address, and counts every malformed one together", () => {
    for (const bad of ["1:2:3:4:5:6:7:8::9", "1::2::3", "12345::1", "g::1", "1:2:3:4:5:6:7", "1.2.3", "300.1.1.1", "", " ", ":::", "::ffff:1.2.3.4.5", "x".repeat(5000)]) {
      expect(clientKey(bad)).toBe("unparsable");
    }
  });
});

describe("a malformed cf-connecting-ip", () => {
  it("is counted, not a 500", async () => {
    const response = await signUp("odd-address@example.com", {}, from("1:2:3:4:5:6:7:8::9"));
    expect(response.status).toBe(202);
    expect([...limiter.counted.keys()]).toEqual(["unparsable"]);
  });
});
