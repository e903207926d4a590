import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { loadConfig } from "../src/config";
import type { Env } from "../src/env";
import { send } from "./helpers";

const configured = (vars: Partial<Env>) => loadConfig({ ...env, ...vars });

describe("configuration", () => {
  it("reads the development configuration the tests run with", () => {
    const loaded = configured({});
    expect(loaded).toMatchObject({
      ok: true,
      config: {
        environment: "development",
        contestName: "Swagbox Developer Challenge",
        publicUrl: "http://localhost:8787",
        prizePool: 300,
        emailProvider: "capture",
        maxBodyBytes: 65536,
        reviewsPerEntry: 3,
        minReviews: 1,
        blindJudging: false,
      },
    });
  });

  it.each([
    [{ REGISTRATION_OPENS: "next tuesday" }, "REGISTRATION_OPENS"],
    [{ SUBMISSION_CLOSES: "2026-01-01" }, "SUBMISSION_CLOSES"],
    [{ SUBMISSION_CLOSES: "2025-01-01T00:00:00Z" }, "SUBMISSION_CLOSES"],
    [{ SUBMISSION_CLOSES: "2030-02-30T00:00:00Z" }, "SUBMISSION_CLOSES"],
    [{ SUBMISSION_CLOSES: "2030-01-01T24:00:00Z" }, "SUBMISSION_CLOSES"],
    [{ REGISTRATION_CLOSES: "2030-01-01T00:00:00+01" }, "REGISTRATION_CLOSES"],
    [{ REGISTRATION_CLOSES: "2030-01-01T00:00:00 +01:00" }, "REGISTRATION_CLOSES"],
    [{ PUBLIC_URL: "ftp://example.com" }, "PUBLIC_URL"],
    [{ PRIZE_POOL: "-3" }, "PRIZE_POOL"],
    [{ PRIZE_POOL: "lots" }, "PRIZE_POOL"],
    [{ EMAIL_PROVIDER: "carrier-pigeon" }, "EMAIL_PROVIDER"],
    [{ ENVIRONMENT: "production" }, "EMAIL_PROVIDER"],
    [{ CONTEST_NAME: "   " }, "CONTEST_NAME"],
    [{ MAX_BODY_BYTES: "1.5" }, "MAX_BODY_BYTES"],
    [{ LIVE_RELAYS: "-1" }, "LIVE_RELAYS"],
    [{ LIVE_RELAYS: "101" }, "LIVE_RELAYS"],
    [{ LIVE_RELAYS: "two" }, "LIVE_RELAYS"],
    [{ BRAND_COLOR: "orange" }, "BRAND_COLOR"],
    [{ BRAND_COLOR: "#fff" }, "BRAND_COLOR"],
    [{ TURNSTILE_SITE_KEY: "0x4AAAAAAA" }, "TURNSTILE_SECRET_KEY"],
    [{ TURNSTILE_SECRET_KEY: "0x4AAAAAAA-secret" }, "TURNSTILE_SECRET_KEY"],
    [{ EMAIL_CANONICAL: "loose" }, "EMAIL_CANONICAL"],
    [{ ONE_BOX_PER_ADDRESS: "maybe" }, "ONE_BOX_PER_ADDRESS"],
    [{ EMAIL_DOMAINS_DENY: "example.com, not a domain" }, "EMAIL_DOMAINS_DENY"],
    [{ EMAIL_DOMAINS_ALLOW: "@example.com" }, "EMAIL_DOMAINS_ALLOW"],
    [{ ADDRESS_FINGERPRINT_KEY: "" }, "ADDRESS_FINGERPRINT_KEY"],
    [{ ADDRESS_FINGERPRINT_KEY: "short" }, "ADDRESS_FINGERPRINT_KEY"],
    [{ ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare", ADDRESS_FINGERPRINT_KEY: undefined }, "ADDRESS_FINGERPRINT_KEY"],
    [{ REVIEWS_PER_ENTRY: "0" }, "REVIEWS_PER_ENTRY"],
    [{ REVIEWS_PER_ENTRY: "three" }, "REVIEWS_PER_ENTRY"],
    [{ MIN_REVIEWS: "-1" }, "MIN_REVIEWS"],
    [{ MIN_REVIEWS: "4" }, "MIN_REVIEWS"],
    [{ REVIEWS_PER_ENTRY: "2", MIN_REVIEWS: "3" }, "MIN_REVIEWS"],
    [{ BLIND_JUDGING: "yes" }, "BLIND_JUDGING"],
    [{ LINK_CHECKS: "yes" }, "LINK_CHECKS"],
    [{ LINK_CHECK_STUB: "https://api.github.com" }, "LINK_CHECK_STUB"],
    [{ LINK_CHECK_STUB: "http://127.0.0.1:9999", ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare" }, "LINK_CHECK_STUB"],
    [{ FIRST_COME_REVIEW_HOURS: "1.5" }, "FIRST_COME_REVIEW_HOURS"],
    [{ FIRST_COME_REVIEW_HOURS: "721" }, "FIRST_COME_REVIEW_HOURS"],
    [{ FIRST_COME_REQUIRE_LIVE: "true" }, "FIRST_COME_REQUIRE_LIVE"],
  ] as [Partial<Env>, string][])("names the variable of a bad value: %o", (vars, variable) => {
    const loaded = configured(vars);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems.map((p) => p.variable)).toContain(variable);
  });

  it("checks links without the network in development, and with it by default (production)", () => {
    expect(configured({})).toMatchObject({ ok: true, config: { linkChecks: false, firstComeReviewHours: 0, firstComeRequireLive: false } });
    expect(configured({ LINK_CHECKS: undefined })).toMatchObject({ ok: true, config: { linkChecks: true } });
    expect(configured({ LINK_CHECK_STUB: "http://127.0.0.1:9999" })).toMatchObject({ ok: true, config: { linkCheckStub: "http://127.0.0.1:9999" } });
    expect(configured({ FIRST_COME_REVIEW_HOURS: "48", FIRST_COME_REQUIRE_LIVE: "true" })).toMatchObject({ ok: true, config: { firstComeReviewHours: 48, firstComeRequireLive: true } });
  });

  it("accepts offsets and reads them as the instant they name", () => {
    const loaded = configured({ REGISTRATION_OPENS: "2026-01-01T09:00+09:00", REGISTRATION_CLOSES: "2030-12-31T23:59:59.500-05:00" });
    expect(loaded.ok && loaded.config.registration).toEqual({
      opens: Date.UTC(2026, 0, 1, 0, 0),
      closes: Date.UTC(2031, 0, 1, 4, 59, 59, 500),
    });
  });

  it("refuses the capture provider outside development", () => {
    const loaded = configured({ ENVIRONMENT: "production", EMAIL_PROVIDER: "capture" });
    expect(loaded).toEqual({
      ok: false,
      problems: [{ variable: "EMAIL_PROVIDER", message: "EMAIL_PROVIDER capture is only allowed when ENVIRONMENT is development" }],
    });
  });
});

describe("email configuration", () => {
  const RESEND = { ENVIRONMENT: "production", EMAIL_PROVIDER: "resend" };

  it("refuses the resend provider without RESEND_API_KEY, naming it", () => {
    for (const key of [undefined, "", "  "]) {
      expect(configured({ ...RESEND, RESEND_API_KEY: key })).toEqual({
        ok: false,
        problems: [
          {
            variable: "RESEND_API_KEY",
            message: "RESEND_API_KEY is required when EMAIL_PROVIDER is resend (set it with `wrangler secret put RESEND_API_KEY`)",
          },
        ],
      });
    }
  });

  it("accepts the resend provider with its key, and other providers without one", () => {
    expect(configured({ ...RESEND, RESEND_API_KEY: " re_123 " })).toMatchObject({
      ok: true,
      config: { emailProvider: "resend", resendApiKey: "re_123" },
    });
    const cloudflare = configured({ ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare" });
    expect(cloudflare.ok && cloudflare.config.resendApiKey).toBeUndefined();
  });

  it("answers 503 on every route while RESEND_API_KEY is missing, and names it in /healthz", async () => {
    const response = await send("/", { acceptJson: true, vars: RESEND });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: "misconfigured" });
    const health = (await (await send("/healthz", { vars: RESEND })).json()) as { problems: { variable: string }[] };
    expect(health.problems.map((p) => p.variable)).toContain("RESEND_API_KEY");
  });

  it("defaults the brand colour and keeps a given one in lower case", () => {
    expect(configured({})).toMatchObject({ ok: true, config: { brandColor: "#f6821f" } });
    expect(configured({ BRAND_COLOR: "#00AA55" })).toMatchObject({ ok: true, config: { brandColor: "#00aa55" } });
  });
});

describe("GET /healthz", () => {
  it("reports a valid configuration", async () => {
    const response = await send("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", environment: "development", registrationOpen: true, submissionOpen: true });
  });

  it("answers 503 naming each bad variable", async () => {
    const response = await send("/healthz", { vars: { PRIZE_POOL: "zero", REGISTRATION_CLOSES: "soon" } });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; problems: { variable: string }[] };
    expect(body.status).toBe("misconfigured");
    expect(body.problems.map((p) => p.variable).sort()).toEqual(["PRIZE_POOL", "REGISTRATION_CLOSES"]);
  });

  it("makes every other route answer a plain 503, and logs which variable is wrong with the request's id", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const path of ["/", "/rules", "/submit?code=x"]) {
      const response = await send(path, { acceptJson: true, vars: { PUBLIC_URL: "" } });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: "misconfigured", message: "Swagbox is misconfigured." });
    }
    const page = await send("/", { vars: { PUBLIC_URL: "" }, headers: { "cf-ray": "8f1d2c3b4a5e6f70-LHR" } });
    expect(page.status).toBe(503);
    expect(page.headers.get("x-request-id")).toBe("8f1d2c3b4a5e6f70-LHR");
    expect(await page.text()).not.toContain("PUBLIC_URL");
    const line = logged.mock.calls.map(([first]) => String(first)).find((text) => text.includes("8f1d2c3b4a5e6f70-LHR"));
    expect(JSON.parse(line!)).toMatchObject({ level: "error", status: 503, code: "misconfigured", path: "/", reason: expect.stringContaining("PUBLIC_URL") });
    logged.mockRestore();
  });
});

describe("an unexpected error", () => {
  it("answers a 500 that reveals nothing, with a request id, and logs the error's stack under that id", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = { ...env, DB: new Proxy(env.DB, { get: (target, property) => (property === "batch" ? () => Promise.reject(new Error("secret internals")) : Reflect.get(target, property)) }) };
    const response = await send("/admin/api/stats", { acceptJson: true, vars: { DB: broken.DB }, headers: { authorization: "Bearer dev-organiser-token" } });
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).not.toContain("secret internals");
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = logged.mock.calls.map(([first]) => String(first)).find((text) => text.includes(id!));
    expect(JSON.parse(line!)).toMatchObject({ status: 500, code: "internal", path: "/admin/api/stats", reason: expect.stringContaining("secret internals") });
    logged.mockRestore();
  });
});

describe("one box per person's configuration", () => {
  it("defaults to folding providers' spellings and reviewing a second winner at an address; the key is needed only then", () => {
    expect(configured({})).toMatchObject({ ok: true, config: { emailCanonical: "providers", oneBoxPerAddress: "review", emailDomainsDeny: [], emailDomainsAllow: [] } });
    expect(configured({ ONE_BOX_PER_ADDRESS: "off", ADDRESS_FINGERPRINT_KEY: undefined })).toMatchObject({ ok: true });
    expect(configured({ EMAIL_DOMAINS_DENY: " * ", EMAIL_DOMAINS_ALLOW: "ACME.example,, Exämple.com" })).toMatchObject({
      ok: true,
      config: { emailDomainsDeny: ["*"], emailDomainsAllow: ["acme.example", "exämple.com"] },
    });
  });
});
