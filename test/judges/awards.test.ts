/**
 * Awarding the top N in one step: the preview (a dry run), and the award of its list,
 * exact under racing organisers and at the edge of the pool.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { prizeCounter } from "../../src/objects/stubs";
import { admin, panel, seedEntries } from "./helpers";

interface Preview {
  batch: string;
  ids: string[];
  token: string;
  remaining: number;
  candidates: { id: string; title: string; firstname: string; outcome: string; rank_value: number }[];
  passedOver: { id: string; reason: string }[];
  passedOverCount: number;
  complete: boolean;
}

interface Awarded {
  batch: string;
  replayed: boolean;
  awarded: { id: string; slot: number }[];
  refused: { id: string; reason: string }[];
  remaining: number;
}

const { vars, token } = panel({ Olga: "organiser", Omar: "organiser", Judy: "judge" });

/** Scores each entry below the one before it (past the 16th, the rest tie at the bottom). */
async function scoreInOrder(ids: readonly string[], as = token("Olga")): Promise<void> {
  for (const [i, id] of ids.entries()) {
    const total = Math.max(0, 15 - i);
    const requirements = Math.min(5, total);
    const innovation = Math.min(5, total - requirements);
    const criteria = { requirements, innovation, breadth: total - requirements - innovation };
    expect((await admin(`/admin/api/entries/${id}/score`, { method: "PUT", token: as, vars, json: { criteria } })).status).toBe(200);
  }
}

async function previewOf(query: string): Promise<Preview> {
  const response = await admin(`/admin/api/awards/preview?${query}`, { token: token("Olga"), vars });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Preview;
}

function award(preview: Pick<Preview, "batch" | "ids" | "token">, who = "Olga") {
  return admin("/admin/api/awards", { method: "POST", token: token(who), vars, json: { batch: preview.batch, ids: preview.ids, token: preview.token } });
}

async function resizeTo(total: number): Promise<void> {
  expect((await admin("/admin/api/pool", { method: "PUT", token: token("Olga"), vars, json: { total } })).status).toBe(200);
}

async function auditOf(batch: string): Promise<{ action: string; target: string | null }[]> {
  const { results } = await env.DB.prepare("SELECT action, target FROM audit_log WHERE json_extract(detail, '$.batch') = ? ORDER BY id")
    .bind(batch)
    .all<{ action: string; target: string | null }>();
  return results;
}

describe("awarding the top N", () => {
  it("2 organisers racing the same batch of 50 at a pool of 300 award exactly 50, audited once for the batch and once per prize", async () => {
    await resizeTo(300);
    const ids = await seedEntries(60, "racer");
    await scoreInOrder(ids);
    const before = await prizeCounter(env).getStatus();
    expect(before).toMatchObject({ total: 300, remaining: 300 });

    const preview = await previewOf("count=50&q=racer");
    expect(preview.ids.slice(0, 15)).toEqual(ids.slice(0, 15));
    expect(new Set(preview.ids).size).toBe(50);
    expect(preview.ids.every((id) => ids.includes(id))).toBe(true);
    expect(preview.candidates.every((entry) => entry.outcome === "award")).toBe(true);
    expect(preview.remaining).toBe(300);

    const answers = await Promise.all([award(preview, "Olga"), award(preview, "Omar")]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 201]);
    const [first, second] = (await Promise.all(answers.map((answer) => answer.json()))) as Awarded[];
    expect(first!.awarded).toEqual(second!.awarded);
    expect(first!.awarded.map((prize) => prize.id)).toEqual(preview.ids);
    expect(new Set(first!.awarded.map((prize) => prize.slot)).size).toBe(50);
    expect(first!.refused).toEqual([]);
    expect((await prizeCounter(env).getStatus()).awarded).toBe(before.awarded + 50);

    const audit = await auditOf(preview.batch);
    expect(audit.filter((entry) => entry.action === "award_batch")).toHaveLength(1);
    expect(audit.filter((entry) => entry.action === "award").map((entry) => entry.target)).toEqual(preview.ids);

    const again = await award(preview);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ replayed: true, awarded: first!.awarded, remaining: 250 });
    expect((await prizeCounter(env).getStatus()).awarded).toBe(before.awarded + 50);
    expect(await auditOf(preview.batch)).toHaveLength(51);
  });

  it("awards a batch larger than the prizes left exactly what is left, and reports the rest", async () => {
    const ids = await seedEntries(8, "tight");
    await scoreInOrder(ids);
    const { awarded } = await prizeCounter(env).getStatus();
    await resizeTo(awarded + 5);

    const preview = await previewOf("count=8&q=tight");
    expect(preview.ids).toEqual(ids);
    expect(preview.candidates.map((entry) => entry.outcome)).toEqual([...Array(5).fill("award"), ...Array(3).fill("no_prizes_left")]);

    const response = await award(preview);
    expect(response.status).toBe(201);
    const result = (await response.json()) as Awarded;
    expect(result.awarded.map((prize) => prize.id)).toEqual(ids.slice(0, 5));
    expect(result.refused).toEqual(ids.slice(5).map((id) => ({ id, reason: "no_prizes_left" })));
    expect(result.remaining).toBe(0);
    expect(await prizeCounter(env).getStatus()).toMatchObject({ awarded: awarded + 5, remaining: 0 });
  });

  it("awards the preview's list though the ranking changed since, checks each entry again, and refuses an edited list", async () => {
    const ids = await seedEntries(3, "steady");
    await scoreInOrder(ids, token("Judy"));
    const { awarded } = await prizeCounter(env).getStatus();
    await resizeTo(awarded + 10);
    const preview = await previewOf("count=2&q=steady");
    expect(preview.ids).toEqual(ids.slice(0, 2));

    // The third entry now ranks first; and Judy, the only judge of the second, declares a
    // conflict with it, so it has no review left.
    const [top, runnerUp, third] = ids as [string, string, string];
    await admin(`/admin/api/entries/${third}/score`, { method: "PUT", token: token("Judy"), vars, json: { criteria: { requirements: 5, innovation: 5, breadth: 5 } } });
    expect((await admin("/admin/api/conflicts", { method: "POST", token: token("Judy"), vars, json: { kind: "entry", value: runnerUp } })).status).toBe(201);

    for (const edited of [[runnerUp, top], [top], [top, third]]) {
      const refused = await award({ ...preview, ids: edited });
      expect(refused.status).toBe(422);
      expect(((await refused.json()) as { fields: object }).fields).toHaveProperty("token");
    }
    expect((await prizeCounter(env).getStatus()).awarded).toBe(awarded);

    const result = (await (await award(preview)).json()) as Awarded;
    expect(result.awarded.map((prize) => prize.id)).toEqual([top]);
    expect(result.refused).toEqual([{ id: runnerUp, reason: "below_min_reviews" }]);
  });

  it("previews without changing anything: winners and entries below MIN_REVIEWS are passed over, each with its reason", async () => {
    const [winner = "", unscored = "", scored = ""] = await seedEntries(3, "mixed");
    await env.DB.prepare("UPDATE entries SET status = 'winner', slot = 99 WHERE id = ?").bind(winner).run();
    await scoreInOrder([winner, scored]);
    const before = await prizeCounter(env).getStatus();
    const preview = await previewOf("count=2&q=mixed&normalise=z");
    expect(preview.ids).toEqual([scored]);
    expect(preview.passedOver).toEqual([
      expect.objectContaining({ id: winner, reason: "already_winner" }),
      expect.objectContaining({ id: unscored, reason: "below_min_reviews" }),
    ]);
    expect(preview.complete).toBe(true);
    expect(await prizeCounter(env).getStatus()).toEqual(before);
  });

  it("passes over a disqualified entry and one a judge flagged for review, and never leases a disqualified one for judging", async () => {
    const [disqualified = "", flagged = "", clean = ""] = await seedEntries(3, "fairness");
    await scoreInOrder([disqualified, flagged, clean]);
    await env.DB.prepare("UPDATE entries SET disqualified_at = ? WHERE id = ?").bind(Date.now(), disqualified).run();
    expect((await admin(`/admin/api/entries/${flagged}/flag`, { method: "PUT", token: token("Judy"), vars, json: { note: "Same project as another entry" } })).status).toBe(200);
    const preview = await previewOf("count=3&q=fairness");
    expect(preview.ids).toEqual([clean]);
    expect(preview.passedOver).toEqual(expect.arrayContaining([expect.objectContaining({ id: flagged, reason: "flagged" })]));
    expect(preview.ids).not.toContain(disqualified);

    // Judy is given every entry that needs her, one lease after another, until none is left.
    const leased: string[] = [];
    for (let i = 0; i < 500; i++) {
      const { entry } = (await (await admin("/admin/api/next", { token: token("Judy"), vars })).json()) as { entry: { id: string } | null };
      if (!entry) break;
      leased.push(entry.id);
    }
    expect(leased).toContain(clean);
    expect(leased).not.toContain(disqualified);
  });

  it("is for organisers only", async () => {
    expect((await admin("/admin/api/awards/preview?count=1", { token: token("Judy"), vars })).status).toBe(403);
    const refused = await admin("/admin/api/awards", { method: "POST", token: token("Judy"), vars, json: {} });
    expect(refused.status).toBe(403);
  });
});
