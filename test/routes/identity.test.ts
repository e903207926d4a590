import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LINK_RESEND_INTERVAL_MS, type Registrant } from "../../src/objects/registrant";
import { emailsTo, mailbox, registrantId, registrantStub, send, signUp } from "../helpers";

afterEach(() => vi.restoreAllMocks());

/** Twenty spellings of one Gmail mailbox: dots, tags, case and the googlemail.com domain. */
function spellings(name: string): string[] {
  const dotted = (i: number) => [...name].map((c, j) => (j > 0 && (i >> j) & 1 ? `.${c}` : c)).join("");
  return Array.from({ length: 20 }, (_, i) => {
    const local = `${dotted(i)}${i % 3 === 0 ? "" : `+tag${i}`}`;
    const domain = i % 4 === 3 ? "googlemail.com" : "gmail.com";
    return i % 5 === 4 ? `${local.toUpperCase()}@${domain}` : `${local}@${domain}`;
  });
}

async function storedRegistration(email: string) {
  return runInDurableObject(registrantStub(email), (_: Registrant, state) =>
    state.storage.sql.exec("SELECT email, mailbox, links_issued FROM registrant").toArray(),
  );
}

describe("one registrant per mailbox", () => {
  it("200 racing signups spread over 20 spellings of one Gmail mailbox make one registrant and one email, to the first spelling", { timeout: 30_000 }, async () => {
    const variants = spellings("racer");
    expect(new Set(variants).size).toBe(20);
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => signUp(variants[i % 20]!, {}, { acceptJson: true })));
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([202]));

    const ids = await listDurableObjectIds(env.REGISTRANT);
    const ours = variants.map((variant) => registrantId(variant));
    expect(new Set(ours)).toEqual(new Set([registrantId("racer@gmail.com")]));
    // No object for any other spelling: only the mailbox's own.
    const others = variants.map((variant) => variant.toLowerCase()).filter((variant) => variant !== "racer@gmail.com");
    expect(others).toHaveLength(19);
    expect(ids.filter((id) => others.some((variant) => id.equals(env.REGISTRANT.idFromName(variant))))).toEqual([]);
    const rows = await storedRegistration("racer@gmail.com");
    expect(rows).toHaveLength(1);
    const first = String(rows[0]!.email);
    expect(variants.map((variant) => variant.toLowerCase())).toContain(first);
    expect(rows[0]).toMatchObject({ mailbox: "racer@gmail.com", links_issued: 1 });

    await emailsTo(first, 2, 3_000);
    const sent = (await mailbox()).filter((email) => variants.some((variant) => variant.toLowerCase() === email.to));
    expect(sent.map((email) => email.to)).toEqual([first]);
  });

  it("answers another spelling as a repeat signup: the same answer, the stored name kept, the link again to the first address only", async () => {
    const first = await signUp("grace.h@gmail.com", { firstname: "Grace" }, { acceptJson: true });
    const again = await signUp("GraceH+contest@googlemail.com", { firstname: "Mallory" }, { acceptJson: true });
    expect(again.status).toBe(first.status);
    expect(((await again.json()) as { message: string }).message).toContain("graceh+contest@googlemail.com");
    await emailsTo("grace.h@gmail.com");
    await runInDurableObject(registrantStub("grace.h@gmail.com"), (_: Registrant, state) => {
      state.storage.sql.exec("UPDATE registrant SET link_emailed_at = link_emailed_at - ?", LINK_RESEND_INTERVAL_MS);
    });
    await signUp("g.r.a.c.e.h+again@gmail.com");
    const resent = await emailsTo("grace.h@gmail.com", 2);
    expect(resent.map((email) => email.subject)).toEqual([expect.stringContaining("new"), expect.stringContaining("submission link")]);
    expect(resent[0]!.text).toContain("Hi Grace,");
    expect((await mailbox()).filter((email) => /graceh\+|g\.r\.a\.c\.e/.test(email.to))).toEqual([]);
    expect(await storedRegistration("grace.h@gmail.com")).toEqual([{ email: "grace.h@gmail.com", mailbox: "graceh@gmail.com", links_issued: 2 }]);
  });

  it("sends a lost link asked for under another spelling to the address first registered", async () => {
    await signUp("lin.k@gmail.com");
    await emailsTo("lin.k@gmail.com");
    await runInDurableObject(registrantStub("lin.k@gmail.com"), (_: Registrant, state) => {
      state.storage.sql.exec("UPDATE registrant SET link_emailed_at = link_emailed_at - ?", LINK_RESEND_INTERVAL_MS);
    });
    expect((await send("/link", { form: { email: "link+lost@googlemail.com" }, acceptJson: true })).status).toBe(202);
    expect(await emailsTo("lin.k@gmail.com", 2)).toHaveLength(2);
    expect((await mailbox()).some((email) => email.to === "link+lost@googlemail.com")).toBe(false);
  });

  it("folds by EMAIL_CANONICAL: strict also cuts a +tag at any domain, off keeps every spelling apart", async () => {
    const before = (await listDurableObjectIds(env.REGISTRANT)).length;
    await signUp("mode@example.com", {}, { vars: { EMAIL_CANONICAL: "strict" } });
    await signUp("mode+x@example.com", {}, { vars: { EMAIL_CANONICAL: "strict" } });
    expect((await listDurableObjectIds(env.REGISTRANT)).length).toBe(before + 1);
    await signUp("off.mode@gmail.com", {}, { vars: { EMAIL_CANONICAL: "off" } });
    await signUp("offmode@gmail.com", {}, { vars: { EMAIL_CANONICAL: "off" } });
    const ids = await listDurableObjectIds(env.REGISTRANT);
    expect(ids.filter((id) => id.equals(env.REGISTRANT.idFromName("off.mode@gmail.com")) || id.equals(env.REGISTRANT.idFromName("offmode@gmail.com")))).toHaveLength(2);
  });
});

describe("throwaway and blocked domains", () => {
  /** Everything a signup could have stored: objects, queued jobs, registry rows. */
  async function storedAnything(email: string, run: () => Promise<Response>) {
    const objects = (await listDurableObjectIds(env.REGISTRANT)).length;
    const changes = vi.spyOn(env.CHANGES_QUEUE, "sendBatch");
    const response = await run();
    const registry = await env.DB.prepare("SELECT COUNT(*) AS n FROM registrants WHERE id = ?").bind(registrantId(email)).first<{ n: number }>();
    return {
      response,
      stored: (await listDurableObjectIds(env.REGISTRANT)).length !== objects || changes.mock.calls.length > 0 || registry!.n > 0,
    };
  }

  it("refuses a disposable domain with 422 naming email and saying why, and stores nothing", async () => {
    const { response, stored } = await storedAnything("throwaway@mailinator.com", () => signUp("throwaway@mailinator.com", {}, { acceptJson: true }));
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: "invalid", fields: { email: expect.stringContaining("throwaway inbox") } });
    expect(stored).toBe(false);
    const page = await signUp("throwaway@mailinator.com");
    expect(page.status).toBe(422);
    const html = await page.text();
    expect(html).toMatch(/name="email"[^>]*aria-invalid="true"/);
    expect(html).toContain("throwaway inbox");
  });

  it("refuses the organiser's denied domains, and lets an allow-listed domain through, disposable or denied", async () => {
    const vars = { EMAIL_DOMAINS_DENY: "*", EMAIL_DOMAINS_ALLOW: "acme.example, mailinator.com" };
    const denied = await storedAnything("outsider@example.com", () => signUp("outsider@example.com", {}, { acceptJson: true, vars }));
    expect(denied.response.status).toBe(422);
    expect(await denied.response.json()).toMatchObject({ fields: { email: expect.stringContaining("cannot enter this contest") } });
    expect(denied.stored).toBe(false);
    expect((await signUp("staff@eu.acme.example", {}, { acceptJson: true, vars })).status).toBe(202);
    expect((await signUp("allowed@mailinator.com", {}, { acceptJson: true, vars })).status).toBe(202);
    expect(await emailsTo("allowed@mailinator.com")).toHaveLength(1);
  });
});
