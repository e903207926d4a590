/**
 * Conflicts of interest, judging progress, the "needs reviews" filter, organisers' notes,
 * and bad input to every route of judging at scale.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, entrant, indexed, panel, seedEntries } from "./helpers";

const { vars, token } = panel({ Kim: "judge", Lee: "judge", Max: "judge", Nia: "organiser" });

const score = (judge: string, id: string, points: number) =>
  admin(`/admin/api/entries/${id}/score`, { method: "PUT", token: token(judge), vars, json: { criteria: { requirements: points, innovation: points, breadth: points } } });

const row = (id: string) => env.DB.prepare("SELECT score, scores_count FROM entries WHERE id = ?").bind(id).first<{ score: number | null; scores_count: number }>();

async function rankOf(id: string, normalise: "none" | "z"): Promise<number | null> {
  const response = await admin(`/admin/api/entries?sort=score&normalise=${normalise}&q=${encodeURIComponent("conflicted")}&limit=200`, { vars });
  const { entries } = (await response.json()) as { entries: { id: string; rank_value: number | null }[] };
  return entries.find((entry) => entry.id === id)?.rank_value ?? null;
}

describe("conflicts of interest", () => {
  it("refuse the judge's score with 403 naming the conflict, and take their earlier score out of the mean, the z-scores and the reviews", async () => {
    const [id = "", other = ""] = await seedEntries(2, "conflicted", "studio.example");
    expect((await score("Kim", id, 5)).status).toBe(200);
    expect((await score("Lee", id, 1)).status).toBe(200);
    expect((await score("Kim", other, 2)).status).toBe(200);
    expect((await score("Lee", other, 4)).status).toBe(200);
    expect(await row(id)).toEqual({ score: 60, scores_count: 2 });
    const zBefore = await rankOf(id, "z");

    // An organiser records that Kim works at studio.example (subdomains too).
    const declared = await admin("/admin/api/conflicts", { method: "POST", token: token("Nia"), vars, json: { kind: "domain", value: "@Studio.Example", judge: "Kim", reason: "employer" } });
    expect(declared.status).toBe(201);
    const { conflict } = (await declared.json()) as { conflict: { id: number; value: string; declared_by: string } };
    expect(conflict).toMatchObject({ value: "studio.example", declared_by: "Nia" });

    const refused = await score("Kim", id, 5);
    expect(refused.status).toBe(403);
    const answer = (await refused.json()) as { error: string; message: string };
    expect(answer.error).toBe("conflict_of_interest");
    expect(answer.message).toContain("domain studio.example");
    expect(answer.message).toContain(`#${conflict.id}, Nia recorded`);

    expect(await row(id)).toEqual({ score: 20, scores_count: 1 });
    expect(await rankOf(id, "none")).toBe(20);
    // Only Lee's score counts now; Lee gave this entry their lower mark: a z-score below 0.
    expect(await rankOf(id, "z")).toBeLessThan(0);
    expect(zBefore).not.toBe(await rankOf(id, "z"));
    const detail = (await (await admin(`/admin/api/entries/${id}`, { vars })).json()) as { scores: { judge: string; conflicted: boolean }[] };
    expect(detail.scores).toEqual([expect.objectContaining({ judge: "Kim", conflicted: true }), expect.objectContaining({ judge: "Lee", conflicted: false })]);

    // Removing the conflict (organisers only) counts Kim's score again; both changes are audited.
    expect((await admin(`/admin/api/conflicts/${conflict.id}`, { method: "DELETE", token: token("Kim"), vars })).status).toBe(403);
    expect((await admin(`/admin/api/conflicts/${conflict.id}`, { method: "DELETE", token: token("Nia"), vars })).status).toBe(200);
    expect(await row(id)).toEqual({ score: 60, scores_count: 2 });
    const { results } = await env.DB.prepare("SELECT action, actor FROM audit_log WHERE action LIKE 'conflict%' AND json_extract(detail, '$.id') = ? ORDER BY id")
      .bind(conflict.id)
      .all();
    expect(results).toEqual([{ action: "conflict", actor: "Nia" }, { action: "conflict_removed", actor: "Nia" }]);
  });

  it("lets a judge declare their own by email or entry id, list them, and not act for another judge", async () => {
    const [byEmail = "", byId = ""] = await seedEntries(2, "declared");
    const email = await admin("/admin/api/conflicts", { method: "POST", token: token("Max"), vars, json: { kind: "email", value: " Declared-0@EXAMPLE.com " } });
    expect(email.status).toBe(201);
    expect((await admin("/admin/api/conflicts", { method: "POST", token: token("Max"), vars, json: { kind: "entry", value: byId.toUpperCase() } })).status).toBe(201);
    const again = await admin("/admin/api/conflicts", { method: "POST", token: token("Max"), vars, json: { kind: "entry", value: byId } });
    expect(again.status).toBe(200);
    for (const id of [byEmail, byId]) expect((await score("Max", id, 3)).status).toBe(403);
    const mine = (await (await admin("/admin/api/conflicts", { token: token("Max"), vars })).json()) as { conflicts: { judge: string; kind: string; value: string }[] };
    expect(mine.conflicts.map(({ kind, value }) => [kind, value])).toEqual([["entry", byId], ["email", "declared-0@example.com"]]);
    expect(mine.conflicts.every((conflict) => conflict.judge === "Max")).toBe(true);

    expect((await admin("/admin/api/conflicts?judge=Kim", { token: token("Max"), vars })).status).toBe(403);
    expect((await admin("/admin/api/conflicts", { method: "POST", token: token("Max"), vars, json: { kind: "entry", value: byId, judge: "Kim" } })).status).toBe(403);
    expect((await admin("/admin/api/conflicts", { method: "POST", token: token("Nia"), vars, json: { kind: "entry", value: byId, judge: "Lee" } })).status).toBe(201);
    const everyone = (await (await admin("/admin/api/conflicts", { token: token("Nia"), vars })).json()) as { conflicts: { judge: string }[] };
    expect(new Set(everyone.conflicts.map((conflict) => conflict.judge))).toEqual(new Set(["Lee", "Max"]));
    const lees = (await (await admin("/admin/api/conflicts?judge=Lee", { token: token("Nia"), vars })).json()) as { conflicts: { judge: string; declared_by: string }[] };
    expect(lees.conflicts).toEqual([expect.objectContaining({ judge: "Lee", declared_by: "Nia" })]);
  });
});

describe("progress", () => {
  it("counts per judge, per entry and overall, shows a judge only their own, and filters the entries that need reviews", async () => {
    const three = panel({ Pat: "judge", Quinn: "judge", Ray: "judge" }, { REVIEWS_PER_ENTRY: "2" });
    const as = (judge: string) => ({ token: three.token(judge), vars: three.vars });
    const before = (await (await admin("/admin/api/progress", { vars: three.vars })).json()) as { overall: { entries: number; reviewed: number; reviews: number } };
    const ids = await seedEntries(3, "progress");
    for (const judge of ["Pat", "Quinn"]) {
      expect((await admin(`/admin/api/entries/${ids[0]}/score`, { method: "PUT", ...as(judge), json: { criteria: { requirements: 1, innovation: 1, breadth: 1 } } })).status).toBe(200);
    }
    expect((await admin(`/admin/api/entries/${ids[1]}/skip`, { method: "POST", ...as("Pat"), json: {} })).status).toBe(200);
    expect((await admin("/admin/api/next", as("Ray"))).status).toBe(200);

    const organiser = (await (await admin("/admin/api/progress", { vars: three.vars })).json()) as {
      overall: { reviewsPerEntry: number; entries: number; reviewed: number; reviews: number; reviewsNeeded: number; inReview: number };
      judges: { judge: string; scored: number; skipped: number; leased: number }[];
    };
    expect(organiser.overall).toMatchObject({
      reviewsPerEntry: 2,
      entries: before.overall.entries + 3,
      reviewed: before.overall.reviewed + 1,
      reviews: before.overall.reviews + 2,
      reviewsNeeded: (before.overall.entries + 3) * 2,
    });
    expect(organiser.overall.inReview).toBeGreaterThanOrEqual(1);
    const byJudge = Object.fromEntries(organiser.judges.map(({ judge, ...counts }) => [judge, counts]));
    expect(byJudge.Pat).toMatchObject({ scored: 1, skipped: 1, leased: 0 });
    expect(byJudge.Quinn).toMatchObject({ scored: 1, skipped: 0, leased: 0 });
    expect(byJudge.Ray).toMatchObject({ scored: 0, skipped: 0, leased: 1 });

    const own = (await (await admin("/admin/api/progress", as("Quinn"))).json()) as { judges: { judge: string }[]; overall: object };
    expect(own.judges).toEqual([{ judge: "Quinn", scored: 1, conflicted: 0, skipped: 0, leased: 0 }]);
    expect(own.overall).toEqual(organiser.overall);

    const needs = (await (await admin("/admin/api/entries?needs_reviews=true&q=progress", as("Quinn"))).json()) as { entries: { id: string; scores_count: number }[] };
    expect(needs.entries.map((entry) => entry.id).sort()).toEqual([ids[1], ids[2]].sort());
  });
});

describe("organisers' notes", () => {
  it("keeps private notes with author and time, for organisers only, audited, and erased with the entrant", async () => {
    const { id } = await entrant("noted@example.com", {});
    await indexed(id, (entry) => entry.submission_version === 1);
    const added = await admin(`/admin/api/entries/${id}/notes`, { method: "POST", token: token("Nia"), vars, json: { body: "  Asked for a demo video.  " } });
    expect(added.status).toBe(201);
    const { note } = (await added.json()) as { note: { id: number; author: string; body: string; created_at: number } };
    expect(note).toMatchObject({ author: "Nia", body: "Asked for a demo video." });
    expect(Math.abs(note.created_at - Date.now())).toBeLessThan(60_000);
    await admin(`/admin/api/entries/${id}/notes`, { method: "POST", json: { body: "Video received." } });
    const listed = (await (await admin(`/admin/api/entries/${id}/notes`)).json()) as { notes: { author: string; body: string }[] };
    expect(listed.notes.map(({ author, body }) => [author, body])).toEqual([["Dev Organiser", "Video received."], ["Nia", "Asked for a demo video."]]);

    for (const request of [admin(`/admin/api/entries/${id}/notes`, { token: token("Kim"), vars }), admin(`/admin/api/entries/${id}/notes`, { method: "POST", token: token("Kim"), vars, json: { body: "x" } })]) {
      expect((await request).status).toBe(403);
    }
    const detail = await (await admin(`/admin/api/entries/${id}`, { token: token("Kim"), vars })).text();
    expect(detail).not.toContain("demo video");
    const audit = await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'note' AND target = ?").bind(id).all<{ detail: string }>();
    expect(audit.results.map((entry) => JSON.parse(entry.detail))).toEqual([{ length: 23 }, { length: 15 }]);

    expect((await admin(`/admin/api/entries/${id}`, { method: "DELETE" })).status).toBe(200);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM entry_notes WHERE entry_id = ?").bind(id).first()).toEqual({ n: 0 });
  });
});

describe("bad input to every route of judging at scale", () => {
  const id = "0".repeat(64);
  const batch = () => crypto.randomUUID();
  const token64 = "0".repeat(64);
  const cases: [string, string, unknown, string][] = [
    ["/admin/api/entries/ID/skip", "a reason of 501 characters", { reason: "x".repeat(501) }, "reason"],
    ["/admin/api/entries/ID/skip", "a reason that is a number", { reason: 7 }, "reason"],
    ["/admin/api/conflicts", "an unknown kind", { kind: "cousin", value: "x" }, "kind"],
    ["/admin/api/conflicts", "no kind", { value: "a@example.com" }, "kind"],
    ["/admin/api/conflicts", "an email that is no address", { kind: "email", value: "not an address" }, "value"],
    ["/admin/api/conflicts", "a domain with a space", { kind: "domain", value: "exa mple.com" }, "value"],
    ["/admin/api/conflicts", "a domain with no dot", { kind: "domain", value: "localhost" }, "value"],
    ["/admin/api/conflicts", "an entry id that is none", { kind: "entry", value: "abc" }, "value"],
    ["/admin/api/conflicts", "a reason of 501 characters", { kind: "entry", value: id, reason: "y".repeat(501) }, "reason"],
    ["/admin/api/conflicts", "an empty judge", { kind: "entry", value: id, judge: "" }, "judge"],
    ["/admin/api/awards", "no batch", { token: token64, ids: [id] }, "batch"],
    ["/admin/api/awards", "a token that is none", { batch: batch(), token: "nope", ids: [id] }, "token"],
    ["/admin/api/awards", "no ids", { batch: batch(), token: token64, ids: [] }, "ids"],
    ["/admin/api/awards", "an id that is none", { batch: batch(), token: token64, ids: ["x"] }, "ids"],
    ["/admin/api/awards", "an id twice", { batch: batch(), token: token64, ids: [id, id] }, "ids"],
    ["/admin/api/awards", "501 ids", { batch: batch(), token: token64, ids: Array.from({ length: 501 }, (_, i) => i.toString(16).padStart(64, "0")) }, "ids"],
    ["/admin/api/awards", "a token of another list", { batch: batch(), token: token64, ids: [id] }, "token"],
    ["/admin/api/entries/ID/notes", "an empty note", { body: "  " }, "body"],
    ["/admin/api/entries/ID/notes", "a note of 5001 characters", { body: "n".repeat(5001) }, "body"],
    ["/admin/api/entries/ID/notes", "a note that is a list", { body: ["a"] }, "body"],
  ];

  it.each(cases)("POST %s with %s answers 422 naming the field, and stores nothing", async (path, _what, body, field) => {
    const [target = ""] = await seedEntries(1, `bad${Math.random().toString(36).slice(2, 8)}`);
    const counts = async () =>
      env.DB.prepare("SELECT (SELECT COUNT(*) FROM skips) + (SELECT COUNT(*) FROM conflicts) + (SELECT COUNT(*) FROM entry_notes) + (SELECT COUNT(*) FROM audit_log) AS n").first();
    const before = await counts();
    const response = await admin(path.replace("ID", target), { method: "POST", json: body });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { fields: object }).fields).toHaveProperty([field]);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["/admin/api/awards/preview", "count"],
    ["/admin/api/awards/preview?count=0", "count"],
    ["/admin/api/awards/preview?count=501", "count"],
    ["/admin/api/awards/preview?count=2&normalise=rank", "normalise"],
    ["/admin/api/awards/preview?count=2&product=teleport", "product"],
    ["/admin/api/awards/preview?count=2&q=" + "q".repeat(201), "q"],
    ["/admin/api/conflicts?judge=", "judge"],
    ["/admin/api/entries?needs_reviews=yes", "needs_reviews"],
  ])("GET %s answers 400 naming %s", async (path, field) => {
    const response = await admin(path);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { fields: object }).fields).toHaveProperty([field]);
  });

  it("answers 404 for an unknown entry or conflict, and 409 for skipping an entry with nothing to review", async () => {
    expect((await admin(`/admin/api/entries/${"e".repeat(64)}/skip`, { method: "POST", json: {} })).status).toBe(404);
    expect((await admin(`/admin/api/entries/${"e".repeat(64)}/notes`)).status).toBe(404);
    expect((await admin(`/admin/api/entries/${"e".repeat(64)}/notes`, { method: "POST", json: { body: "x" } })).status).toBe(404);
    expect((await admin("/admin/api/conflicts/999999", { method: "DELETE" })).status).toBe(404);
    expect((await admin("/admin/api/conflicts/abc", { method: "DELETE" })).status).toBe(404);
    const { id } = await entrant("skip-nothing@example.com");
    await indexed(id);
    const response = await admin(`/admin/api/entries/${id}/skip`, { method: "POST", json: {} });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: "no_submission" });
  });
});
