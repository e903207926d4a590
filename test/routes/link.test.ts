import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LINK_RESEND_INTERVAL_MS, type Registrant } from "../../src/objects/registrant";
import { emailsTo, linkCodeFor, registrantStub, send, signUp, validSubmission } from "../helpers";

const REGISTRATION_CLOSED = { REGISTRATION_OPENS: "2020-01-01T00:00:00Z", REGISTRATION_CLOSES: "2020-02-01T00:00:00Z" };
const ALL_CLOSED = { ...REGISTRATION_CLOSED, SUBMISSION_OPENS: "2020-01-01T00:00:00Z", SUBMISSION_CLOSES: "2020-03-01T00:00:00Z" };

function requestLink(email: string, options: Parameters<typeof send>[1] = {}) {
  return send("/link", { ...options, form: { email } });
}

async function allowAnotherLink(email: string) {
  await runInDurableObject(registrantStub(email), (_: Registrant, state) => {
    state.storage.sql.exec("UPDATE registrant SET link_emailed_at = link_emailed_at - ?", LINK_RESEND_INTERVAL_MS);
  });
}

describe("GET and POST /link", () => {
  it("shows a form to ask for a new link", async () => {
    const html = await (await send("/link")).text();
    expect(html).toContain('<form method="post" action="/link"');
    expect(html).toContain('<label for="email">');
  });

  it("emails a registered entrant a new link; the old one works, saying so, until the new one is opened", async () => {
    await signUp("lost@example.com");
    const oldCode = await linkCodeFor("lost@example.com");
    await allowAnotherLink("lost@example.com");
    const response = await requestLink(" LOST@example.com ", { acceptJson: true });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ message: "If lost@example.com is signed up, a new submission link is on its way to it." });
    const newCode = await linkCodeFor("lost@example.com", 2);
    expect(newCode).not.toBe(oldCode);
    const old = await send(`/submit?code=${encodeURIComponent(oldCode)}`);
    expect(old.status).toBe(200);
    expect(await old.text()).toContain("A newer link was emailed to you");
    const fresh = await send(`/submit?code=${encodeURIComponent(newCode)}`);
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).not.toContain("A newer link was emailed to you");
    expect((await send(`/submit?code=${encodeURIComponent(oldCode)}`)).status).toBe(404);
  });

  it("never retires the link an entrant is using, however often someone else asks for new ones", async () => {
    const email = "targeted@example.com";
    await signUp(email);
    const inUse = await linkCodeFor(email);
    expect((await send(`/submit?code=${encodeURIComponent(inUse)}`)).status).toBe(200);
    for (let asked = 2; asked <= 6; asked++) {
      await allowAnotherLink(email);
      await requestLink(email);
      await linkCodeFor(email, asked);
    }
    const page = await send(`/submit?code=${encodeURIComponent(inUse)}`, { acceptJson: true });
    expect(page.status).toBe(200);
    expect(await page.json()).toMatchObject({ link: { newest: false } });
    const submitted = await send("/submit", { acceptJson: true, form: validSubmission(inUse) });
    expect(submitted.status).toBe(201);
    // Valid now: the link in use, and of the unused ones only the two newest.
    const valid = await runInDurableObject(registrantStub(email), (_: Registrant, state) =>
      state.storage.sql.exec<{ number: number }>("SELECT number FROM link_code ORDER BY number").toArray().map((row) => row.number),
    );
    expect(valid).toEqual([1, 5, 6]);
  });

  it("answers an unknown email exactly like a known one, and registers nobody", async () => {
    await signUp("known@example.com");
    await allowAnotherLink("known@example.com");
    const known = await requestLink("known@example.com", { acceptJson: true });
    const unknown = await requestLink("stranger@example.com", { acceptJson: true });
    expect(unknown.status).toBe(known.status);
    expect(unknown.status).toBe(202);
    const [knownBody, unknownBody] = (await Promise.all([known.json(), unknown.json()])) as { message: string }[];
    expect(unknownBody!.message.replace("stranger", "known")).toBe(knownBody!.message);
    const stored = await runInDurableObject(registrantStub("stranger@example.com"), (_: Registrant, state) =>
      state.storage.sql.exec("SELECT COUNT(*) AS n FROM registrant").one().n,
    );
    expect(stored).toBe(0);
    await emailsTo("stranger@example.com", 1, 2_500);
    expect(await emailsTo("stranger@example.com", 1, 0)).toEqual([]);
  });

  it("sends at most one link per interval, however many requests race", async () => {
    await signUp("spam@example.com");
    await linkCodeFor("spam@example.com");
    await allowAnotherLink("spam@example.com");
    await Promise.all(Array.from({ length: 30 }, () => requestLink("spam@example.com")));
    await emailsTo("spam@example.com", 3, 2_500);
    expect(await emailsTo("spam@example.com", 2)).toHaveLength(2);
  });

  it("keeps working after registration closes, while submissions are open", async () => {
    await signUp("late-lost@example.com");
    await linkCodeFor("late-lost@example.com");
    await allowAnotherLink("late-lost@example.com");
    const before = (await listDurableObjectIds(env.REGISTRANT)).length;
    expect((await signUp("newcomer@example.com", {}, { vars: REGISTRATION_CLOSED })).status).toBe(403);
    expect((await requestLink("late-lost@example.com", { vars: REGISTRATION_CLOSED })).status).toBe(303);
    expect((await listDurableObjectIds(env.REGISTRANT)).length).toBe(before);
    expect(await emailsTo("late-lost@example.com", 2)).toHaveLength(2);
    const landing = await (await send("/", { vars: REGISTRATION_CLOSED })).text();
    expect(landing).toContain('<a href="/link">Get a new link</a>');
  });

  it("answers 403 once submissions are closed too", async () => {
    const response = await requestLink("anyone@example.com", { acceptJson: true, vars: ALL_CLOSED });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: "window_closed" });
    expect(await (await send("/link", { vars: ALL_CLOSED })).text()).toContain("links are no longer needed");
  });

  it("answers an invalid email with 422 naming the field, next to it in the form", async () => {
    const json = await requestLink("nope", { acceptJson: true });
    expect(json.status).toBe(422);
    expect(await json.json()).toMatchObject({ fields: { email: "Enter a valid email address, like ada@example.com" } });
    const html = await (await requestLink('"><b>x')).text();
    expect(html).toMatch(/name="email"[^>]*aria-invalid="true"/);
    expect(html).toContain('value="&quot;&gt;&lt;b&gt;x"');
  });
});
