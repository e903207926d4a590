import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Registrant } from "../../src/objects/registrant";
import type { EntryRow } from "../../src/schemas/entry-row";
import { consume } from "../email/helpers";
import { registrantStub } from "../helpers";
import { admin, entrant, indexed } from "./helpers";

/** A registrant's current index row, as its object last sent it. */
async function rowOf(email: string, ready: (row: Record<string, unknown>) => boolean = () => true): Promise<EntryRow & { score?: unknown; scores_count?: unknown }> {
  const { id } = await entrant(email, { title: `Entry of ${email}` });
  return (await indexed(id, (row) => row.submission_version === 1 && ready(row))) as unknown as EntryRow;
}

function withoutJudgesColumns(row: Record<string, unknown>): EntryRow {
  const { score: _score, scores_count: _count, ...projected } = row;
  return projected as unknown as EntryRow;
}

describe("the index queue consumer", () => {
  it("writes a batch of rows from many registrants in one D1 batch", async () => {
    const rows = await Promise.all(["batch-1", "batch-2", "batch-3"].map((name) => rowOf(`${name}@example.com`)));
    const batches: number[] = [];
    const counted = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") return (statements: D1PreparedStatement[]) => (batches.push(statements.length), target.batch(statements));
        return Reflect.get(target, property);
      },
    });
    const changed = rows.map((row) => ({ ...withoutJudgesColumns(row), version: row.version + 1, title: `${row.title} (amended)` }));
    const result = await consume("swagbox-index", changed, { DB: counted });
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    expect(batches).toEqual([3]);
    for (const row of changed) expect(await indexed(row.id)).toMatchObject({ title: row.title, version: row.version });
  });

  it("keeps the newest version whatever order the rows arrive in", async () => {
    const row = withoutJudgesColumns(await rowOf("order@example.com"));
    const newer = { ...row, version: row.version + 2, title: "Newest" };
    const older = { ...row, version: row.version + 1, title: "Older" };
    await consume("swagbox-index", [newer, older]);
    expect(await indexed(row.id)).toMatchObject({ title: "Newest", version: newer.version });
    await consume("swagbox-index", [older]);
    expect(await indexed(row.id)).toMatchObject({ title: "Newest", version: newer.version });
  });

  it("retries every row while D1 refuses, then writes them when it is back", async () => {
    const row = withoutJudgesColumns(await rowOf("d1-outage@example.com"));
    const changed = { ...row, version: row.version + 1, title: "Written after the outage" };
    const down = vi.spyOn(env.DB, "batch").mockRejectedValue(new Error("D1 unavailable"));
    const refused = await consume("swagbox-index", [changed]);
    down.mockRestore();
    expect(refused.explicitAcks).toEqual([]);
    expect(refused.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(refused.retryDelays[0]).toBeGreaterThan(0);
    expect(await indexed(row.id)).toMatchObject({ title: row.title });

    const recovered = await consume("swagbox-index", [changed], {}, 2);
    expect(recovered.explicitAcks).toEqual(["m0"]);
    expect(await indexed(row.id)).toMatchObject({ title: "Written after the outage" });
  });

  it("acks a malformed row without writing anything", async () => {
    const row = withoutJudgesColumns(await rowOf("poison@example.com"));
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM entries").first<{ n: number }>();
    const result = await consume("swagbox-index", [
      { id: "not-an-id", version: 1 },
      "junk",
      null,
      { ...row, version: row.version + 1, products: "workers" },
    ]);
    expect(result.explicitAcks).toEqual(["m0", "m1", "m2", "m3"]);
    expect(await indexed(row.id)).toMatchObject({ version: row.version });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM entries").first<{ n: number }>()).toEqual(before);
  });

  it("never lets a row sent before an erasure bring the entrant's data back", async () => {
    const row = withoutJudgesColumns(await rowOf("erased-in-flight@example.com"));
    expect((await admin(`/admin/api/entries/${row.id}`, { method: "DELETE" })).status).toBe(200);
    await indexed(row.id, (r) => r.status === "erased");
    await consume("swagbox-index", [{ ...row, version: row.version + 1 }]);
    const after = await indexed(row.id);
    expect(after).toMatchObject({ status: "erased", email: "" });
    expect(JSON.stringify(after)).not.toContain("erased-in-flight");
  });
});

describe("the index dead-letter consumer", () => {
  it("has the registrant's object send its row again, straight to D1", async () => {
    const row = withoutJudgesColumns(await rowOf("dead-row@example.com"));
    await env.DB.prepare("DELETE FROM entries WHERE id = ?").bind(row.id).run();
    const result = await consume("swagbox-index-dlq", [row]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const back = await env.DB.prepare("SELECT * FROM entries WHERE id = ?").bind(row.id).first();
    expect(back).toMatchObject({ email: "dead-row@example.com", title: row.title, status: "submitted" });
    expect((back as { version: number }).version).toBeGreaterThan(row.version);
  });

  it("leaves a dead letter to the object's outbox while D1 is down, which writes it once D1 is back", async () => {
    const email = "dead-row-outage@example.com";
    const row = withoutJudgesColumns(await rowOf(email));
    await env.DB.prepare("DELETE FROM entries WHERE id = ?").bind(row.id).run();
    const down = vi.spyOn(env.DB, "batch").mockRejectedValue(new Error("D1 unavailable"));
    const result = await consume("swagbox-index-dlq", [row]);
    down.mockRestore();
    expect(result.explicitAcks).toEqual(["m0"]);
    await runInDurableObject(registrantStub(email), async (instance: Registrant, state) => {
      expect(instance["outbox"].pending()).toMatchObject([{ topic: "reindex", attempts: 1 }]);
      state.storage.sql.exec("UPDATE outbox SET next_attempt_at = 0");
      state.storage.sql.exec("UPDATE alarm_schedule SET due_at = 0");
      await instance.alarm();
    });
    expect(await indexed(row.id)).toMatchObject({ email, title: row.title });
  });

  it("retries a dead letter while the registrant's object cannot be reached", async () => {
    const row = withoutJudgesColumns(await rowOf("dead-row-unreachable@example.com"));
    const unreachable = vi.spyOn(env.REGISTRANT, "get").mockImplementation(() => {
      throw new Error("Durable Object unavailable");
    });
    const result = await consume("swagbox-index-dlq", [row]);
    unreachable.mockRestore();
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
  });
});
