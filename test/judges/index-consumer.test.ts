import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { QUEUES } from "../../src/messages/topics";
import type { EntryRow } from "../../src/schemas/entry-row";
import { consume } from "../email/helpers";
import { failingD1 } from "../faults/d1";
import { rowChanges } from "../helpers";
import { admin, entrant, indexed } from "./helpers";

const messages = rowChanges;

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
  it("writes a batch of rows from many registrants, with their registry entries, in one D1 batch", async () => {
    const rows = await Promise.all(["batch-1", "batch-2", "batch-3"].map((name) => rowOf(`${name}@example.com`)));
    const batches: number[] = [];
    const counted = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") return (statements: D1PreparedStatement[]) => (batches.push(statements.length), target.batch(statements));
        return Reflect.get(target, property);
      },
    });
    const changed = rows.map((row) => ({ ...withoutJudgesColumns(row), version: row.version + 1, title: `${row.title} (amended)` }));
    const result = await consume(QUEUES.changes, messages(changed), { DB: counted });
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    // Each row, and its registrant's line in the registry.
    expect(batches).toEqual([6]);
    for (const row of changed) expect(await indexed(row.id)).toMatchObject({ title: row.title, version: row.version });
  });

  it("finds a row's products through an index when the row is rewritten or erased, instead of reading every entry's", async () => {
    // The statement entries_indexed_on_update and entries_unindexed_on_delete run for every
    // row written again (each index update, each erasure's tombstone).
    const { results } = await env.DB.prepare("EXPLAIN QUERY PLAN DELETE FROM entry_products WHERE entry_id = ?").bind("x").all<{ detail: string }>();
    const plan = results.map((step) => step.detail).join("\n");
    expect(plan).not.toContain("SCAN entry_products");
    expect(plan).toMatch(/USING (COVERING )?INDEX/);
  });

  it("keeps the newest version whatever order the rows arrive in", async () => {
    const row = withoutJudgesColumns(await rowOf("order@example.com"));
    const newer = { ...row, version: row.version + 2, title: "Newest" };
    const older = { ...row, version: row.version + 1, title: "Older" };
    await consume(QUEUES.changes, messages([newer, older]));
    expect(await indexed(row.id)).toMatchObject({ title: "Newest", version: newer.version });
    await consume(QUEUES.changes, messages([older]));
    expect(await indexed(row.id)).toMatchObject({ title: "Newest", version: newer.version });
  });

  it("retries every row while D1 refuses, then writes them when it is back", async () => {
    const row = withoutJudgesColumns(await rowOf("d1-outage@example.com"));
    const changed = { ...row, version: row.version + 1, title: "Written after the outage" };
    const refused = await consume(QUEUES.changes, messages([changed]), { DB: failingD1(/INSERT INTO entries/) });
    expect(refused.explicitAcks).toEqual([]);
    expect(refused.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(refused.retryDelays[0]).toBeGreaterThan(0);
    expect(await indexed(row.id)).toMatchObject({ title: row.title });

    const recovered = await consume(QUEUES.changes, messages([changed]), {}, 2);
    expect(recovered.explicitAcks).toEqual(["m0"]);
    expect(await indexed(row.id)).toMatchObject({ title: "Written after the outage" });
  });

  it("acks a malformed row without writing anything", async () => {
    const row = withoutJudgesColumns(await rowOf("poison@example.com"));
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM entries").first<{ n: number }>();
    const result = await consume(QUEUES.changes, [
      ...messages([{ id: "not-an-id", version: 1 }]),
      "junk",
      null,
      ...messages([{ ...row, version: row.version + 1, products: "workers" }]),
      { topic: "index", body: row },
    ]);
    expect(result.explicitAcks).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(await indexed(row.id)).toMatchObject({ version: row.version });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM entries").first<{ n: number }>()).toEqual(before);
  });

  it("never lets a row sent before an erasure bring the entrant's data back", async () => {
    const row = withoutJudgesColumns(await rowOf("erased-in-flight@example.com"));
    expect((await admin(`/admin/api/entries/${row.id}`, { method: "DELETE" })).status).toBe(200);
    await indexed(row.id, (r) => r.status === "erased");
    await consume(QUEUES.changes, messages([{ ...row, version: row.version + 1 }]));
    const after = await indexed(row.id);
    expect(after).toMatchObject({ status: "erased", email: "" });
    expect(JSON.stringify(after)).not.toContain("erased-in-flight");
  });
});

describe("index rows that ran out of retries", () => {
  it("are rebuilt at once from the registrant's object, and recorded as retried", async () => {
    const row = withoutJudgesColumns(await rowOf("dead-row@example.com"));
    await env.DB.prepare("DELETE FROM entries WHERE id = ?").bind(row.id).run();
    const result = await consume(QUEUES.deadLetters, messages([row]));
    expect(result.explicitAcks).toEqual(["m0"]);
    const back = await env.DB.prepare("SELECT * FROM entries WHERE id = ?").bind(row.id).first();
    expect(back).toMatchObject({ email: "dead-row@example.com", title: row.title, status: "submitted", version: row.version });
    const letter = await env.DB.prepare("SELECT status, origin FROM dead_letters WHERE topic = 'index' AND key = ?").bind(`${row.id}@${row.version}`).first();
    expect(letter).toEqual({ status: "retried", origin: row.id });
  });

  it("stay open for organisers when the object cannot be reached, and the retry rebuilds the row", async () => {
    const row = withoutJudgesColumns(await rowOf("dead-row-unreachable@example.com"));
    await env.DB.prepare("DELETE FROM entries WHERE id = ?").bind(row.id).run();
    const unreachable = vi.spyOn(env.REGISTRANT, "get").mockImplementation(() => {
      throw new Error("Durable Object unavailable");
    });
    const result = await consume(QUEUES.deadLetters, messages([row]));
    unreachable.mockRestore();
    expect(result.explicitAcks).toEqual(["m0"]);
    const letters = (await (await admin("/admin/api/dead-letters?status=open&topic=index")).json()) as { deadLetters: { id: number; key: string }[] };
    const letter = letters.deadLetters.find((l) => l.key === `${row.id}@${row.version}`)!;
    expect(letter).toBeDefined();
    expect((await admin(`/admin/api/dead-letters/${letter.id}/retry`, { method: "POST" })).status).toBe(202);
    expect(await indexed(row.id)).toMatchObject({ email: "dead-row-unreachable@example.com" });
    expect((await admin(`/admin/api/dead-letters/${letter.id}/retry`, { method: "POST" })).status).toBe(409);
  });
});
