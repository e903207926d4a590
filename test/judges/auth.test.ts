import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ADMIN_ROUTES } from "../../src/routes/admin";
import { ORIGIN, send, swagboxEnv } from "../helpers";
import { admin, JUDGE, ORGANISER, signIn as signInCookie } from "./helpers";

const SOME_ID = "a".repeat(64);

function concrete(path: string): string {
  return path.replace(":id", SOME_ID);
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

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
    aud?: string | string[];
    iss?: string;
    /** The header's key id; null leaves it out. */
    kid?: string | null;
    /** A jose time span ("5m") or seconds since the epoch; null leaves the claim out. */
    exp?: string | number | null;
    iat?: number | null;
    nbf?: number;
  }

  /** What the mocked key-set endpoint answers; `keys` may change between requests (a rotation). */
  interface KeySetServer {
    keys: object[];
    answer?: () => Response;
  }

  /**
   * A team of its own (jose keeps each team's key set for a while, so a test with fresh keys
   * needs a fresh team), whose key set the mocked fetch serves; returns its vars and a signer.
   */
  async function accessTeam(keyFields: object = {}) {
    const team = `https://swagbox-test-${++teams}.cloudflareaccess.com`;
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig", ...keyFields };
    const server: KeySetServer = { keys: [jwk] };
    // The Worker fetches the team's keys: answer that request here, and no other.
    const fetches = vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url === `${team}/cdn-cgi/access/certs`) return server.answer?.() ?? Response.json({ keys: server.keys });
      throw new Error(`unexpected fetch ${url}`);
    });
    const sign = (claims: Claims, key: CryptoKey = privateKey) => {
      const kid = claims.kid === undefined ? "k1" : claims.kid;
      const jwt = new SignJWT({ email: claims.email, ...(claims.nbf !== undefined && { nbf: claims.nbf }) })
        .setProtectedHeader({ alg: "RS256", ...(kid !== null && { kid }) })
        .setAudience(claims.aud ?? AUD)
        .setIssuer(claims.iss ?? team);
      if (claims.iat !== null) jwt.setIssuedAt(claims.iat);
      if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? "5m");
      return jwt.sign(key);
    };
    /** A token built by hand, for what jose would refuse to sign: any header, any key. */
    const forge = async (header: object, key: CryptoKey = privateKey, algorithm = "RSASSA-PKCS1-v1_5") => {
      const now = Math.floor(Date.now() / 1000);
      const encode = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
      const signed = `${encode({ kid: "k1", ...header })}.${encode({ email: "ada@example.com", aud: AUD, iss: team, iat: now, exp: now + 300 })}`;
      const signature = new Uint8Array(await crypto.subtle.sign(algorithm, key, new TextEncoder().encode(signed)));
      return `${signed}.${btoa(String.fromCharCode(...signature)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}`;
    };
    const vars = { ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: AUD, ADMIN_ORGANISERS: "lin@example.com" };
    /** The status /admin/api/me answers with this assertion. */
    const statusWith = async (assertion: string) => (await send("/admin/api/me", { acceptJson: true, vars, headers: { "cf-access-jwt-assertion": assertion } })).status;
    return { vars, sign, forge, statusWith, server, fetches };
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

  it("accepts an audience list that names the application, and refuses one that does not", async () => {
    const { sign, statusWith } = await accessTeam();
    expect(await statusWith(await sign({ email: "ada@example.com", aud: ["other", AUD] }))).toBe(200);
    expect(await statusWith(await sign({ email: "ada@example.com", aud: ["other", "more"] }))).toBe(401);
  });

  it("allows a minute of clock skew on exp and nbf, and refuses a token issued more than 31 days ago", async () => {
    const { sign, statusWith } = await accessTeam();
    const now = Math.floor(Date.now() / 1000);
    const month = 31 * 86_400;
    const cases: [string, Claims, number][] = [
      ["expired 30 s ago", { email: "ada@example.com", iat: now - 600, exp: now - 30 }, 200],
      ["expired 2 minutes ago", { email: "ada@example.com", iat: now - 600, exp: now - 120 }, 401],
      ["valid from 30 s from now", { email: "ada@example.com", nbf: now + 30 }, 200],
      ["valid from 2 minutes from now", { email: "ada@example.com", nbf: now + 120 }, 401],
      ["issued 31 days ago", { email: "ada@example.com", iat: now - month - 30, exp: now + 300 }, 200],
      ["issued 31 days and 2 minutes ago", { email: "ada@example.com", iat: now - month - 120, exp: now + 300 }, 401],
    ];
    for (const [why, claims, status] of cases) expect(await statusWith(await sign(claims)), why).toBe(status);
  });

  it("refuses another algorithm, an unknown header extension, a changed payload and a key under 2048 bits", async () => {
    const { sign, forge, statusWith, server } = await accessTeam();
    expect(await statusWith(await forge({ alg: "RS256" }))).toBe(200);
    expect(await statusWith(await forge({ alg: "RS512" }))).toBe(401);
    expect(await statusWith(await forge({ alg: "RS256", crit: ["exp"], exp: 1 }))).toBe(401);
    expect(await statusWith(await forge({ alg: "RS256", crit: ["b64"], b64: false }))).toBe(401);
    expect(await statusWith(await forge({ alg: "RS256", crit: ["b64"], b64: true }))).toBe(200);
    const hmac = await crypto.subtle.importKey("raw", new TextEncoder().encode("shared secret"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    expect(await statusWith(await forge({ alg: "HS256" }, hmac, "HMAC"))).toBe(401);

    const [header, , signature] = (await sign({ email: "ada@example.com" })).split(".");
    const [, lin] = (await sign({ email: "lin@example.com" })).split(".");
    expect(await statusWith(`${header}.${lin}.${signature}`)).toBe(401);

    const small = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    server.keys = [{ ...(await exportJWK(small.publicKey)), kid: "small" }];
    expect(await statusWith(await forge({ alg: "RS256", kid: "small" }, small.privateKey))).toBe(401);
  });

  it("uses only the set's keys meant for RS256 signatures", async () => {
    for (const fields of [{ use: "enc" }, { alg: "RS512" }, { key_ops: ["encrypt"] }, { kty: "EC" }]) {
      const { sign, statusWith } = await accessTeam(fields);
      expect(await statusWith(await sign({ email: "ada@example.com" })), JSON.stringify(fields)).toBe(401);
    }
    const { sign, statusWith } = await accessTeam({ alg: undefined, use: undefined, key_ops: ["verify"] });
    expect(await statusWith(await sign({ email: "ada@example.com" }))).toBe(200);
  });

  it("fetches a team's key set once, again for an unknown key only 30 seconds after, and anew after 10 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.UTC(2026, 11, 10, 12);
    vi.setSystemTime(start);
    const { sign, statusWith, server, fetches } = await accessTeam();
    expect(await statusWith(await sign({ email: "ada@example.com" }))).toBe(200);
    expect(await statusWith(await sign({ email: "lin@example.com" }))).toBe(200);
    expect(fetches).toHaveBeenCalledTimes(1);

    // Access rotates its keys: the new one is published, and tokens name it.
    const rotated = await generateKeyPair("RS256");
    server.keys = [...server.keys, { ...(await exportJWK(rotated.publicKey)), kid: "k2", alg: "RS256", use: "sig" }];
    vi.setSystemTime(start + 10_000);
    expect(await statusWith(await sign({ email: "ada@example.com", kid: "k2" }, rotated.privateKey))).toBe(401);
    expect(fetches).toHaveBeenCalledTimes(1);
    vi.setSystemTime(start + 31_000);
    expect(await statusWith(await sign({ email: "ada@example.com", kid: "k2" }, rotated.privateKey))).toBe(200);
    expect(fetches).toHaveBeenCalledTimes(2);

    vi.setSystemTime(start + 31_000 + 600_000);
    expect(await statusWith(await sign({ email: "ada@example.com" }))).toBe(200);
    expect(fetches).toHaveBeenCalledTimes(3);
  });

  it("refuses tokens while the key set cannot be had (an error, a redirect, no key list), and asks again for the next", async () => {
    const { sign, statusWith, server, fetches } = await accessTeam();
    const failures = [
      () => new Response("unavailable", { status: 503 }),
      () => new Response(null, { status: 302, headers: { location: "https://evil.example/certs" } }),
      () => Response.json({ keys: "none" }),
      () => new Response("not json"),
    ];
    for (const failure of failures) {
      server.answer = failure;
      expect(await statusWith(await sign({ email: "ada@example.com" }))).toBe(401);
    }
    expect(fetches).toHaveBeenCalledTimes(failures.length);
    server.answer = undefined;
    expect(await statusWith(await sign({ email: "ada@example.com" }))).toBe(200);
    expect(fetches).toHaveBeenCalledTimes(failures.length + 1);
  });
});

