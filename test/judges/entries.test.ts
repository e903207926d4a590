import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import * as v from "valibot";
import { EntriesQuery, listQuery, type EntrySummary } from "../../src/judges/entries-query";
import { admin, entrant, indexed, JUDGE } from "./helpers";

type Page = { entries: EntrySummary[]; next: string | null };

async function list(query: string, token?: string): Promise<Page> {
  const response = await admin(`/admin/api/entries${query}`, { token });
  expect(response.status, query).toBe(200);
  return (await response.json()) as Page;
}

async function all(query: string): Promise<EntrySummary[]> {
  const rows: EntrySummary[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await list(`${query}${query ? "&" : "?"}limit=2${cursor ? `&cursor=${cursor}` : ""}`);
    rows.push(...page.entries);
    cursor = page.next;
  } while (cursor);
  return rows;
}

const people = { chess: "", ai: "", lurker: "", cafe: "" };
const secrets: string[] = [];

beforeAll(async () => {
  const chess = await entrant("chess@example.com", { title: "Edge Chess", description: "Chess on Durable Objects", products: ["workers", "durable-objects"] }, "Magnus");
  const ai = await entrant("ai@example.com", { title: "Haiku Bot", description: "Poems from Workers AI", products: ["workers", "workers-ai", "kv"] }, "Basho");
  const lurker = await entrant("lurker@example.com", undefined, "Zoë");
  const café = await entrant("cafe@example.com", { title: "Café Finder", description: "Coffee near you with D1", products: ["workers", "d1"] }, "Renée");
  Object.assign(people, { chess: chess.id, ai: ai.id, lurker: lurker.id, cafe: café.id });
  secrets.push(...[chess, ai, lurker, café].map((e) => e.code.split(".")[1]!));
  for (const id of Object.values(people)) await indexed(id, (row) => row.id === people.lurker || row.submission_version === 1);
}, 30_000);

describe("GET /admin/api/entries", () => {
  it("lists every entry, newest first, and pages through them with a cursor without gaps or repeats", async () => {
    const everyone = await all("");
    expect(everyone.map((e) => e.id)).toEqual([people.cafe, people.lurker, people.ai, people.chess]);
    expect(everyone[0]).toMatchObject({ firstname: "Renée", status: "submitted", title: "Café Finder", products: ["workers", "d1"] });
    for (const secret of secrets) expect(JSON.stringify(everyone)).not.toContain(secret);
  });

  it("filters by status and by product", async () => {
    expect((await list("?status=registered")).entries.map((e) => e.id)).toEqual([people.lurker]);
    expect((await list("?product=workers-ai")).entries.map((e) => e.id)).toEqual([people.ai]);
    expect((await list("?product=r2")).entries).toEqual([]);
  });

  it("searches names, email, title and description by word prefix, accents folded", async () => {
    expect((await list("?q=chess")).entries.map((e) => e.id)).toEqual([people.chess]);
    expect((await list("?q=poem")).entries.map((e) => e.id)).toEqual([people.ai]);
    expect((await list("?q=cafe")).entries.map((e) => e.id)).toEqual([people.cafe]);
    expect((await list("?q=RENEE")).entries.map((e) => e.id)).toEqual([people.cafe]);
    expect((await list("?q=lurker%40example")).entries.map((e) => e.id)).toEqual([people.lurker]);
  });

  it("treats search syntax as plain words, never as an error", async () => {
    for (const q of ['"', "*", "chess OR", "NEAR(", "a\"b'c)", "%00", "-", "é"]) {
      const response = await admin(`/admin/api/entries?q=${encodeURIComponent(q)}`);
      expect(response.status, q).toBe(200);
    }
  });

  it("sorts by first submission time, entries without one last", async () => {
    const rows = await all("?sort=submitted");
    expect(rows.map((e) => e.id)).toEqual([people.cafe, people.ai, people.chess, people.lurker]);
    expect(rows.at(-1)?.rank_value).toBeNull();
  });

  it("reads every sort, with or without a status filter, in index order instead of sorting the matches", async () => {
    for (const sort of ["created", "submitted", "score"]) {
      for (const status of [undefined, "submitted"]) {
        const { sql, params } = listQuery(v.parse(EntriesQuery, { sort, status }), { reviewsPerEntry: 3 });
        const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
        const plan = results.map((step) => step.detail);
        expect(plan.join("\n"), `sort=${sort} status=${status}`).not.toContain("TEMP B-TREE");
        expect(plan.join("\n"), `sort=${sort} status=${status}`).toMatch(/USING (COVERING )?INDEX entries_by_/);
      }
    }
  });

  it("sorts by mean score, and by judges' z-scores when judges use different scales", async () => {
    const score = (token: string | undefined, id: string, points: number) =>
      admin(`/admin/api/entries/${id}/score`, {
        method: "PUT",
        token,
        json: { criteria: { requirements: points, innovation: points, breadth: points } },
      });
    // The organiser scores harshly, the judge generously.
    for (const [id, harsh] of [[people.chess, 2], [people.ai, 1], [people.cafe, 3]] as const) {
      expect((await score(undefined, id, harsh)).status).toBe(200);
    }
    expect((await score(JUDGE, people.ai, 4)).status).toBe(200);
    expect((await score(JUDGE, people.chess, 5)).status).toBe(200);

    const byMean = await all("?sort=score");
    expect(byMean.map((e) => e.id)).toEqual([people.chess, people.cafe, people.ai, people.lurker]);
    expect(byMean[0]).toMatchObject({ score: 70, scores_count: 2 });

    // Café has only the harsh judge's score, but it is that judge's best: relative to each
    // judge's own scale it comes first (z: café +1.22, chess +0.5, ai -1.11).
    const byZ = await all("?sort=score&normalise=z");
    expect(byZ.slice(0, 3).map((e) => e.id)).toEqual([people.cafe, people.chess, people.ai]);
    expect(byZ[0]!.rank_value).toBeGreaterThan(0);
    expect(byZ.at(-1)).toMatchObject({ id: people.lurker, rank_value: null });
  });

  it("answers a malformed cursor or parameter with 400 naming it", async () => {
    for (const [query, field] of [
      ["?cursor=nope", "cursor"],
      [`?cursor=${btoa(JSON.stringify(["x", "y"]))}`, "cursor"],
      ["?limit=0", "limit"],
      ["?limit=abc", "limit"],
      ["?status=lost", "status"],
      ["?sort=random", "sort"],
      ["?product=mainframe", "product"],
    ]) {
      const response = await admin(`/admin/api/entries${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: "malformed", fields: { [field!]: expect.any(String) } });
    }
  });
});

describe("GET /admin/api/entries/:id", () => {
  it("shows the entry, its submission history and every judge's scores", async () => {
    const { code } = await entrant("history@example.com", { title: "First" });
    const id = (await import("../helpers")).registrantId("history@example.com");
    const { send, validSubmission } = await import("../helpers");
    await send("/submit", { acceptJson: true, form: validSubmission(code, { title: "Second" }) });
    await indexed(id, (row) => row.submission_version === 2);
    await admin(`/admin/api/entries/${id}/score`, { method: "PUT", json: { criteria: { requirements: 5, innovation: 4, breadth: 3 }, comment: "Neat" } });

    const response = await admin(`/admin/api/entries/${id}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      entry: { id, title: "Second", submission_version: 2, status: "submitted" },
      history: [{ version: 2, title: "Second" }, { version: 1, title: "First" }],
      scores: [{ judge: "Dev Organiser", criteria: { requirements: 5, innovation: 4, breadth: 3 }, weighted: 80, comment: "Neat" }],
      myScore: { judge: "Dev Organiser" },
      prize: null,
    });
    expect(JSON.stringify(body)).not.toContain(code.split(".")[1]);
  });

  it("answers 404 for an id that is malformed or unknown", async () => {
    expect((await admin("/admin/api/entries/nope")).status).toBe(404);
    expect((await admin(`/admin/api/entries/${"f".repeat(64)}`)).status).toBe(404);
    expect((await admin(`/admin/api/entries/${env.REGISTRANT.idFromName("ghost@example.com")}`)).status).toBe(404);
  });
});
