import { env, exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { countingLimiter, ORIGIN, send, swagboxEnv } from "../helpers";
import { admin, JUDGE, ORGANISER, signIn } from "./helpers";

const sameOrigin = { origin: ORIGIN, "sec-fetch-site": "same-origin" };

function me(cookie: string, vars?: Partial<Env>) {
  return send("/admin/api/me", { acceptJson: true, headers: { cookie }, vars });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

describe("signing in", () => {
  it("sets a cookie with a random secret, never the token, HttpOnly, SameSite=Strict, for the whole site; only the secret's hash is stored", async () => {
    const response = await send("/admin/login", { form: { token: ORGANISER }, headers: { origin: ORIGIN } });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin");
    const [session, legacy] = response.headers.getSetCookie();
    expect(session).toMatch(/^swagbox_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(session).not.toContain(ORGANISER);
    // The cookie of old, which held the token, is deleted from the browser.
    expect(legacy).toBe("swagbox_admin=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0");

    const secret = session!.split(";")[0]!.split("=")[1]!;
    const rows = await env.DB.prepare("SELECT id, judge, role FROM admin_sessions WHERE id = ?").bind(await sha256Hex(secret)).all();
    expect(rows.results).toEqual([{ id: await sha256Hex(secret), judge: "Dev Organiser", role: "organiser" }]);
    expect(JSON.stringify(await env.DB.prepare("SELECT * FROM admin_sessions").all())).not.toContain(secret);

    const page = await send("/admin", { headers: { cookie: session!.split(";")[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Dev Organiser");
  });

  it("on https names the cookie __Host-swagbox_session, marks it Secure, and reads no other", async () => {
    const response = await exports.default.fetch(
      new Request("https://swagbox.example.com/admin/login", {
        method: "POST",
        body: new URLSearchParams({ token: ORGANISER }),
        headers: { origin: "https://swagbox.example.com", accept: "text/html" },
        redirect: "manual",
      }),
    );
    const [session] = response.headers.getSetCookie();
    expect(session).toMatch(/^__Host-swagbox_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/);
    const secret = session!.split(";")[0]!.split("=")[1]!;
    const over = (cookie: string) =>
      exports.default.fetch(new Request("https://swagbox.example.com/admin/api/me", { headers: { cookie, accept: "application/json" } }));
    expect((await over(`__Host-swagbox_session=${secret}`)).status).toBe(200);
    expect((await over(`swagbox_session=${secret}`)).status).toBe(401);
  });

  it("no longer accepts the old cookie that held the token itself", async () => {
    expect((await me(`swagbox_admin=${ORGANISER}`)).status).toBe(401);
  });

  it("answers a session cookie that is junk, or does not decode, with 401", async () => {
    for (const cookie of ["swagbox_session=%E0%A4%A", "swagbox_session=", `swagbox_session=${"A".repeat(43)}`, "swagbox_session=a=b=c"]) {
      expect((await me(cookie)).status, cookie).toBe(401);
    }
  });
});

describe("a session", () => {
  it("ends when its judge signs out: a copy of the cookie stops working too", async () => {
    const cookie = await signIn(JUDGE);
    const copy = cookie;
    expect((await me(cookie)).status).toBe(200);
    const out = await send("/admin/logout", { method: "POST", headers: { cookie, ...sameOrigin } });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie()[0]).toBe("swagbox_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    expect((await me(copy)).status).toBe(401);
  });

  it("ends when it expires", async () => {
    const cookie = await signIn(JUDGE);
    const id = await sha256Hex(cookie.split("=")[1]!);
    await env.DB.prepare("UPDATE admin_sessions SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, id).run();
    expect((await me(cookie)).status).toBe(401);
  });

  it("ends when its token is rotated out of ADMIN_TOKENS, and follows a changed role", async () => {
    const cookie = await signIn(JUDGE);
    const tokens = JSON.parse(swagboxEnv.ADMIN_TOKENS!) as { name: string; role: string; sha256: string }[];
    const withoutJudge = JSON.stringify(tokens.filter((entry) => entry.role !== "judge"));
    expect((await me(cookie, { ADMIN_TOKENS: withoutJudge })).status).toBe(401);
    const promoted = JSON.stringify(tokens.map((entry) => ({ ...entry, role: "organiser" })));
    expect(await (await me(cookie, { ADMIN_TOKENS: promoted })).json()).toMatchObject({ name: "Dev Judge", role: "organiser", via: "session" });
    expect(await (await me(cookie)).json()).toMatchObject({ role: "judge" });
  });
});

describe("organisers' view of sessions", () => {
  it("lists the live sessions (never a secret) and revokes one, audited; the revoked cookie stops working", async () => {
    const judgeCookie = await signIn(JUDGE);
    const organiserCookie = await signIn(ORGANISER);
    const judgeId = await sha256Hex(judgeCookie.split("=")[1]!);

    const listed = await send("/admin/api/sessions", { acceptJson: true, headers: { cookie: organiserCookie } });
    expect(listed.status).toBe(200);
    const { sessions } = (await listed.json()) as { sessions: { id: string; judge: string; role: string; current: boolean; expires_at: number }[] };
    expect(sessions).toContainEqual(expect.objectContaining({ id: judgeId, judge: "Dev Judge", role: "judge", current: false }));
    expect(sessions.filter((session) => session.current)).toEqual([expect.objectContaining({ judge: "Dev Organiser" })]);
    expect(JSON.stringify(sessions)).not.toContain(judgeCookie.split("=")[1]!);

    const revoked = await send(`/admin/api/sessions/${judgeId}`, { method: "DELETE", acceptJson: true, headers: { cookie: organiserCookie, ...sameOrigin } });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toEqual({ revoked: true });
    expect((await me(judgeCookie)).status).toBe(401);
    expect((await admin(`/admin/api/sessions/${judgeId}`, { method: "DELETE" })).status).toBe(404);
    const audit = (await (await admin("/admin/api/audit")).json()) as { entries: { action: string; detail: { session?: string } }[] };
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: "revoke_session", detail: { session: judgeId } }));
  });

  it("are for organisers only", async () => {
    expect((await admin("/admin/api/sessions", { token: JUDGE })).status).toBe(403);
    expect((await admin(`/admin/api/sessions/${"a".repeat(64)}`, { method: "DELETE", token: JUDGE })).status).toBe(403);
    expect((await admin("/admin/api/sessions/not-an-id", { method: "DELETE" })).status).toBe(404);
  });
});

describe("sign-in attempts", () => {
  let limiter: ReturnType<typeof countingLimiter>;
  beforeEach(() => {
    limiter = countingLimiter(3);
  });

  const attempt = (token: string, ip: string) =>
    send("/admin/login", { form: { token }, headers: { origin: ORIGIN, "cf-connecting-ip": ip }, vars: { ADMIN_LOGIN_LIMITER: limiter } });

  it("are limited per client address: past the limit even the right token is refused with 429, and no session starts", async () => {
    const before = (await env.DB.prepare("SELECT COUNT(*) AS n FROM admin_sessions").first<{ n: number }>())!.n;
    for (const guess of ["guess-1", "guess-2", "guess-3"]) expect((await attempt(guess, "198.51.100.23")).status).toBe(401);
    const refused = await attempt(ORGANISER, "198.51.100.23");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.text()).toContain("Too many sign-in attempts came from your network in the last minute.");
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM admin_sessions").first<{ n: number }>())!.n).toBe(before);
    expect((await attempt(ORGANISER, "198.51.100.24")).status).toBe(303);
  });

  it("are a binding of the deployed configuration", () => {
    expect(typeof env.ADMIN_LOGIN_LIMITER?.limit).toBe("function");
  });
});
