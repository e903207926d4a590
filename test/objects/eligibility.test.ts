import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PrizeCounter } from "../../src/objects/prize-counter";
import type { Registrant } from "../../src/objects/registrant";
import { BAN_SNAPSHOT_KEY, mailboxHash } from "../../src/schemas/bans";
import { pseudonym, verifyAwardLog } from "../../src/prizes/award-log";
import { queuedEmails, registrantId, registrantStub } from "../helpers";

const entrant = (i: number) => registrantId(`eligible-${i}@example.com`);

afterEach(() => vi.restoreAllMocks());

function freshCounter() {
  return env.PRIZE_COUNTER.get(env.PRIZE_COUNTER.idFromName(crypto.randomUUID()));
}

/** The counter's ledger as it stands: who holds which slot, who waits, who is disqualified. */
function ledger(counter: DurableObjectStub<PrizeCounter>) {
  return runInDurableObject(counter, (_: PrizeCounter, state) => ({
    awards: state.storage.sql.exec<{ registrant_id: string; slot: number }>("SELECT registrant_id, slot FROM award").toArray(),
    waitlist: state.storage.sql.exec<{ registrant_id: string }>("SELECT registrant_id FROM waitlist ORDER BY position").toArray().map((row) => row.registrant_id),
    disqualified: state.storage.sql
      .exec<{ registrant_id: string }>("SELECT registrant_id FROM disqualification WHERE reinstated_at IS NULL")
      .toArray()
      .map((row) => row.registrant_id),
  }));
}

/** Runs `act` on the counter's storage under other settings, as the object would after a deploy. */
function underSettings<T>(counter: DurableObjectStub<PrizeCounter>, vars: Record<string, string>, act: (instance: PrizeCounter) => Promise<T>) {
  return runInDurableObject(counter, (_: PrizeCounter, state) => act(new PrizeCounter(state, { ...env, ...vars })));
}

describe("a disqualified entrant at the PrizeCounter", () => {
  it("loses a slot they held and gets none by award, first-come claim or waitlist, until reinstated", async () => {
    const counter = freshCounter();
    expect(await counter.award(entrant(1), "judge:ada")).toMatchObject({ ok: true, slot: 1 });
    expect(await counter.disqualify(entrant(1), "organiser:lin", "Two accounts")).toEqual({ ok: true, revokedSlot: 1, reofferedTo: null });
    expect(await counter.disqualify(entrant(1), "organiser:lin", "Again")).toEqual({ ok: false, reason: "already_disqualified" });
    expect(await counter.award(entrant(1), "judge:ada")).toMatchObject({ ok: false, reason: "disqualified" });
    expect(await counter.claim(entrant(1))).toBeNull();
    expect(await counter.getStatus()).toMatchObject({ awarded: 0 });
    expect(await counter.disqualification(entrant(1))).toMatchObject({ disqualified: true, reason: "Two accounts", by: "organiser:lin", reinstatedAt: null });

    // A waitlisted entrant leaves the waitlist; the others keep their places.
    await counter.resize(1, "organiser:lin");
    await counter.claim(entrant(2));
    await counter.claim(entrant(3));
    await counter.claim(entrant(4));
    expect((await ledger(counter)).waitlist).toEqual([entrant(3), entrant(4)]);
    await counter.disqualify(entrant(3), "organiser:lin", "Bot");
    expect((await ledger(counter)).waitlist).toEqual([entrant(4)]);
    expect(await counter.claim(entrant(3))).toBeNull();

    expect(await counter.reinstate(entrant(1), "organiser:lin")).toBe(true);
    expect(await counter.reinstate(entrant(1), "organiser:lin")).toBe(false);
    expect(await counter.disqualification(entrant(1))).toMatchObject({ disqualified: false, reinstatedBy: "organiser:lin" });
    await counter.resize(5, "organiser:lin");
    expect(await counter.award(entrant(1), "judge:ada")).toMatchObject({ ok: true });
    const log = await counter.log(0, 100);
    expect(verifyAwardLog(log.events, log.head).ok).toBe(true);
    expect(JSON.stringify(log)).not.toContain("Two accounts");
  });

  it("is passed over when a freed slot is re-offered: the waitlist's next, or the judges' next best", async () => {
    const counter = freshCounter();
    await underSettings(counter, { AWARD_POLICY: "first_come", REOFFER_EXPIRED: "true" }, async (instance) => {
      await instance.resize(1, "organiser:lin");
      await instance.claim(entrant(10));
      await instance.claim(entrant(11)); // waitlist 1
      await instance.claim(entrant(12)); // waitlist 2
      await instance.disqualify(entrant(11), "organiser:lin", "Bot");
      // Disqualifying the winner frees the slot for the waitlist's next eligible entrant.
      expect(await instance.disqualify(entrant(10), "organiser:lin", "Bot")).toEqual({ ok: true, revokedSlot: 1, reofferedTo: entrant(12) });
    });
    const judged = freshCounter();
    await underSettings(judged, { AWARD_POLICY: "judged", REOFFER_EXPIRED: "true" }, async (instance) => {
      await instance.award(entrant(20), "judge:ada");
      await instance.disqualify(entrant(21), "organiser:lin", "Plagiarism");
      expect(await instance.releaseExpired(entrant(20), [entrant(21), entrant(22)])).toEqual({ released: true, reofferedTo: entrant(22) });
    });
    expect((await ledger(judged)).awards).toEqual([{ registrant_id: entrant(22), slot: 1 }]);
  });

  it("racing a disqualification against 200 awards: the pool and the log agree, and no disqualified entry holds a slot", { timeout: 30_000 }, async () => {
    const counter = freshCounter();
    await counter.resize(150, "organiser:lin");
    const ids = Array.from({ length: 200 }, (_, i) => entrant(100 + i));
    const cheaters = ids.filter((_, i) => i % 4 === 0);
    await Promise.all([
      ...ids.map((id) => counter.award(id, "judge:ada")),
      ...cheaters.map((id) => counter.disqualify(id, "organiser:lin", "Ring of accounts")),
      ...cheaters.map((id) => counter.award(id, "judge:grace")),
    ]);
    const { awards, disqualified } = await ledger(counter);
    expect(new Set(disqualified)).toEqual(new Set(cheaters));
    expect(awards.filter((award) => cheaters.includes(award.registrant_id))).toEqual([]);
    expect(new Set(awards.map((award) => award.slot)).size).toBe(awards.length);
    const status = await counter.getStatus();
    expect(status.awarded).toBe(awards.length);
    expect(awards.length).toBeLessThanOrEqual(150);
    // The public log replays to the same holders: each award not revoked since.
    const { events, head } = await counter.log(0, 1000);
    expect(verifyAwardLog(events, head).ok).toBe(true);
    const held = new Map<string, number>();
    for (const event of events) {
      if (event.type === "award") held.set(event.pseudonym!, event.slot!);
      if (event.type === "revoke") held.delete(event.pseudonym!);
    }
    expect([...held.entries()].sort()).toEqual(awards.map((award) => [pseudonym(award.registrant_id), award.slot] as [string, number]).sort());
  });

  it("bans a mailbox (as its hash) with its registrant disqualified in the same change, and publishes the list to KV", async () => {
    const counter = freshCounter();
    const hash = await mailboxHash("banned@example.com");
    await counter.award(entrant(30), "judge:ada");
    const banned = await counter.ban({ kind: "mailbox", hash, registrantId: entrant(30), reason: "Fraud" }, "organiser:lin");
    expect(banned).toMatchObject({ added: true, disqualified: { ok: true, revokedSlot: 1 } });
    expect(await counter.ban({ kind: "mailbox", hash, registrantId: entrant(30), reason: "Fraud" }, "organiser:lin")).toMatchObject({ id: banned.id, added: false });
    await counter.ban({ kind: "domain", domain: "Spam.Example", reason: "Spam" }, "organiser:lin");
    expect((await ledger(counter)).awards).toEqual([]);
    expect(await counter.bans()).toMatchObject([{ kind: "domain", value: "spam.example" }, { kind: "mailbox", value: hash, registrantId: entrant(30) }]);
    await vi.waitFor(async () => {
      expect(await env.SNAPSHOTS.get(BAN_SNAPSHOT_KEY, "json")).toMatchObject({ mailboxes: [hash], domains: ["spam.example"] });
    });
    expect(await counter.unban(banned.id)).toBe(true);
    expect(await counter.unban(banned.id)).toBe(false);
    await vi.waitFor(async () => expect(await env.SNAPSHOTS.get(BAN_SNAPSHOT_KEY, "json")).toMatchObject({ mailboxes: [], domains: ["spam.example"] }));
    // Lifting the ban leaves the disqualification until an organiser reinstates.
    expect((await ledger(counter)).disqualified).toEqual([entrant(30)]);
  });

  it("refuses malformed arguments", async () => {
    const counter = freshCounter();
    await runInDurableObject(counter, async (instance: PrizeCounter) => {
      await expect(instance.disqualify(entrant(1), "organiser", "  ")).rejects.toThrow("reason is required");
      await expect(instance.disqualify("nope", "organiser", "x")).rejects.toThrow("Not a registrant id");
      await expect(instance.ban({ kind: "domain", domain: "no spaces.com", reason: "x" } as never, "organiser")).rejects.toThrow();
      await expect(instance.ban({ kind: "mailbox", hash: "abc", registrantId: entrant(1), reason: "x" } as never, "organiser")).rejects.toThrow();
      await expect(instance.unban(0)).rejects.toThrow();
    });
    expect(await ledger(counter)).toEqual({ awards: [], waitlist: [], disqualified: [] });
  });
});

describe("a disqualified entrant's Registrant", () => {
  it("learns it through the counter's outbox: one email, the hold closed, shown in its row; reinstating shows again", async () => {
    const email = "learns@example.com";
    await registrantStub(email).register({ firstname: "Lea", lastname: "Rns", email });
    const id = registrantId(email);
    const counter = freshCounter();
    await counter.award(id, "judge:ada");
    await counter.flushOutbox();
    const emails = vi.spyOn(env.CHANGES_QUEUE, "sendBatch");
    await counter.disqualify(id, "organiser:lin", "Rules");
    await counter.flushOutbox();
    const state = () =>
      runInDurableObject(registrantStub(email), async (instance: Registrant, s) => ({
        eligibility: s.storage.sql.exec("SELECT disqualified, seq FROM eligibility").toArray(),
        prize: s.storage.sql.exec("SELECT status FROM prize").toArray(),
        shipping: s.storage.sql.exec("SELECT 1 FROM shipping").toArray().length,
        row: await instance.indexRow(),
      }));
    await vi.waitFor(async () => expect((await state()).prize).toEqual([{ status: "revoked" }]));
    const after = await state();
    expect(after.eligibility).toEqual([{ disqualified: 1, seq: 1 }]);
    expect(after.shipping).toBe(0);
    expect(after.row).toMatchObject({ status: "registered", disqualified_at: expect.any(Number), slot: null });
    await registrantStub(email).flushOutbox();
    // Handed over again until the email log confirms it, always under its one key.
    const jobs = emails.mock.calls.flatMap(([messages]) => [...messages].flatMap((m) => queuedEmails(m.body)));
    expect(new Set(jobs.filter((job) => job.template === "disqualified").map((job) => job.key))).toEqual(new Set([`${id}:disqualified:1`]));

    // A late or repeated word changes nothing, and sends nothing again.
    await registrantStub(email).recordEligibility({ registrantId: id, seq: 1, disqualified: true });
    await counter.reinstate(id, "organiser:lin");
    await counter.flushOutbox();
    await vi.waitFor(async () => expect((await state()).row).toMatchObject({ disqualified_at: null }));
    await registrantStub(email).recordEligibility({ registrantId: id, seq: 1, disqualified: true });
    expect((await state()).eligibility).toEqual([{ disqualified: 0, seq: 2 }]);
    expect(await registrantStub(email).resendEmail("shipping_link")).toBe(false);
  });
});
