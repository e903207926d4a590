/**
 * Assignment: GET /admin/api/next leases each judge the entry that most needs a review from
 * them, exactly, however many judges ask at once; skipping; leases that expire.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, panel, seedEntries } from "./helpers";

interface Next {
  entry: { id: string; title: string } | null;
  lease: { entry_id: string; expires_at: number } | null;
}

const JUDGES = ["Ana", "Ben", "Cleo", "Dev", "Eun"] as const;
const { vars, token } = panel(Object.fromEntries(JUDGES.map((name) => [name, "judge"])));
const SCORE = { criteria: { requirements: 3, innovation: 3, breadth: 3 } };

async function next(judge: string, options: { vars?: typeof vars } = {}): Promise<Next> {
  const response = await admin("/admin/api/next", { token: token(judge), vars: options.vars ?? vars });
  expect(response.status).toBe(200);
  return (await response.json()) as Next;
}

async function score(judge: string, id: string, options: { vars?: typeof vars } = {}): Promise<number> {
  return (await admin(`/admin/api/entries/${id}/score`, { method: "PUT", token: token(judge), json: SCORE, vars: options.vars ?? vars })).status;
}

describe("GET /admin/api/next under concurrency", () => {
  it("5 judges × 200 concurrent calls over 100 entries (REVIEWS_PER_ENTRY=3): every entry ends with exactly 3 reviews, no judge gets an entry twice or a conflicted one", async () => {
    const plain = await seedEntries(90, "crowd");
    const friends = await seedEntries(10, "friend", "friends.example");
    const entries = [...plain, ...friends];
    // Ana knows everyone at friends.example; Ben declared two entries by id.
    expect((await admin("/admin/api/conflicts", { method: "POST", token: token("Ana"), vars, json: { kind: "domain", value: "friends.example" } })).status).toBe(201);
    for (const id of plain.slice(0, 2)) {
      expect((await admin("/admin/api/conflicts", { method: "POST", token: token("Ben"), vars, json: { kind: "entry", value: id } })).status).toBe(201);
    }
    const conflicted = new Map<string, Set<string>>([["Ana", new Set(friends)], ["Ben", new Set(plain.slice(0, 2))]]);
    const given = new Map<string, string[]>(JUDGES.map((judge) => [judge, []]));

    // Every judge asks 200 times at once: 1,000 calls in flight together.
    const burst = await Promise.all(JUDGES.flatMap((judge) => Array.from({ length: 200 }, async () => ({ judge, answer: await next(judge) }))));
    for (const { judge, answer } of burst) if (answer.entry) given.get(judge)!.push(answer.entry.id);
    // Each entry is leased to at most three judges: 300 leases, and nothing more to hand out.
    expect(burst.filter(({ answer }) => answer.entry).length).toBe(300);
    const { results: leased } = await env.DB.prepare("SELECT entry_id, COUNT(*) AS n FROM leases GROUP BY entry_id").all<{ n: number }>();
    expect(leased.every((row) => row.n === 3)).toBe(true);

    // Each judge scores what they were given, then follows `next` until it has nothing more.
    await Promise.all(
      JUDGES.map(async (judge) => {
        for (const id of [...given.get(judge)!]) expect(await score(judge, id)).toBe(200);
        for (let answer = await next(judge); answer.entry; answer = await next(judge)) {
          given.get(judge)!.push(answer.entry.id);
          expect(await score(judge, answer.entry.id)).toBe(200);
        }
      }),
    );

    for (const judge of JUDGES) {
      const ids = given.get(judge)!;
      expect(new Set(ids).size, `${judge} got an entry twice`).toBe(ids.length);
      expect(ids.filter((id) => conflicted.get(judge)?.has(id)), `${judge} got a conflicted entry`).toEqual([]);
    }
    const { results } = await env.DB.prepare(
      `SELECT id, scores_count, (SELECT COUNT(*) FROM scores WHERE entry_id = entries.id) AS scores
       FROM entries WHERE id IN (SELECT value FROM json_each(?))`,
    )
      .bind(JSON.stringify(entries))
      .all<{ id: string; scores_count: number; scores: number }>();
    expect(results).toHaveLength(100);
    expect(results.filter((row) => row.scores_count !== 3 || row.scores !== 3)).toEqual([]);
    expect((await next("Ana")).entry).toBeNull();
  }, 60_000);
});

describe("leases and skips", () => {
  const single = panel({ Fay: "judge", Gus: "judge" }, { REVIEWS_PER_ENTRY: "1" });

  it("gives two judges asking at once different entries, fewest reviews first, oldest submission first", async () => {
    const ids = await seedEntries(2, "pair");
    const [first, second] = await Promise.all([
      admin("/admin/api/next", { token: single.token("Fay"), vars: single.vars }),
      admin("/admin/api/next", { token: single.token("Gus"), vars: single.vars }),
    ]);
    const got = [((await first.json()) as Next).entry?.id, ((await second.json()) as Next).entry?.id];
    expect(got.sort()).toEqual([...ids].sort());
  });

  it("holds an entry for its judge until the lease expires, then gives it to another", async () => {
    const [id] = await seedEntries(1, "lapse");
    const fay = (await (await admin("/admin/api/next", { token: single.token("Fay"), vars: single.vars })).json()) as Next;
    expect(fay.entry?.id).toBe(id);
    expect(fay.lease!.expires_at - Date.now()).toBeGreaterThan(9 * 60_000);
    const gus = await admin("/admin/api/next", { token: single.token("Gus"), vars: single.vars });
    expect(((await gus.json()) as Next).entry).toBeNull();
    await env.DB.prepare("UPDATE leases SET expires_at = ? WHERE entry_id = ?").bind(Date.now() - 1, id).run();
    const again = await admin("/admin/api/next", { token: single.token("Gus"), vars: single.vars });
    expect(((await again.json()) as Next).entry?.id).toBe(id);
  });

  it("never gives a judge an entry they skipped; the skip ends their lease, keeps the reason and is audited", async () => {
    const [id] = await seedEntries(1, "skipped");
    const hers = (await (await admin("/admin/api/next", { token: single.token("Fay"), vars: single.vars })).json()) as Next;
    expect(hers.entry?.id).toBe(id);
    const skipped = await admin(`/admin/api/entries/${id}/skip`, { method: "POST", token: single.token("Fay"), vars: single.vars, json: { reason: "I mentor this team" } });
    expect(skipped.status).toBe(200);
    expect(await skipped.json()).toEqual({ skipped: true, entry_id: id, reason: "I mentor this team" });
    expect(((await (await admin("/admin/api/next", { token: single.token("Fay"), vars: single.vars })).json()) as Next).entry).toBeNull();
    // The lease ended, so another judge gets the entry at once.
    expect(((await (await admin("/admin/api/next", { token: single.token("Gus"), vars: single.vars })).json()) as Next).entry?.id).toBe(id);
    const audit = (await (await admin("/admin/api/audit?limit=5")).json()) as { entries: { action: string; actor: string; target: string; detail: object }[] };
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: "skip", actor: "Fay", target: id, detail: { reason: "I mentor this team" } }));
  });

  it("answers entry null once no entry needs the judge", async () => {
    const [id = ""] = await seedEntries(1, "last");
    const first = (await (await admin("/admin/api/next", { token: single.token("Fay"), vars: single.vars })).json()) as Next;
    expect(first.entry?.id).toBe(id);
    expect(await score("Fay", id, single)).toBe(200);
    expect(await (await admin("/admin/api/next", { token: single.token("Gus"), vars: single.vars })).json()).toEqual({ entry: null, lease: null });
  });
});
