import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LINK_RESEND_INTERVAL_MS, type Registrant } from "../../src/objects/registrant";
import { emailsTo, holdsRegistration, linkCodeFor, registrantStub, send, signUp } from "../helpers";

describe("POST /signup", () => {
  it("answers a browser with the check-your-inbox page and emails a working submission link", async () => {
    const response = await signUp("grace@example.com", { firstname: "Grace" });
    // Post/redirect/get: the page's address reloads the page, and names no address of anyone's.
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/check-inbox?after=signup");
    const page = await (await send(response.headers.get("location")!)).text();
    expect(page).toContain("Check your inbox");
    expect(page).toContain("If the address you gave can enter");

    const [email] = await emailsTo("grace@example.com");
    expect(email?.subject).toContain("submission link");
    expect(email?.text).toContain("Hi Grace,");
    const code = await linkCodeFor("grace@example.com");
    const form = await send(`/submit?code=${encodeURIComponent(code)}`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain("grace@example.com");
  });

  it("answers a JSON client 202 with the documented body", async () => {
    const response = await send("/signup", {
      acceptJson: true,
      json: { firstname: "Alan", lastname: "Turing", email: "alan@example.com", accept_rules: true },
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      status: "check_inbox",
      message: "If alan@example.com can enter, a personal submission link is on its way to it.",
    });
  });

  it("normalises the email: case, surrounding space and Unicode form name one registrant", async () => {
    // "é" composed (NFC) and decomposed (NFD) are the same address.
    const composed = "ren\u00e9@example.com";
    const decomposed = "  RENE\u0301@Example.COM ";
    await signUp(composed);
    await signUp(decomposed);
    const ids = await listDurableObjectIds(env.REGISTRANT);
    expect(ids.filter((id) => id.equals(env.REGISTRANT.idFromName(composed)))).toHaveLength(1);
    expect(ids.some((id) => id.equals(env.REGISTRANT.idFromName(decomposed.trim())))).toBe(false);
    expect(await emailsTo(composed)).toHaveLength(1);
  });

  it("refuses a domain that is not a hostname, such as one carrying a mailto query, and registers nobody", async () => {
    const bait = "judge-bait@example.com?cc=attacker%40evil.test&subject=hi";
    const response = await signUp(bait, {}, { acceptJson: true });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ fields: { email: "Enter a valid email address, like ada@example.com" } });
    expect(await holdsRegistration(bait)).toBe(false);
  });

  it("gives the same answer for a new and an already registered email", async () => {
    const first = await signUp("same@example.com", {}, { acceptJson: true });
    const again = await signUp("same@example.com", { firstname: "Someone else" }, { acceptJson: true });
    expect(again.status).toBe(first.status);
    expect(await again.json()).toEqual(await first.json());
  });

  it("never changes the stored name when someone signs up again with the same email", async () => {
    await signUp("kept@example.com", { firstname: "Original" });
    await signUp("kept@example.com", { firstname: "Impostor", lastname: "Mallory" });
    const stored = await runInDurableObject(registrantStub("kept@example.com"), (_: Registrant, state) =>
      state.storage.sql.exec("SELECT firstname, lastname FROM registrant").one(),
    );
    expect(stored).toEqual({ firstname: "Original", lastname: "Lovelace" });
  });

  it("200 racing signups of one email (case and space variants) make one registration and one email", { timeout: 30_000 }, async () => {
    const variants = ["race@example.com", "RACE@example.com", " race@Example.com", "Race@EXAMPLE.COM  "];
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signUp(variants[i % variants.length]!, {}, { acceptJson: true })),
    );
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([202]));
    expect(new Set(bodies).size).toBe(1);

    const ids = await listDurableObjectIds(env.REGISTRANT);
    expect(ids.filter((id) => id.equals(env.REGISTRANT.idFromName("race@example.com")))).toHaveLength(1);
    const links = await runInDurableObject(registrantStub("race@example.com"), (_: Registrant, state) =>
      state.storage.sql.exec("SELECT COUNT(*) AS rows, MAX(links_issued) AS links FROM registrant").one(),
    );
    expect(links).toEqual({ rows: 1, links: 1 });
    // Give the queue time to deliver anything extra before counting.
    await emailsTo("race@example.com", 2, 3_000);
    expect(await emailsTo("race@example.com")).toHaveLength(1);
  });

  it("emails a fresh link after the resend interval, and opening it retires the old one", async () => {
    const oldCode = (await signUp("again@example.com"), await linkCodeFor("again@example.com"));
    await runInDurableObject(registrantStub("again@example.com"), (_: Registrant, state) => {
      state.storage.sql.exec("UPDATE registrant SET link_emailed_at = link_emailed_at - ?", LINK_RESEND_INTERVAL_MS);
    });
    await signUp("again@example.com");
    const emails = await emailsTo("again@example.com", 2);
    expect(emails).toHaveLength(2);
    expect(emails[0]?.subject).toContain("new");
    const newCode = await linkCodeFor("again@example.com", 2);
    expect(newCode).not.toBe(oldCode);
    expect((await send(`/submit?code=${encodeURIComponent(newCode)}`)).status).toBe(200);
    expect((await send(`/submit?code=${encodeURIComponent(oldCode)}`)).status).toBe(404);
  });

  it("answers 403 when registration is closed and creates no registrant", async () => {
    const before = (await listDurableObjectIds(env.REGISTRANT)).length;
    const closed = { REGISTRATION_OPENS: "2020-01-01T00:00:00Z", REGISTRATION_CLOSES: "2020-02-01T00:00:00Z" };
    const response = await signUp("late@example.com", {}, { acceptJson: true, vars: closed });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: "window_closed", message: expect.stringContaining("Registration closed") });
    expect((await listDurableObjectIds(env.REGISTRANT)).length).toBe(before);

    const page = await send("/", { vars: closed });
    const html = await page.text();
    expect(html).toContain("Registration is closed");
    expect(html).not.toContain('action="/signup"');
  });
});
