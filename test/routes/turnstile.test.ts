import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import type { Env } from "../../src/env";
import { ADA, holdsRegistration, send, swagboxEnv } from "../helpers";

const TURNSTILE: Partial<Env> = { TURNSTILE_SITE_KEY: "0x4AAAAAAAsite<key>", TURNSTILE_SECRET_KEY: "0x4AAAAAAAsecret" };
const FIELD = "cf-turnstile-response";
/** What siteverify says of a token solved on the contest's own page (PUBLIC_URL is http://localhost:8787). */
const PASSED = { success: true, hostname: "localhost", action: "signup", challenge_ts: "2027-01-01T00:00:00Z", "error-codes": [] };

let fetchSpy: MockInstance<typeof fetch>;
beforeEach(() => {
  fetchSpy = vi.spyOn(globalThis, "fetch").mockRejectedValue(new Error("tests never reach the network"));
});
afterEach(() => fetchSpy.mockRestore());

function signUpWith(email: string, token: string | undefined, acceptJson = true) {
  return send("/signup", {
    acceptJson,
    vars: TURNSTILE,
    headers: { "cf-connecting-ip": "192.0.2.10" },
    form: { ...ADA, email, ...(token === undefined ? {} : { [FIELD]: token }) },
  });
}

describe("Turnstile on the signup form", () => {
  it("shows the widget, with its escaped site key, only when it is configured", async () => {
    const on = await (await send("/", { vars: TURNSTILE })).text();
    expect(on).toContain('class="cf-turnstile" data-sitekey="0x4AAAAAAAsite&lt;key&gt;" data-action="signup"');
    expect(on).toContain('src="https://challenges.cloudflare.com/turnstile/v0/api.js"');
    const off = await (await send("/")).text();
    expect(off).not.toContain('class="cf-turnstile"');
    expect(off).not.toContain('id="error-cf-turnstile-response"');
    expect(off).not.toContain("challenges.cloudflare.com");
  });

  it("refuses a signup without a token, naming the field, without asking Cloudflare or registering", async () => {
    const response = await signUpWith("no-token@example.com", undefined);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: "invalid", fields: { [FIELD]: "Complete the check that you are a person" } });
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(await holdsRegistration("no-token@example.com")).toBe(false);
  });

  it("asks siteverify with the secret, the token and the visitor's address, and registers when it passes", async () => {
    fetchSpy.mockResolvedValue(Response.json(PASSED));
    const response = await signUpWith("human@example.com", "token-1");
    expect(response.status).toBe(202);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0]!;
    expect(String(url)).toBe("https://challenges.cloudflare.com/turnstile/v0/siteverify");
    expect(Object.fromEntries(new URLSearchParams(String(init?.body)))).toEqual({ secret: "0x4AAAAAAAsecret", response: "token-1", remoteip: "192.0.2.10" });
    expect(await holdsRegistration("human@example.com")).toBe(true);
  });

  it("refuses when Cloudflare says no, or cannot be reached, and shows the form again with the message", async () => {
    fetchSpy.mockResolvedValue(Response.json({ success: false, "error-codes": ["timeout-or-duplicate"] }));
    const refused = await signUpWith("bot@example.com", "spent-token");
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ fields: { [FIELD]: "The check that you are a person did not pass; please do it again" } });

    fetchSpy.mockRejectedValue(new Error("connection reset"));
    const page = await signUpWith("bot@example.com", "another-token", false);
    expect(page.status).toBe(422);
    const html = await page.text();
    expect(html).toContain("The check that you are a person did not pass; please do it again");
    expect(html).toContain('value="bot@example.com"');
    expect(await holdsRegistration("bot@example.com")).toBe(false);
  });

  it("refuses a token solved on another site or for another action, though Cloudflare says it passed", async () => {
    for (const [why, answer] of Object.entries({
      "another hostname": { ...PASSED, hostname: "evil.example" },
      "no hostname": { ...PASSED, hostname: undefined },
      "another action": { ...PASSED, action: "login" },
      "no action": { ...PASSED, action: undefined },
    })) {
      fetchSpy.mockResolvedValue(Response.json(answer));
      const refused = await signUpWith("elsewhere@example.com", "token-from-elsewhere");
      expect(refused.status, why).toBe(422);
      expect(await refused.json()).toMatchObject({ fields: { [FIELD]: "The check that you are a person did not pass; please do it again" } });
    }
    expect(await holdsRegistration("elsewhere@example.com")).toBe(false);
  });

  it("leaves the form as it is when Turnstile is not configured", async () => {
    const response = await send("/signup", { acceptJson: true, form: { ...ADA, email: "no-turnstile@example.com" } });
    expect(response.status).toBe(202);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(swagboxEnv.TURNSTILE_SITE_KEY).toBeUndefined();
  });
});
