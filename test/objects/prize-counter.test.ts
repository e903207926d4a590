import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PrizeCounter } from "../../src/objects/prize-counter";
import type { Registrant } from "../../src/objects/registrant";
import { GENESIS, pseudonym, verifyAwardLog, type HashedAwardEvent } from "../../src/prizes/award-log";
import type { AwardBatch } from "../../src/schemas/awards";
import { registrantId, registrantStub } from "../helpers";

const entrant = (i: number) => registrantId(`entrant-${i}@example.com`);

afterEach(() => vi.restoreAllMocks());

/**
 * A counter of its own for each test (storage is shared within a file). The Worker's is
 * prizeCounter(env); the class does not depend on the name.
 */
function freshCounter() {
  return env.PRIZE_COUNTER.get(env.PRIZE_COUNTER.idFromName(crypto.randomUUID()));
}

/** Runs a counter's outbox now, as its alarm would. */
function deliverOutbox(counter: DurableObjectStub<PrizeCounter>) {
  return counter.flushOutbox();
}

describe("PrizeCounter", () => {
  it("1,000 racing awards against a pool of 300 award exactly 300 slots, 1 to 300 once each", { timeout: 30_000 }, async () => {
    const counter = freshCounter();
    const ids = Array.from({ length: 1000 }, (_, i) => entrant(i));
    const results = await Promise.all(ids.map((id) => counter.award(id, "judge:ada")));

    const awarded = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(awarded).toHaveLength(300);
    expect(refused).toHaveLength(700);
    expect(new Set(refused.map((r) => !r.ok && r.reason))).toEqual(new Set(["no_prizes_left"]));
    const slots = awarded.map((r) => (r.ok ? r.slot : 0)).sort((a, b) => a - b);
    expect(slots).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(await counter.getStatus()).toMatchObject({ total: 300, awarded: 300, remaining: 0 });

    // Awarding a winner again returns their slot; a refused entrant stays refused.
    const winner = ids[results.findIndex((r) => r.ok)]!;
    const first = results.find((r) => r.ok)!;
    expect(await counter.award(winner, "judge:grace")).toEqual({ ...first, remaining: 0, already: true });
    expect(await counter.award(ids[results.findIndex((r) => !r.ok)]!, "judge:grace")).toMatchObject({ ok: false });

    // Revoke frees exactly that slot, and racing awards can take it only once.
    expect(await counter.revoke(winner, "judge:grace")).toEqual({ ok: true, slot: first.ok ? first.slot : 0, remaining: 1 });
    expect(await counter.revoke(winner, "judge:grace")).toEqual({ ok: false, reason: "not_awarded" });
    const losers = ids.filter((_, i) => !results[i]!.ok).slice(0, 50);
    const retries = await Promise.all(losers.map((id) => counter.award(id, "judge:grace")));
    expect(retries.filter((r) => r.ok)).toEqual([{ ok: true, slot: first.ok ? first.slot : 0, remaining: 0, already: false }]);
    expect(await counter.getStatus()).toMatchObject({ total: 300, awarded: 300, remaining: 0 });
  });

  it("resizes the pool, never below the number already awarded", async () => {
    const counter = freshCounter();
    await Promise.all([1, 2, 3].map((i) => counter.award(entrant(i), "judge:ada")));
    expect(await counter.resize(2, "organiser:lin")).toEqual({ ok: false, reason: "below_awarded", awarded: 3 });
    expect(await counter.resize(3, "organiser:lin")).toEqual({ ok: true, total: 3, remaining: 0 });
    expect(await counter.award(entrant(4), "judge:ada")).toMatchObject({ ok: false, reason: "no_prizes_left" });
    expect(await counter.resize(10, "organiser:lin")).toEqual({ ok: true, total: 10, remaining: 7 });
    expect(await counter.award(entrant(4), "judge:ada")).toMatchObject({ ok: true, slot: 4 });
  });

  it("refuses malformed RPC arguments", async () => {
    await runInDurableObject(freshCounter(), async (instance: PrizeCounter) => {
      await expect(instance.award("not-an-id", "judge")).rejects.toThrow("Not a registrant id");
      await expect(instance.award(entrant(1), "  ")).rejects.toThrow("An actor is required");
      await expect(instance.resize(-1, "organiser")).rejects.toThrow();
      await expect(instance.resize(2.5, "organiser")).rejects.toThrow();
    });
  });

  it("awards a batch in order in one transaction, stops at the pool, and awards a batch id once", async () => {
    const counter = freshCounter();
    await counter.award(entrant(2), "organiser:lin");
    await counter.resize(4, "organiser:lin");
    const batch = crypto.randomUUID();
    const candidates = [1, 2, 3, 4, 5, 6].map((i) => ({ id: entrant(i), ...(i === 3 ? { refused: "below_min_reviews" } : {}) }));
    const first = await counter.awardBatch({ batch, actor: "organiser:ada", candidates });
    expect(first).toEqual({
      batch,
      replayed: false,
      remaining: 0,
      results: [
        { id: entrant(1), awarded: true, slot: 2 },
        { id: entrant(2), awarded: false, reason: "already_winner" },
        { id: entrant(3), awarded: false, reason: "below_min_reviews" },
        { id: entrant(4), awarded: true, slot: 3 },
        { id: entrant(5), awarded: true, slot: 4 },
        { id: entrant(6), awarded: false, reason: "no_prizes_left" },
      ],
    });
    await counter.resize(10, "organiser:lin");
    const again = await counter.awardBatch({ batch, actor: "organiser:ada", candidates });
    expect(again).toEqual({ ...first, replayed: true, remaining: 6 });
    expect((await counter.getStatus()).awarded).toBe(4);
  });

  it("names a candidate disqualified after the caller's check as disqualified, not as out of prizes", async () => {
    const counter = freshCounter();
    await counter.disqualify(entrant(2), "organiser:lin", "Two accounts");
    const { results, remaining } = await counter.awardBatch({ batch: crypto.randomUUID(), actor: "organiser:ada", candidates: [1, 2, 3].map((i) => ({ id: entrant(i) })) });
    expect(results).toEqual([
      { id: entrant(1), awarded: true, slot: 1 },
      { id: entrant(2), awarded: false, reason: "disqualified" },
      { id: entrant(3), awarded: true, slot: 2 },
    ]);
    expect(remaining).toBe(298);
  });

  it("awards two racing batches of 200 against a pool of 300: exactly 300 slots, once each", async () => {
    const counter = freshCounter();
    const batch = (from: number) => ({ batch: crypto.randomUUID(), actor: "organiser", candidates: Array.from({ length: 200 }, (_, i) => ({ id: entrant(from + i) })) });
    const [a, b] = await Promise.all([counter.awardBatch(batch(0)), counter.awardBatch(batch(200))]);
    const slots = [...a.results, ...b.results].flatMap((result) => (result.awarded ? [result.slot] : []));
    expect(slots.sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect([...a.results, ...b.results].filter((result) => !result.awarded).every((result) => result.reason === "no_prizes_left")).toBe(true);
  });

  it("refuses a malformed batch, awarding nothing", async () => {
    const good = { batch: crypto.randomUUID(), actor: "organiser", candidates: [{ id: entrant(1) }] };
    await runInDurableObject(freshCounter(), async (instance: PrizeCounter) => {
      for (const [bad, message] of [
        [{ ...good, batch: "not-a-uuid" }, "batch is the id the preview gave"],
        [{ ...good, actor: " " }, "An actor is required"],
        [{ ...good, candidates: [] }, "a batch names at least one entry"],
        [{ ...good, candidates: [{ id: "nope" }] }, "Not a registrant id"],
        [{ ...good, candidates: [{ id: entrant(1), refused: "Not A Reason!" }] }, "a refusal is a lower-case word"],
        [{ ...good, candidates: Array.from({ length: 501 }, (_, i) => ({ id: entrant(i) })) }, "a batch names at most 500 entries"],
      ] as [AwardBatch, string][]) {
        await expect(instance.awardBatch(bad)).rejects.toThrow(message);
      }
      expect((await instance.getStatus()).awarded).toBe(0);
    });
  });

  it("keeps a log that verifies, and detects any tampering with it", async () => {
    const counter = freshCounter();
    for (const i of [1, 2, 3]) await counter.award(entrant(i), "judge:ada");
    await counter.revoke(entrant(2), "judge:ada");
    await counter.resize(5, "organiser:lin");

    const log = await counter.log();
    expect(log.events.map((e) => e.type)).toEqual(["resize", "award", "award", "award", "revoke", "resize"]);
    expect(log.events[1]).toMatchObject({ seq: 2, pseudonym: pseudonym(entrant(1)), slot: 1, total: 300 });
    expect(JSON.stringify(log)).not.toContain(entrant(1));
    expect(JSON.stringify(log)).not.toContain("judge:ada");
    expect(verifyAwardLog(log.events, log.head)).toEqual({ ok: true, head: log.head });
    expect(log.head).toBe((await counter.getStatus()).head);

    const tampered = (change: (events: HashedAwardEvent[]) => HashedAwardEvent[]) =>
      verifyAwardLog(change(structuredClone(log.events)), log.head);
    expect(tampered((events) => events.toSpliced(2, 1))).toMatchObject({ ok: false, seq: 4 });
    expect(tampered((events) => [events[0]!, events[2]!, events[1]!, ...events.slice(3)])).toMatchObject({ ok: false });
    expect(tampered((events) => events.map((e) => (e.seq === 3 ? { ...e, slot: 9 } : e)))).toMatchObject({ ok: false, seq: 3 });
    expect(tampered((events) => events.slice(0, -1))).toMatchObject({ ok: false });

    // Changing a stored event in place is caught by anyone who verifies the served log.
    await runInDurableObject(counter, (_: PrizeCounter, state) => {
      state.storage.sql.exec("UPDATE event SET slot = 42 WHERE seq = 3");
    });
    const served = await counter.log();
    expect(verifyAwardLog(served.events, served.head)).toMatchObject({ ok: false, seq: 3, reason: "hash does not match" });
  });

  it("pages the public log", async () => {
    const counter = freshCounter();
    for (const i of [1, 2, 3, 4]) await counter.award(entrant(i), "judge:ada");
    const first = await counter.log(0, 2);
    expect(first.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(first.next).toBe(2);
    const rest = await counter.log(first.next!, 10);
    expect(rest.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(rest.next).toBeNull();
    expect(verifyAwardLog([...first.events, ...rest.events], rest.head).ok).toBe(true);
    expect(first.events[0]!.hash).not.toBe(GENESIS);
  });

  it("tells the registrant its slot, retrying until the registrant object takes it, never counting twice", async () => {
    const email = "winner@example.com";
    const id = registrantId(email);
    await registrantStub(email).register({ firstname: "Win", lastname: "Ner", email });
    const counter = freshCounter();
    const recordPrize = vi.fn().mockRejectedValue(new Error("registrant unreachable"));
    const unreachable = vi.spyOn(env.REGISTRANT, "get").mockReturnValue({ recordPrize } as never);
    await counter.award(id, "judge:ada");
    await vi.waitFor(async () =>
      expect((await counter.outboxStatus()).filter((job) => job.topic === "prize_update")).toMatchObject([
        { attempts: 1, state: "to_deliver", lastError: "registrant unreachable", key: `${id}@2` },
      ]),
    );
    unreachable.mockRestore();
    await deliverOutbox(counter);
    expect(await counter.outboxStatus()).toEqual([]);
    const prize = () =>
      runInDurableObject(registrantStub(email), (_: Registrant, s) => s.storage.sql.exec("SELECT status, slot, seq FROM prize").toArray());
    expect(await prize()).toEqual([{ status: "awarded", slot: 1, seq: 2 }]);

    // A redelivered or out-of-order older update changes nothing.
    await registrantStub(email).recordPrize({ registrantId: id, seq: 1, status: "revoked", slot: null, position: null });
    await registrantStub(email).recordPrize({ registrantId: id, seq: 2, status: "awarded", slot: 1, position: null });
    expect(await prize()).toEqual([{ status: "awarded", slot: 1, seq: 2 }]);
    await counter.revoke(id, "judge:ada");
    await deliverOutbox(counter);
    expect(await prize()).toEqual([{ status: "revoked", slot: null, seq: 3 }]);
    expect((await counter.getStatus()).awarded).toBe(0);
  });

  it("survives eviction: state comes back from storage", async () => {
    const counter = freshCounter();
    await counter.award(entrant(1), "judge:ada");
    await evictDurableObject(counter);
    expect(await counter.award(entrant(1), "judge:ada")).toMatchObject({ ok: true, slot: 1, already: true });
    expect(await counter.award(entrant(2), "judge:ada")).toMatchObject({ ok: true, slot: 2, already: false });
  });
});

/** How many rows each of the counter's ledger tables holds. */
function rowCounts(state: DurableObjectState): Record<string, number> {
  const tables = ["pool", "award", "waitlist", "event", "outbox", "live_relay"];
  return Object.fromEntries(tables.map((table) => [table, state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n]));
}

describe("the PrizeCounter's reads", () => {
  it("change nothing, even when the configuration changed since the counter started", async () => {
    const counter = freshCounter();
    await counter.award(entrant(900), "judge:ada");
    await counter.flushOutbox();
    await runInDurableObject(counter, async (_: PrizeCounter, state) => {
      const started = new PrizeCounter(state, { ...env, PRIZE_POOL: "9" });
      const before = rowCounts(state);
      const pool = state.storage.sql.exec("SELECT * FROM pool").one();
      await started.getStatus();
      await started.log();
      await started.outboxStatus();
      expect(rowCounts(state)).toEqual(before);
      expect(state.storage.sql.exec("SELECT * FROM pool").one()).toEqual(pool);
    });
  });

  it("apply a changed PRIZE_POOL when the object starts, never below what is awarded", async () => {
    const counter = freshCounter();
    await counter.award(entrant(901), "judge:ada");
    await counter.award(entrant(902), "judge:ada");
    // The object starting again under another configuration, as a deploy restarts it.
    await runInDurableObject(counter, (_: PrizeCounter, state) => void new PrizeCounter(state, { ...env, PRIZE_POOL: "7" }));
    expect(await counter.getStatus()).toMatchObject({ total: 7, remaining: 5 });
    await runInDurableObject(counter, (_: PrizeCounter, state) => void new PrizeCounter(state, { ...env, PRIZE_POOL: "1" }));
    expect(await counter.getStatus()).toMatchObject({ total: 7, awarded: 2 });
    const { events } = await counter.log();
    expect(events.map((event) => `${event.type}:${event.total}`)).toEqual(["resize:300", "award:300", "award:300", "resize:7"]);
    expect(verifyAwardLog(events, (await counter.log()).head).ok).toBe(true);
  });
});
