/**
 * Lifecycle notices: a revoked prize's notice (after an undo window, with the reason, none
 * when the organiser says so or undoes the revoke), a move up from the waitlist, and the
 * retries of notices that failed.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { prizeCounter } from "../../src/objects/stubs";
import { mailbox, registrantStub, send } from "../helpers";
import { admin, entrant, indexed, shippingCode } from "./helpers";

const REVOKED = /About your .* prize/;

async function winner(email: string) {
  const { id } = await entrant(email, { title: `Entry of ${email}` });
  await indexed(id, (row) => row.submission_version === 1);
  expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
  await indexed(id, (row) => row.shipping_status === "awaiting");
  return id;
}

/** The entry as organisers see it, once its revoke reached the entrant's object. */
function revokedEntry(id: string) {
  return vi.waitFor(
    async () => {
      const entry = (await (await admin(`/admin/api/entries/${id}`)).json()) as { prize: { status: string } | null; revokeNotice: { dueAt: number; reason: string | null } | null };
      if (entry.prize?.status !== "revoked") throw new Error("not revoked yet");
      return entry;
    },
    { timeout: 5_000, interval: 50 },
  );
}

/** The undo window passes: the notice is made due, and the object's alarm runs. */
async function windowPasses(email: string) {
  const stub = registrantStub(email);
  await runInDurableObject(stub, (_, state) => {
    state.storage.sql.exec("UPDATE revoke_notice SET due_at = 0");
    state.storage.sql.exec("UPDATE alarm_schedule SET due_at = 0 WHERE source = 'revoke_notice'");
  });
  await runDurableObjectAlarm(stub);
  await stub.flushOutbox();
}

/** The emails to `email` whose subject matches, once there are `count` of them (or what there is after a while). */
async function matching(email: string, subject: RegExp, count: number, timeout = 5_000) {
  const found = async () => (await mailbox()).filter((e) => e.to === email && subject.test(e.subject));
  return vi.waitFor(async () => {
    const emails = await found();
    if (emails.length < count) throw new Error(`${emails.length} of ${count}`);
    return emails;
  }, { timeout, interval: 100 }).catch(found);
}

/** The revoke notices `email` got: waited for when some are expected, given time to (wrongly) come when none are. */
async function notices(email: string, expected: number) {
  return matching(email, REVOKED, Math.max(expected, 1), expected === 0 ? 1_500 : 5_000);
}

describe("a revoked prize's notice", { timeout: 30_000 }, () => {
  it("goes once the undo window is over, exactly once, with the organiser's reason", async () => {
    const email = "revoked-notice@example.com";
    const id = await winner(email);
    const revoke = await admin(`/admin/api/entries/${id}/award`, { method: "DELETE", json: { reason: "The repository is private." } });
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toMatchObject({ notice: { notify: true } });
    const entry = await revokedEntry(id);
    expect(entry.revokeNotice).toMatchObject({ reason: "The repository is private." });
    expect(entry.revokeNotice!.dueAt).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(await notices(email, 0)).toHaveLength(0);

    await windowPasses(email);
    await windowPasses(email);
    const sent = await notices(email, 1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain("The organisers' reason: The repository is private.");
    expect(((await (await admin(`/admin/api/entries/${id}`)).json()) as { revokeNotice: unknown }).revokeNotice).toBeNull();
  });

  it("does not go when the organiser says not to notify", async () => {
    const email = "revoked-quietly@example.com";
    const id = await winner(email);
    expect((await admin(`/admin/api/entries/${id}/award`, { method: "DELETE", json: { notify: false } })).status).toBe(200);
    expect((await revokedEntry(id)).revokeNotice).toBeNull();
    await windowPasses(email);
    expect(await notices(email, 0)).toHaveLength(0);
  });

  it("can be called off within the undo window, once", async () => {
    const email = "revoked-by-mistake@example.com";
    const id = await winner(email);
    expect((await admin(`/admin/api/entries/${id}/award`, { method: "DELETE" })).status).toBe(200);
    await revokedEntry(id);
    expect((await admin(`/admin/api/entries/${id}/revoke-notice`, { method: "DELETE", token: "dev-judge-token" })).status).toBe(403);
    expect((await admin(`/admin/api/entries/${id}/revoke-notice`, { method: "DELETE" })).status).toBe(200);
    const again = await admin(`/admin/api/entries/${id}/revoke-notice`, { method: "DELETE" });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "nothing_to_cancel" });
    await windowPasses(email);
    expect(await notices(email, 0)).toHaveLength(0);
    const audit = (await (await admin(`/admin/api/audit?entry=${id}&action=revoke_notice_cancel`)).json()) as { entries: unknown[] };
    expect(audit.entries).toHaveLength(1);
  });

  it("is dropped when the prize is awarded again within the window (the revoke is undone)", async () => {
    const email = "revoked-and-back@example.com";
    const id = await winner(email);
    expect((await admin(`/admin/api/entries/${id}/award`, { method: "DELETE" })).status).toBe(200);
    await revokedEntry(id);
    expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
    await indexed(id, (row) => row.status === "winner");
    await vi.waitFor(async () => {
      const entry = (await (await admin(`/admin/api/entries/${id}`)).json()) as { prize: { status: string }; revokeNotice: unknown };
      if (entry.prize.status !== "awarded" || entry.revokeNotice !== null) throw new Error("not back yet");
    });
    await windowPasses(email);
    expect(await notices(email, 2)).toHaveLength(0);
  });

  it("answers a malformed body with 422 naming the field, and revokes nothing", async () => {
    const id = await winner("revoke-malformed@example.com");
    const response = await admin(`/admin/api/entries/${id}/award`, { method: "DELETE", json: { reason: "x".repeat(501), notify: "maybe" } });
    expect(response.status).toBe(422);
    expect(Object.keys(((await response.json()) as { fields: object }).fields).sort()).toEqual(["notify", "reason"]);
    await indexed(id, (row) => row.status === "winner");
  });
});

describe("moving up from the waitlist", { timeout: 30_000 }, () => {
  it("tells the entrant they moved up, with their shipping link, instead of the winner's email", async () => {
    const email = "moved-up@example.com";
    const { id } = await entrant(email, { title: "Patient Pangolin" });
    await indexed(id, (row) => row.submission_version === 1);
    const counter = prizeCounter(env);
    const before = await counter.getStatus();
    try {
      // Every prize given out, so the claim joins the waitlist; then one more prize, for it.
      expect((await counter.resize(before.awarded, "test")).ok).toBe(true);
      expect((await counter.claim(id))?.status).toBe("waitlisted");
      await indexed(id, (row) => row.status === "waitlisted");
      expect((await counter.resize(before.awarded + 1, "test")).ok).toBe(true);
      expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
      const [moved] = await matching(email, /moved up/, 1);
      expect(moved?.text).toContain("you were next on the waitlist");
      expect(moved?.links.some((link) => link.includes("/shipping?code="))).toBe(true);
      expect(await matching(email, /You won/, 1, 1_000)).toHaveLength(0);
    } finally {
      await counter.resize(Math.max(before.total, (await counter.getStatus()).awarded), "test");
    }
  });
});

describe("a notice that failed for good", { timeout: 30_000 }, () => {
  it("goes out again when an organiser retries it, under a key of its own", async () => {
    const email = "shipped-retry@example.com";
    const id = await winner(email);
    const address = { code: await shippingCode(email), name: "Ada Lovelace", address_line1: "1 Road", city: "London", country: "GB", tshirt_size: "M" };
    expect((await send("/shipping", { acceptJson: true, form: address })).status).toBe(200);
    expect((await admin(`/admin/api/entries/${id}/shipped`, { method: "POST", json: { tracking_url: "https://track.example/1" } })).status).toBe(200);
    const [shipped] = await matching(email, /on its way/, 1);
    expect(shipped).toBeDefined();
    await env.DB.prepare("UPDATE email_log SET status = 'dead' WHERE key = ?").bind(shipped!.key).run();
    expect((await admin(`/admin/api/emails/${encodeURIComponent(shipped!.key)}/retry`, { method: "POST" })).status).toBe(202);
    const copies = await matching(email, /on its way/, 2, 8_000);
    expect(copies).toHaveLength(2);
    expect(copies[0]!.key).not.toBe(copies[1]!.key);
  });
});
