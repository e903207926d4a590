import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_ROUTES } from "../../src/routes/admin";
import { ORIGIN, send } from "../helpers";
import { admin, JUDGE, ORGANISER } from "./helpers";

const SOME_ID = "a".repeat(64);

function concrete(path: string): string {
  return path.replace(":id", SOME_ID);
}

afterEach(() => vi.restoreAllMocks());

describe("every judges' route", () => {
  it("is listed in the route table the router is built from", () => {
    expect(ADMIN_ROUTES.length).toBeGreaterThanOrEqual(13);
  });

  it.each(ADMIN_ROUTES.map((r) => [r.method, r.path, r.role] as const))("%s %s refuses a request without credentials", async (method, path) => {
    const response = await admin(concrete(path), { method, token: null, json: method === "GET" || method === "DELETE" ? undefined : {} });
    if (path === "/admin") {
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe(`${ORIGIN}/admin/login`);
    } else {
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: "unauthorized" });
    }
  });

  it.each(ADMIN_ROUTES.map((r) => [r.method, r.path, r.role] as const))("%s %s refuses a wrong token", async (method, path) => {
    const response = await admin(concrete(path), { method, token: "not-a-token", json: method === "GET" || method === "DELETE" ? undefined : {} });
    expect(response.status).toBe(path === "/admin" ? 303 : 401);
  });

  it.each(ADMIN_ROUTES.filter((r) => r.role === "organiser").map((r) => [r.method, r.path] as const))(
    "%s %s refuses a judge: organisers only",
    async (method, path) => {
      const response = await admin(concrete(path), { method, token: JUDGE, json: method === "DELETE" ? undefined : { total: 5 } });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: "forbidden_role" });
    },
  );

  it("lets a judge export entries but not winners", async () => {
    expect((await admin("/admin/api/export.csv?set=entries", { token: JUDGE })).status).toBe(200);
    expect((await admin("/admin/api/export.csv?set=winners", { token: JUDGE })).status).toBe(403);
  });

  it("answers an unknown judges' path with 404 only to the signed in", async () => {
    expect((await admin("/admin/api/nope", { token: null })).status).toBe(401);
    expect((await admin("/admin/api/nope")).status).toBe(404);
  });
});

describe("signing in to the dashboard", () => {
  async function signIn(token: string, origin = ORIGIN) {
    return send("/admin/login", { form: { token }, headers: { origin } });
  }

  it("turns a valid token into an HttpOnly same-site session cookie", async () => {
    const response = await signIn(ORGANISER);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^swagbox_admin=dev-organiser-token; Path=\/admin; HttpOnly; SameSite=Strict/);
    const page = await send("/admin", { headers: { cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Dev Organiser");
  });

  it("refuses a wrong token with the form again", async () => {
    const response = await signIn("guess");
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("That token is not valid.");
  });

  it("refuses a sign-in posted from another site", async () => {
    expect((await signIn(ORGANISER, "https://evil.example")).status).toBe(403);
  });

  it("shows the development tokens only in development", async () => {
    expect(await (await send("/admin/login")).text()).toContain("dev-judge-token");
    const production = await send("/admin/login", { vars: { ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare" } });
    expect(await production.text()).not.toContain("dev-judge-token");
  });
});

describe("changes made with a browser's credentials", () => {
  const session = { cookie: `swagbox_admin=${ORGANISER}` };

  it("are refused from another site, even as JSON", async () => {
    const crossSite = await send("/admin/api/pool", {
      method: "PUT",
      json: { total: 5 },
      acceptJson: true,
      headers: { ...session, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: "forbidden_origin" });
  });

  it("are refused as a plain form post, the only kind a cross-site page can send without asking", async () => {
    const form = await send(`/admin/api/entries/${SOME_ID}/award`, {
      form: { x: "1" },
      acceptJson: true,
      headers: { ...session, origin: ORIGIN, "sec-fetch-site": "same-origin" },
    });
    expect(form.status).toBe(415);
  });

  it("are accepted from the dashboard itself", async () => {
    const response = await send("/admin/api/pool", {
      method: "PUT",
      json: { total: 300 },
      acceptJson: true,
      headers: { ...session, origin: ORIGIN, "sec-fetch-site": "same-origin" },
    });
    expect(response.status).toBe(200);
  });

  it("need no origin with a bearer token, which a browser never sends by itself", async () => {
    expect((await admin("/admin/api/pool", { method: "PUT", json: { total: 300 } })).status).toBe(200);
  });
});

describe("Cloudflare Access", () => {
  const TEAM = "https://swagbox-test.cloudflareaccess.com";
  const AUD = "test-audience";
  const vars = { ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD, ADMIN_ORGANISERS: "lin@example.com" };

  async function accessKeys() {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    // The Worker fetches the team's keys: answer that request here, and no other.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url === `${TEAM}/cdn-cgi/access/certs`) return Response.json({ keys: [jwk] });
      throw new Error(`unexpected fetch ${url}`);
    });
    return (claims: { email: string; aud?: string; iss?: string }) =>
      new SignJWT({ email: claims.email })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setAudience(claims.aud ?? AUD)
        .setIssuer(claims.iss ?? TEAM)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey);
  }

  it("maps a verified identity to a judge, or an organiser when listed", async () => {
    const sign = await accessKeys();
    const judge = await send("/admin/api/me", { acceptJson: true, vars, headers: { "cf-access-jwt-assertion": await sign({ email: "ada@example.com" }) } });
    expect(judge.status).toBe(200);
    expect(await judge.json()).toMatchObject({ name: "ada@example.com", role: "judge", via: "access" });
    const organiser = await send("/admin/api/me", { acceptJson: true, vars, headers: { "cf-access-jwt-assertion": await sign({ email: "Lin@Example.com" }) } });
    expect(await organiser.json()).toMatchObject({ role: "organiser" });
  });

  it("refuses a token for another audience or issuer, or a forged one", async () => {
    const sign = await accessKeys();
    for (const assertion of [
      await sign({ email: "ada@example.com", aud: "other" }),
      await sign({ email: "ada@example.com", iss: "https://evil.cloudflareaccess.com" }),
      "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFkYUBleGFtcGxlLmNvbSJ9.",
    ]) {
      const response = await send("/admin/api/me", { acceptJson: true, vars, headers: { "cf-access-jwt-assertion": assertion } });
      expect(response.status).toBe(401);
    }
  });

  it("is ignored when Access is not configured", async () => {
    const sign = await accessKeys();
    const response = await send("/admin/api/me", { acceptJson: true, headers: { "cf-access-jwt-assertion": await sign({ email: "ada@example.com" }) } });
    expect(response.status).toBe(401);
    expect(env.ACCESS_TEAM_DOMAIN).toBeUndefined();
  });
});
