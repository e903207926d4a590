import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { directives, ORIGIN, send, sha256, signUp } from "../helpers";
import { admin, entrant, ORGANISER } from "../judges/helpers";

const TURNSTILE: Partial<Env> = { TURNSTILE_SITE_KEY: "0x4AAAAAAAsite", TURNSTILE_SECRET_KEY: "0x4AAAAAAAsecret" };
const CHALLENGES = "https://challenges.cloudflare.com";

/**
 * Checks a page's policy against its markup: every inline script and style it carries is
 * allowed by hash, nothing is allowed inline, and it cannot be framed. Returns the directives.
 */
async function strictPolicy(response: Response): Promise<Record<string, string[]>> {
  expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  const header = response.headers.get("content-security-policy");
  expect(header, response.url).toBeTruthy();
  const policy = directives(header!);
  const html = await response.text();
  expect(policy["default-src"]).toEqual(["'none'"]);
  for (const [, body] of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) expect(policy["script-src"]).toContain(sha256(body!));
  for (const [, body] of html.matchAll(/<style>([\s\S]*?)<\/style>/g)) expect(policy["style-src"]).toContain(sha256(body!));
  for (const directive of ["script-src", "style-src"]) {
    expect(policy[directive]).not.toContain("'unsafe-inline'");
    expect(policy[directive]).not.toContain("'unsafe-eval'");
  }
  expect(policy["frame-ancestors"]).toEqual(["'none'"]);
  expect(policy["base-uri"]).toEqual(["'none'"]);
  return policy;
}

/** The script origins a page may load from: everything in script-src but its own hashes. */
const scriptOrigins = (policy: Record<string, string[]>) => policy["script-src"]!.filter((source) => !source.startsWith("'sha256-"));

describe("Content-Security-Policy", () => {
  it("is strict on every page an entrant sees, with no third-party script where Turnstile is off", async () => {
    const { code } = await entrant("csp-pages@example.com");
    const pages = [
      await send("/"),
      await send("/rules"),
      await send("/link"),
      await send("/check-inbox?after=signup"),
      await signUp("not-an-email"),
      await send(`/submit?code=${code}`),
      await send(`/submit?code=${code}&saved=1`),
      await send("/winners"),
      await send("/privacy/erased"),
      await send("/shipping?code=nonsense"),
      await send("/no-such-page"),
    ];
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200, 200, 422, 200, 200, 200, 200, 404, 404]);
    for (const page of pages) {
      const policy = await strictPolicy(page);
      expect(scriptOrigins(policy), page.url).toEqual([]);
      expect(policy["frame-src"]).toEqual(["'none'"]);
    }
  });

  it("lets the landing page, and only it, open its live WebSocket", async () => {
    expect((await strictPolicy(await send("/")))["connect-src"]).toEqual(["'self'", "ws://localhost:8787"]);
    expect((await strictPolicy(await send("/rules")))["connect-src"]).toEqual(["'self'"]);
  });

  it("allows Turnstile's origin for scripts and frames only on the landing page that shows the widget", async () => {
    const landing = await strictPolicy(await send("/", { vars: TURNSTILE }));
    expect(scriptOrigins(landing)).toEqual([CHALLENGES]);
    expect(landing["frame-src"]).toEqual([CHALLENGES]);
    // The form comes back with its errors, and with the widget.
    const refused = await send("/signup", { vars: TURNSTILE, form: { email: "x" } });
    expect(refused.status).toBe(422);
    expect(scriptOrigins(await strictPolicy(refused))).toEqual([CHALLENGES]);
    // Registration closed: no form, so no widget.
    const closed = await send("/", { vars: { ...TURNSTILE, REGISTRATION_CLOSES: "2026-01-02T00:00:00Z" } });
    expect(await closed.clone().text()).not.toContain(CHALLENGES);
    expect(scriptOrigins(await strictPolicy(closed))).toEqual([]);
    for (const path of ["/rules", "/link", "/no-such-page"]) {
      expect(scriptOrigins(await strictPolicy(await send(path, { vars: TURNSTILE }))), path).toEqual([]);
    }
  });

  it("lets the judges' pages run the dashboard's own module scripts and stylesheet, and nothing from elsewhere", async () => {
    const login = await strictPolicy(await send("/admin/login"));
    expect(scriptOrigins(login)).toEqual([]);
    expect(login["style-src"]!.every((source) => source.startsWith("'sha256-"))).toBe(true);
    const dashboard = await send("/admin", { headers: { authorization: `Bearer ${ORGANISER}` } });
    expect(dashboard.status).toBe(200);
    const policy = await strictPolicy(dashboard.clone());
    expect(scriptOrigins(policy)).toEqual([`${ORIGIN}/admin/dashboard/`]);
    expect(policy["style-src"]!.filter((source) => !source.startsWith("'sha256-"))).toEqual([`${ORIGIN}/admin/dashboard/`]);
    expect(policy["connect-src"]).toEqual(["'self'", "ws://localhost:8787"]);
    const html = await dashboard.text();
    expect(html).toContain('<script type="module" src="/admin/dashboard/main.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/admin/dashboard/dashboard.css">');
  });

  it("covers the development pages, and lets email previews keep only their inline styles", async () => {
    for (const path of ["/dev/mailbox", "/dev/emails"]) expect(scriptOrigins(await strictPolicy(await send(path))), path).toEqual([]);
    const preview = directives((await send("/dev/emails/registration")).headers.get("content-security-policy")!);
    expect(preview["default-src"]).toEqual(["'none'"]);
    expect(preview["script-src"]).toBeUndefined();
    expect(preview["style-src"]).toEqual(["'unsafe-inline'"]);
    expect(preview["frame-ancestors"]).toEqual(["'none'"]);
  });
});

describe("transport headers", () => {
  const fetchHttps = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`https://swagbox.example.com${path}`, init));

  it("send Strict-Transport-Security on every answer over https, and none over plain http", async () => {
    for (const path of ["/", "/api/prizes", "/no-such-page", "/admin/api/me"]) {
      const response = await fetchHttps(path);
      expect(response.headers.get("strict-transport-security"), path).toBe("max-age=31536000");
    }
    const head = await fetchHttps("/rules", { method: "HEAD" });
    expect(head.headers.get("strict-transport-security")).toBe("max-age=31536000");
    expect((await send("/")).headers.has("strict-transport-security")).toBe(false);
  });

  it("mark JSON, CSV and error answers nosniff, so no browser runs them as a script", async () => {
    await entrant("csv-nosniff@example.com", {});
    const answers = {
      "prizes JSON": await send("/api/prizes"),
      "health JSON": await send("/healthz"),
      "judges' JSON": await admin("/admin/api/entries"),
      "error JSON": await admin("/admin/api/entries/nope"),
      "a refusal without credentials": await admin("/admin/api/me", { token: null }),
      "the OpenAPI document": await admin("/admin/api/openapi.json"),
      "CSV export": await admin("/admin/api/export.csv?set=entries"),
      "an email preview's text": await send("/dev/emails/registration?part=text"),
    };
    for (const [what, response] of Object.entries(answers)) {
      expect(response.headers.get("x-content-type-options"), what).toBe("nosniff");
    }
    expect(answers["CSV export"].headers.get("content-type")).toMatch(/^text\/csv/);
  });
});
