import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ADMIN_ROUTES } from "../../src/routes/admin";
import { ORIGIN, send, swagboxEnv } from "../helpers";
import { admin, JUDGE, ORGANISER, signIn as signInCookie } from "./helpers";

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
      const response = await admin(concrete(path), { method, token: JUDGE, json: method === "GET" || method === "DELETE" ? undefined : { total: 5 } });
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

  it("turns a valid token into a session cookie that opens the dashboard (test/judges/sessions.test.ts has the rest)", async () => {
    const response = await signIn(ORGANISER);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin");
    const cookie = response.headers.getSetCookie()[0]!;
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

describe("a session cookie that does not decode", () => {
  const broken = { cookie: "swagbox_session=%E0%A4%A" };

  it("is no credential: 401 for the API, the sign-in redirect for the dashboard", async () => {
    const api = await send("/admin/api/me", { acceptJson: true, headers: broken });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: "unauthorized" });
    const page = await send("/admin", { headers: broken });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe(`${ORIGIN}/admin/login`);
  });
});

describe("changes made with a browser's credentials", () => {
  let session: { cookie: string };
  beforeAll(async () => {
    session = { cookie: await signInCookie(ORGANISER) };
  });

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
  const AUD = "test-audience";
  let teams = 0;

  interface Claims {
    email: string;
    aud?: string;
    iss?: string;
    /** The header's key id; null leaves it out. */
    kid?: string | null;
    /** A jose time span ("5m") or seconds since the epoch; null leaves the claim out. */
    exp?: string | number | null;
    iat?: number | null;
  }

  /**
   * A team of its own (jose keeps each team's key set for a while, so a test with fresh keys
   * needs a fresh team), whose key set the mocked fetch serves; returns its vars and a signer.
   */
  async function accessTeam() {
    const team = `https://swagbox-test-${++teams}.cloudflareaccess.com`;
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    // The Worker fetches the team's keys: answer that request here, and no other.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url === `${team}/cdn-cgi/access/certs`) return Response.json({ keys: [jwk] });
      throw new Error(`unexpected fetch ${url}`);
    });
    const sign = (claims: Claims) => {
      const kid = claims.kid === undefined ? "k1" : claims.kid;
      const jwt = new SignJWT({ email: claims.email })
        .setProtectedHeader({ alg: "RS256", ...(kid !== null && { kid }) })
        .setAudience(claims.aud ?? AUD)
        .setIssuer(claims.iss ?? team);
      if (claims.iat !== null) jwt.setIssuedAt(claims.iat);
      if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? "5m");
      return jwt.sign(privateKey);
    };
    return { vars: { ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: AUD, ADMIN_ORGANISERS: "lin@example.com" }, sign };
  }

  it("maps a verified identity to a judge, or an organiser when listed", async () => {
    const { vars, sign } = await accessTeam();
    const judge = await send("/admin/api/me", { acceptJson: true, vars, headers: { "cf-access-jwt-assertion": await sign({ email: "ada@example.com" }) } });
    expect(judge.status).toBe(200);
    expect(await judge.json()).toMatchObject({ name: "ada@example.com", role: "judge", via: "access" });
    const organiser = await send("/admin/api/me", { acceptJson: true, vars, headers: { "cf-access-jwt-assertion": await sign({ email: "Lin@Example.com" }) } });
    expect(await organiser.json()).toMatchObject({ role: "organiser" });
  });

  it("refuses a token for another audience or issuer, or a forged one", async () => {
    const { vars, sign } = await accessTeam();
    for (const assertion of [
      await sign({ email: "ada@example.com", aud: "other" }),
      await sign({ email: "ada@example.com", iss: "https://evil.cloudflareaccess.com" }),
      "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFkYUBleGFtcGxlLmNvbSJ9.",
    ]) {
      const response = await send("/admin/api/me", { acceptJson: true, vars, headers: { "cf-access-jwt-assertion": assertion } });
      expect(response.status).toBe(401);
    }
  });

  it("refuses a token without exp, iat or kid, issued in the future, expired, or signed with a key not in the set", async () => {
    const { vars, sign } = await accessTeam();
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      "no exp": await sign({ email: "ada@example.com", exp: null }),
      "no iat": await sign({ email: "ada@example.com", iat: null }),
      "no kid": await sign({ email: "ada@example.com", kid: null }),
      "unknown kid": await sign({ email: "ada@example.com", kid: "k2" }),
      "issued 10 minutes from now": await sign({ email: "ada@example.com", iat: now + 600, exp: now + 900 }),
      expired: await sign({ email: "ada@example.com", iat: now - 900, exp: now - 600 }),
    };
    for (const [why, assertion] of Object.entries(refused)) {
      const response = await send("/admin/api/me", { acceptJson: true, vars, headers: { "cf-access-jwt-assertion": assertion } });
      expect(response.status, why).toBe(401);
    }
    // Clocks differ a little: a token issued a few seconds "from now" is fine.
    const skewed = await sign({ email: "ada@example.com", iat: now + 20 });
    expect((await send("/admin/api/me", { acceptJson: true, vars, headers: { "cf-access-jwt-assertion": skewed } })).status).toBe(200);
  });

  it("wins over a session cookie, even one that does not decode", async () => {
    const { vars, sign } = await accessTeam();
    const assertion = await sign({ email: "ada@example.com" });
    for (const cookie of ["swagbox_session=%E0%A4%A", "swagbox_session=not-a-session"]) {
      const response = await send("/admin/api/me", { acceptJson: true, vars, headers: { cookie, "cf-access-jwt-assertion": assertion } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ name: "ada@example.com", via: "access" });
    }
  });

  it("is ignored when Access is not configured", async () => {
    const { sign } = await accessTeam();
    const response = await send("/admin/api/me", { acceptJson: true, headers: { "cf-access-jwt-assertion": await sign({ email: "ada@example.com" }) } });
    expect(response.status).toBe(401);
    expect(swagboxEnv.ACCESS_TEAM_DOMAIN).toBeUndefined();
  });
});
