import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { PrizeCounter } from "../../src/objects/prize-counter";
import { prizeCounter } from "../../src/objects/stubs";
import type { Registrant } from "../../src/objects/registrant";
import { startRetentionIfDue } from "../../src/retention";
import { registrantStub, send, signUp } from "../helpers";
import { admin, entrant, finished, forgetCode, indexed, shippingCode } from "./helpers";

const ADDRESS = {
  name: "Ada Lovelace",
  address_line1: "12 Analytical Row",
  address_line2: "",
  city: "London",
  region: "",
  postal_code: "W1 2AB",
  country: "gb",
  phone: "+44 20 7946 0000",
  tshirt_size: "M",
};

async function winner(email: string, title = "Prize project") {
  const { id, code } = await entrant(email, { title });
  await indexed(id, (row) => row.submission_version === 1);
  expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
  return { id, code, shipping: await shippingCode(email) };
}

function giveAddress(code: string, fields: Record<string, string> = ADDRESS, acceptJson = true) {
  return send("/shipping", { acceptJson, form: { code, ...fields } });
}

/** Makes the registrant's hold end (or reach its halfway point) now, and runs its alarm. */
async function fastForward(email: string, source: "hold_reminder" | "hold_expiry") {
  await runInDurableObject(registrantStub(email), async (instance: Registrant, state) => {
    if (source === "hold_expiry") state.storage.sql.exec("UPDATE shipping SET hold_expires_at = ?", Date.now() - 1);
    state.storage.sql.exec("UPDATE alarm_schedule SET due_at = 0 WHERE source = ?", source);
    await instance.alarm();
  });
}

describe("a winner's way to the doorstep", () => {
  it("emails a shipping link; the winner gives an address; the organiser ships it", async () => {
    const { id, code, shipping } = await winner("doorstep@example.com");
    expect(shipping.split(".")[0]).toBe(id);
    expect(shipping).not.toBe(code);

    const form = await send(`/shipping?code=${encodeURIComponent(shipping)}`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain("Prize number <strong data-text=\"slot\">");
    expect(html).toContain('<option value="GB">United Kingdom</option>');
    expect(html).toContain('<option value="M">M</option>');

    const saved = await giveAddress(shipping);
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ shipping: { status: "ready", address: { country: "GB", city: "London" } } });
    const row = await indexed(id, (r) => r.shipping_status === "ready");
    expect(JSON.parse(String(row.shipping_address))).toMatchObject({ name: "Ada Lovelace" });
    // The postal address is for organisers; judges see that it is ready, not where.
    const asJudge = (await (await admin(`/admin/api/entries/${id}`, { token: "dev-judge-token" })).json()) as { entry: Record<string, unknown> };
    expect(asJudge.entry).toMatchObject({ shipping_status: "ready", shipping_address: null });
    const asOrganiser = (await (await admin(`/admin/api/entries/${id}`)).json()) as { entry: Record<string, unknown> };
    expect(String(asOrganiser.entry.shipping_address)).toContain("Analytical Row");

    const csv = await (await admin("/admin/api/export.csv?set=shipping")).text();
    expect(csv.split("\r\n")[0]).toBe("slot,name,address_line1,address_line2,city,region,postal_code,country,phone,tshirt_size,email,status,tracking_url");
    expect(csv).toContain(",Ada Lovelace,12 Analytical Row,,London,,W1 2AB,GB,'+44 20 7946 0000,M,doorstep@example.com,ready,");

    const shippedResponse = await admin(`/admin/api/entries/${id}/shipped`, { method: "POST", json: { tracking_url: "https://track.example/123" } });
    expect(shippedResponse.status).toBe(200);
    expect(await shippedResponse.json()).toMatchObject({ shipping_status: "shipped", tracking_url: "https://track.example/123" });
    await indexed(id, (r) => r.shipping_status === "shipped" && r.tracking_url === "https://track.example/123");
    const late = await giveAddress(shipping, { ...ADDRESS, city: "Paris" });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: "already_shipped" });
    const page = await (await send(`/shipping?code=${encodeURIComponent(shipping)}`)).text();
    expect(page).toContain('href="https://track.example/123"');
  });

  it("answers invalid addresses with 422 naming each field, the form kept", async () => {
    const { shipping } = await winner("badaddress@example.com");
    const response = await giveAddress(shipping, { ...ADDRESS, name: "", country: "XX", tshirt_size: "XXXL", phone: "call me" });
    expect(response.status).toBe(422);
    expect(Object.keys(((await response.json()) as { fields: object }).fields).sort()).toEqual(["country", "name", "phone", "tshirt_size"]);
    const html = await (await giveAddress(shipping, { ...ADDRESS, city: "", name: "<b>Ada</b>" }, false)).text();
    expect(html).toMatch(/name="city"[^>]*aria-invalid="true"/);
    expect(html).toContain('value="&lt;b&gt;Ada&lt;/b&gt;"');
  });

  it("keeps the submission link and the shipping link apart", async () => {
    const { code, shipping } = await winner("apart@example.com");
    expect((await send(`/shipping?code=${encodeURIComponent(code)}`)).status).toBe(404);
    expect((await send(`/submit?code=${encodeURIComponent(shipping)}`)).status).toBe(404);
    expect((await send("/shipping?code=nope")).status).toBe(404);
    expect((await giveAddress(`${code.split(".")[0]}.${"Z".repeat(43)}`)).status).toBe(404);
  });

  it("refuses to ship before an address is given", async () => {
    const { id } = await winner("noaddress@example.com");
    const response = await admin(`/admin/api/entries/${id}/shipped`, { method: "POST", json: {} });
    expect(response.status).toBe(409);
    expect((await admin(`/admin/api/entries/${id}/shipped`, { method: "POST", json: { tracking_url: "javascript:alert(1)" } })).status).toBe(422);
  });
});

describe("prize holds", () => {
  it("reminds once halfway with a fresh link, and at expiry gives the slot back", async () => {
    const email = "slow@example.com";
    const { id, shipping } = await winner(email);
    const before = await prizeCounter(env).getStatus();

    await fastForward(email, "hold_reminder");
    const reminded = await shippingCode(email, "shipping_reminder");
    expect(reminded).not.toBe(shipping);
    expect((await send(`/shipping?code=${encodeURIComponent(shipping)}`)).status).toBe(404);
    expect((await send(`/shipping?code=${encodeURIComponent(reminded)}`)).status).toBe(200);
    forgetCode(`shipping_reminder:${email}`);
    await fastForward(email, "hold_reminder");
    await expect(shippingCode(email, "shipping_reminder", 500)).rejects.toThrow(); // only once

    await fastForward(email, "hold_expiry");
    await prizeCounter(env).flushOutbox();
    const after = await prizeCounter(env).getStatus();
    expect(after.awarded).toBe(before.awarded - 1);
    await indexed(id, (row) => row.shipping_status === "expired" && row.status === "submitted");
    const expired = await giveAddress(reminded);
    expect(expired.status).toBe(409);
    expect(await expired.json()).toMatchObject({ error: "hold_expired" });
    const log = await prizeCounter(env).log(0, 1000);
    expect(log.events.at(-1)).toMatchObject({ type: "revoke" });

    // Running the expiry again changes nothing.
    await fastForward(email, "hold_expiry");
    expect((await prizeCounter(env).getStatus()).awarded).toBe(after.awarded);
  });

  it("an address given in time cancels the reminder and the expiry", async () => {
    const email = "prompt@example.com";
    await winner(email);
    await giveAddress(await shippingCode(email));
    const awarded = (await prizeCounter(env).getStatus()).awarded;
    await runInDurableObject(registrantStub(email), async (_: Registrant, state) => {
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM alarm_schedule WHERE source LIKE 'hold%'").one().n).toBe(0);
    });
    await fastForward(email, "hold_expiry");
    expect((await prizeCounter(env).getStatus()).awarded).toBe(awarded);
  });

  it("re-offers an expired prize to the best-scored entry that has none, when the organiser turned that on", async () => {
    const email = "lapsed@example.com";
    const { id: lapsed } = await winner(email);
    const { id: next } = await entrant("runner-up@example.com", { title: "Runner up" });
    await indexed(next, (row) => row.submission_version === 1);
    await admin(`/admin/api/entries/${next}/score`, { method: "PUT", json: { criteria: { requirements: 4, innovation: 4, breadth: 4 } } });
    // Scored higher, but once a winner whose prize was revoked: passed over.
    const { id: revoked } = await entrant("once-won@example.com", { title: "Once won" });
    await indexed(revoked, (row) => row.submission_version === 1);
    await admin(`/admin/api/entries/${revoked}/score`, { method: "PUT", json: { criteria: { requirements: 5, innovation: 5, breadth: 5 } } });
    await admin(`/admin/api/entries/${revoked}/award`, { method: "POST" });
    await admin(`/admin/api/entries/${revoked}/award`, { method: "DELETE" });
    await indexed(revoked, (row) => row.status === "submitted");
    await runInDurableObject(prizeCounter(env), (instance: PrizeCounter) => {
      Object.defineProperty(instance, "env", { value: { ...env, REOFFER_EXPIRED: "true" }, configurable: true });
    });
    const awarded = (await prizeCounter(env).getStatus()).awarded;
    await fastForward(email, "hold_expiry");
    await indexed(next, (row) => row.status === "winner", 5_000);
    expect((await prizeCounter(env).getStatus()).awarded).toBe(awarded);
    await indexed(lapsed, (row) => row.status === "submitted" && row.shipping_status === "expired");
    expect(await indexed(revoked)).toMatchObject({ status: "submitted" });
    expect(await shippingCode("runner-up@example.com")).toMatch(/\./);
    const audit = (await (await admin("/admin/api/audit")).json()) as { entries: { action: string; target: string }[] };
    expect(audit.entries.map((e) => `${e.action}:${e.target}`)).toEqual(expect.arrayContaining([`hold_expired:${lapsed}`, `reoffer:${next}`]));
  });
});

describe("erasure", () => {
  it("leaves every erased winner erased in the index, though the revoke's news races the erasure", async () => {
    const winners = await Promise.all(Array.from({ length: 6 }, (_, i) => winner(`erased-winner-${i}@example.com`, `Winner ${i}`)));
    await Promise.all(winners.map(({ id }) => admin(`/admin/api/entries/${id}`, { method: "DELETE" })));
    await prizeCounter(env).flushOutbox();
    for (const { id } of winners) await indexed(id, (row) => row.status === "erased");
    // Whatever was still on its way has arrived by now; nothing came back.
    await prizeCounter(env).flushOutbox();
    for (const [i, { id }] of winners.entries()) {
      await registrantStub(`erased-winner-${i}@example.com`).flushOutbox();
      expect(await indexed(id)).toMatchObject({ status: "erased", email: "" });
    }
  });

  it("lets an entrant erase everything with their link; an unshipped prize goes back", async () => {
    const email = "forget-me@example.com";
    const { id, code } = await winner(email, "Forgettable");
    await admin(`/admin/api/entries/${id}/score`, { method: "PUT", json: { criteria: { requirements: 1, innovation: 1, breadth: 1 }, comment: "meh" } });
    const awarded = (await prizeCounter(env).getStatus()).awarded;

    const refused = await send("/privacy/erase", { acceptJson: true, form: { code } });
    expect(refused.status).toBe(422);
    const response = await send("/privacy/erase", { acceptJson: true, form: { code, confirm: "on" } });
    expect(response.status).toBe(200);

    expect((await prizeCounter(env).getStatus()).awarded).toBe(awarded - 1);
    await runInDurableObject(registrantStub(email), async (_: Registrant, state) => {
      const tables = state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 3) != '_cf' AND substr(name, 1, 6) != 'sqlite' AND name != 'schema_version'")
        .toArray();
      expect(tables.length).toBeGreaterThan(0);
      for (const { name } of tables) expect(state.storage.sql.exec(`SELECT COUNT(*) AS n FROM "${name}"`).one().n, name).toBe(0);
    });
    const row = await indexed(id, (r) => r.status === "erased");
    expect(JSON.stringify(row)).not.toMatch(/forget-me|Forgettable|Ada|Lovelace/);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM scores WHERE entry_id = ?").bind(id).first()).toEqual({ n: 0 });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM email_log WHERE recipient = ?").bind(email).first()).toEqual({ n: 0 });
    for (const set of ["entries", "submissions", "winners", "shipping"]) {
      expect(await (await admin(`/admin/api/export.csv?set=${set}`)).text()).not.toContain(email);
    }
    expect((await send(`/submit?code=${encodeURIComponent(code)}`)).status).toBe(404);
    expect((await send("/privacy/erase", { acceptJson: true, form: { code, confirm: "on" } })).status).toBe(404);
    const stats = (await (await admin("/admin/api/stats")).json()) as { byStatus: Record<string, number>; perDay: { day: string }[] };
    expect(stats.byStatus.erased).toBeGreaterThanOrEqual(1);
    expect(stats.perDay.map((d) => d.day)).not.toContain("1970-01-01");
    const erasedList = (await (await admin("/admin/api/entries?status=erased")).json()) as { entries: { id: string }[] };
    expect(erasedList.entries.map((e) => e.id)).toContain(id);
  });

  it("lets an organiser erase an entrant, audited, and the person may sign up again afresh", async () => {
    const { id } = await entrant("organiser-erase@example.com", { title: "Gone soon" });
    await indexed(id, (row) => row.submission_version === 1);
    expect((await admin(`/admin/api/entries/${id}`, { method: "DELETE", token: "dev-judge-token" })).status).toBe(403);
    expect((await admin(`/admin/api/entries/${id}`, { method: "DELETE" })).status).toBe(200);
    await indexed(id, (row) => row.status === "erased");
    const audit = (await (await admin("/admin/api/audit")).json()) as { entries: { action: string; target: string }[] };
    expect(audit.entries[0]).toMatchObject({ action: "erase", target: id });

    await signUp("organiser-erase@example.com");
    await indexed(id, (row) => row.status === "registered" && row.email === "organiser-erase@example.com");
  });

  it("erases everyone RETENTION_DAYS after submissions close, and no earlier", async () => {
    const { id } = await entrant("retained@example.com", {});
    await indexed(id, (row) => row.submission_version === 1);
    expect(await startRetentionIfDue(env)).toBeNull();
    const later = Date.parse("2030-12-31T23:59:59Z") + 366 * 86_400_000;
    const run = await startRetentionIfDue(env, later);
    expect(run).toMatchObject({ kind: "retention", status: "running" });
    const done = await finished(run!.id);
    expect(done.processed).toBeGreaterThan(0);
    expect(done.failed).toBe(0);
    await indexed(id, (row) => row.status === "erased");
    // Nobody is left to erase: the next day's cron starts nothing.
    expect(await startRetentionIfDue(env, later + 86_400_000)).toBeNull();
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM entries WHERE status != 'erased'").first<{ n: number }>();
    expect(left!.n).toBe(0);
  });
});
