import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_OPENAPI } from "../../src/judges/openapi";
import { csvCell } from "../../src/judges/csv";
import { upsertStatements } from "../../src/store/entries-index";
import type { EntryRow } from "../../src/schemas/entry-row";
import { prizeCounter } from "../../src/objects/stubs";
import { ADMIN_ROUTES } from "../../src/routes/admin";
import { registrantStub, signUp } from "../helpers";
import { admin, entrant, finished, indexed, JUDGE } from "./helpers";

afterEach(() => vi.restoreAllMocks());

const scoreOf = (points: Record<string, unknown>, comment?: string) => ({ criteria: points, ...(comment === undefined ? {} : { comment }) });

describe("PUT /admin/api/entries/:id/score", () => {
  it("keeps one score per judge per entry, editable, and the entry's mean over judges", async () => {
    const { id } = await entrant("scored@example.com", {});
    await indexed(id, (row) => row.submission_version === 1);
    const first = await admin(`/admin/api/entries/${id}/score`, { method: "PUT", json: scoreOf({ requirements: 5, innovation: 5, breadth: 5 }, "Great") });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ judge: "Dev Organiser", weighted: 100, comment: "Great" });
    await admin(`/admin/api/entries/${id}/score`, { method: "PUT", json: scoreOf({ requirements: 0, innovation: 0, breadth: 0 }) });
    await admin(`/admin/api/entries/${id}/score`, { method: "PUT", token: JUDGE, json: scoreOf({ requirements: 5, innovation: 3, breadth: 1 }) });
    const row = await env.DB.prepare("SELECT score, scores_count FROM entries WHERE id = ?").bind(id).first();
    expect(row).toEqual({ score: 30, scores_count: 2 });
    const audit = (await (await admin("/admin/api/audit?limit=5")).json()) as { entries: { action: string; actor: string; target: string }[] };
    expect(audit.entries[0]).toMatchObject({ action: "score", actor: "Dev Judge", target: id });
  });

  it("answers an invalid score with 422 naming each criterion, and keeps the stored one", async () => {
    const { id } = await entrant("badscore@example.com", {});
    await indexed(id, (row) => row.submission_version === 1);
    await admin(`/admin/api/entries/${id}/score`, { method: "PUT", json: scoreOf({ requirements: 4, innovation: 4, breadth: 4 }) });
    for (const [criteria, field] of [
      [{ requirements: 6, innovation: 1, breadth: 1 }, "criteria.requirements"],
      [{ requirements: 1, innovation: -1, breadth: 1 }, "criteria.innovation"],
      [{ requirements: 1, innovation: 1, breadth: 2.5 }, "criteria.breadth"],
      [{ requirements: 1, innovation: 1 }, "criteria.breadth"],
      [{ requirements: 1, innovation: 1, breadth: 1, charisma: 5 }, "criteria.charisma"],
      [{ requirements: "5", innovation: 1, breadth: 1 }, "criteria.requirements"],
    ] as const) {
      const response = await admin(`/admin/api/entries/${id}/score`, { method: "PUT", json: scoreOf(criteria) });
      expect(response.status, field).toBe(422);
      expect(((await response.json()) as { fields: Record<string, string> }).fields).toHaveProperty([field]);
    }
    const tooLong = await admin(`/admin/api/entries/${id}/score`, { method: "PUT", json: scoreOf({ requirements: 1, innovation: 1, breadth: 1 }, "x".repeat(5001)) });
    expect(((await tooLong.json()) as { fields: object }).fields).toHaveProperty(["comment"]);
    const stored = await env.DB.prepare("SELECT weighted FROM scores WHERE entry_id = ?").bind(id).first();
    expect(stored).toEqual({ weighted: 80 });
  });

  it("answers 404 for an unknown entry and 409 for an entry without a submission", async () => {
    const valid = scoreOf({ requirements: 1, innovation: 1, breadth: 1 });
    expect((await admin(`/admin/api/entries/${"e".repeat(64)}/score`, { method: "PUT", json: valid })).status).toBe(404);
    const { id } = await entrant("nothing-yet@example.com");
    await indexed(id);
    const response = await admin(`/admin/api/entries/${id}/score`, { method: "PUT", json: valid });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: "no_submission" });
  });
});

describe("awarding and revoking", () => {
  it("awards through the prize counter, idempotently, and the index shows the winner", async () => {
    const { id } = await entrant("winner@example.com", {});
    await indexed(id, (row) => row.submission_version === 1);
    const before = (await prizeCounter(env).getStatus()).remaining;
    const awarded = await admin(`/admin/api/entries/${id}/award`, { method: "POST" });
    expect(awarded.status).toBe(201);
    const { slot } = (await awarded.json()) as { slot: number };
    const again = await admin(`/admin/api/entries/${id}/award`, { method: "POST" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ slot, already: true });
    expect((await prizeCounter(env).getStatus()).remaining).toBe(before - 1);
    await indexed(id, (row) => row.status === "winner" && row.slot === slot);

    const revoked = await admin(`/admin/api/entries/${id}/award`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ ok: true, slot });
    expect((await admin(`/admin/api/entries/${id}/award`, { method: "DELETE" })).status).toBe(409);
    await indexed(id, (row) => row.status === "submitted" && row.slot === null);
    const audit = (await (await admin("/admin/api/audit")).json()) as { entries: { action: string; target: string }[] };
    expect(audit.entries.filter((e) => e.target === id).map((e) => e.action)).toEqual(["revoke", "award"]);
  });

  it("refuses to award an entry without a submission, or beyond the pool, changing nothing", async () => {
    const { id: empty } = await entrant("no-project@example.com");
    await indexed(empty);
    const status = await prizeCounter(env).getStatus();
    const noSubmission = await admin(`/admin/api/entries/${empty}/award`, { method: "POST" });
    expect(noSubmission.status).toBe(409);
    expect(await noSubmission.json()).toMatchObject({ error: "no_submission" });

    expect((await admin("/admin/api/pool", { method: "PUT", json: { total: status.awarded } })).status).toBe(200);
    const { id } = await entrant("too-late@example.com", {});
    await indexed(id, (row) => row.submission_version === 1);
    const full = await admin(`/admin/api/entries/${id}/award`, { method: "POST" });
    expect(full.status).toBe(409);
    expect(await full.json()).toMatchObject({ error: "no_prizes_left" });
    expect((await admin("/admin/api/pool", { method: "PUT", json: { total: status.awarded - 1 } })).status).toBe(status.awarded > 0 ? 409 : 422);
    expect((await admin("/admin/api/pool", { method: "PUT", json: { total: "many" } })).status).toBe(422);
    expect((await admin("/admin/api/pool", { method: "PUT", json: { total: 300 } })).status).toBe(200);
    expect((await prizeCounter(env).getStatus()).awarded).toBe(status.awarded);
  });

  it("answers 404 for unknown entries", async () => {
    expect((await admin(`/admin/api/entries/${"d".repeat(64)}/award`, { method: "POST" })).status).toBe(404);
    expect((await admin("/admin/api/entries/zzz/award", { method: "DELETE" })).status).toBe(404);
  });
});

describe("GET /admin/api/export.csv", () => {
  it("streams RFC 4180 CSV with formula-like cells neutralised", async () => {
    const { id } = await entrant("csv@example.com", { title: '=HYPERLINK("http://evil")', description: 'Line one\nline "two", three' }, "+Plus");
    await indexed(id, (row) => row.submission_version === 1);
    const response = await admin("/admin/api/export.csv?set=submissions");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="swagbox-submissions.csv"');
    const csv = await response.text();
    expect(csv.split("\r\n")[0]).toBe(
      "id,firstname,lastname,email,title,description,repo_url,demo_url,products,version,submitted_at,amended_at,score,disqualified,demo_check,repo_check,repo_fork,repo_created_at,repo_before_contest,shared_with",
    );
    expect(csv).toContain(`${id},'+Plus,Lovelace,csv@example.com,"'=HYPERLINK(""http://evil"")","Line one\nline ""two"", three",`);
    const entries = await (await admin("/admin/api/export.csv")).text();
    expect(entries.trim().split("\r\n").length).toBeGreaterThanOrEqual(2);
  });

  it("exports only winners in the winners set", async () => {
    const csv = await (await admin("/admin/api/export.csv?set=winners")).text();
    const rows = csv.trim().split("\r\n");
    expect(rows[0]).toBe("slot,id,firstname,lastname,email,title,demo_url,shipping_status,provisional_until");
    const winners = await env.DB.prepare("SELECT COUNT(*) AS n FROM entries WHERE status = 'winner'").first<{ n: number }>();
    expect(rows.length - 1).toBe(winners!.n);
  });

  it("answers an unknown set with 400", async () => {
    expect((await admin("/admin/api/export.csv?set=everything")).status).toBe(400);
  });

  it("quotes and neutralises single cells", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tTAB")).toBe("'\tTAB");
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
  });

  it("neutralises a cell starting with a semicolon, tab or carriage return", () => {
    expect(csvCell(";cmd|' /C calc'!A0")).toBe(`';cmd|' /C calc'!A0`);
    expect(csvCell("\t=1+1")).toBe("'\t=1+1");
    expect(csvCell("\r=1+1")).toBe(`"'\r=1+1"`);
  });

  it("shows each bidi control as a visible marker, so a name or URL cannot be disguised", () => {
    expect(csvCell("Ada\u202Egpj.exe")).toBe("Ada[U+202E]gpj.exe");
    expect(csvCell("\u2066=1+1\u2069")).toBe("[U+2066]=1+1[U+2069]");
    for (const control of ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      expect(csvCell(`a${control}b`)).toBe(`a[U+${control.codePointAt(0)!.toString(16).toUpperCase()}]b`);
    }
  });

  it("exports a bidi control in an entrant's name as a marker", async () => {
    const { id } = await entrant("bidi@example.com", { title: "exe.\u202Etxt" }, "Ada\u202E");
    await indexed(id, (row) => row.submission_version === 1);
    const csv = await (await admin("/admin/api/export.csv?set=submissions")).text();
    const row = csv.split("\r\n").find((line) => line.startsWith(id))!;
    expect(row).toContain(",Ada[U+202E],Lovelace,bidi@example.com,exe.[U+202E]txt,");
    expect(row).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });
});

describe("GET /admin/api/stats", () => {
  it("counts by status and product, and signups and submissions per day", async () => {
    const { id } = await entrant("stats@example.com", { products: ["workers", "r2"] });
    await indexed(id, (row) => row.submission_version === 1);
    const stats = (await (await admin("/admin/api/stats")).json()) as {
      byStatus: Record<string, number>;
      byProduct: Record<string, number>;
      perDay: { day: string; signups: number; submissions: number }[];
      prizes: { total: number };
    };
    const total = await env.DB.prepare("SELECT COUNT(*) AS n FROM entries").first<{ n: number }>();
    expect(Object.values(stats.byStatus).reduce((a, b) => a + b, 0)).toBe(total!.n);
    expect(stats.byProduct.r2).toBeGreaterThanOrEqual(1);
    const today = new Date().toISOString().slice(0, 10);
    expect(stats.perDay.find((d) => d.day === today)).toMatchObject({ signups: total!.n });
    expect(stats.prizes.total).toBe(300);
  });
});

describe("the OpenAPI document", () => {
  it("describes exactly the routes the router serves", async () => {
    const served = ADMIN_ROUTES.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`).sort();
    const documented = Object.entries(ADMIN_OPENAPI.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(served);
  });

  it("is served to judges as the static file `npm run openapi` wrote from src/judges/openapi.ts, and to no one else", async () => {
    const response = await admin("/admin/api/openapi.json", { token: JUDGE });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe(JSON.stringify(ADMIN_OPENAPI));
    const head = await admin("/admin/api/openapi.json", { method: "HEAD", token: JUDGE });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect((await admin("/admin/api/openapi.json", { token: null })).status).toBe(401);
  });
});

describe("the index, fed by the objects", () => {
  it("never lets an older version overwrite a newer one", async () => {
    const { id } = await entrant("versions@example.com", { title: "Newest" });
    const row = (await indexed(id, (r) => r.title === "Newest")) as unknown as EntryRow;
    await env.DB.batch(upsertStatements(env.DB, [{ ...row, version: row.version - 1, title: "Stale" }]));
    expect(await indexed(id)).toMatchObject({ title: "Newest" });
  });

  it("lets signups succeed while the index queue refuses, and hands the row over when it is back", async () => {
    const refuse = vi.spyOn(env.CHANGES_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    expect((await signUp("queue-down@example.com")).status).toBe(303);
    const stub = registrantStub("queue-down@example.com");
    const rows = async () => (await stub.outboxStatus()).filter((job) => job.topic === "index");
    await vi.waitFor(async () => expect(await rows()).toMatchObject([{ attempts: 1, state: "to_deliver" }]));
    refuse.mockRestore();
    await stub.flushOutbox();
    await indexed(stub.id.toString());
    // Once D1 holds the row, the next check lets the object forget it.
    await stub.flushOutbox();
    expect(await rows()).toEqual([]);
    expect(await indexed(stub.id.toString())).toMatchObject({ email: "queue-down@example.com", status: "registered" });
  });

  it("never holds a link code, anywhere in D1", async () => {
    const { code } = await entrant("nocode@example.com", {});
    await indexed((await import("../helpers")).registrantId("nocode@example.com"), (r) => r.submission_version === 1);
    const secret = code.split(".")[1]!;
    // dev_mailbox is the development provider's copy of the emails sent, links and all;
    // production configurations refuse that provider, so the table stays empty there.
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%search%' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' AND name != 'dev_mailbox'").all<{ name: string }>();
    for (const { name } of tables.results) {
      const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      expect(JSON.stringify(results), name).not.toContain(secret);
    }
  });

  it("rebuilds from the objects: a damaged or missing row comes back as it was", async () => {
    const { id } = await entrant("rebuild@example.com", { title: "Original" });
    const good = await indexed(id, (r) => r.title === "Original");
    const { id: gone } = await entrant("gone@example.com", { title: "Vanished" });
    const goneRow = await indexed(gone, (r) => r.title === "Vanished");
    await env.DB.batch([
      env.DB.prepare("UPDATE entries SET title = 'Tampered', status = 'winner', version = version + 100 WHERE id = ?").bind(id),
      env.DB.prepare("DELETE FROM entries WHERE id = ?").bind(gone),
    ]);
    const response = await admin("/admin/api/reindex", { method: "POST", json: {} });
    expect(response.status).toBe(202);
    const { task } = (await response.json()) as { task: { id: string; kind: string } };
    expect(task).toMatchObject({ kind: "reindex" });
    const done = await finished(task.id);
    expect(done.failed).toBe(0);
    expect(done.processed).toBe(done.total);
    const strip = (row: Record<string, unknown>) => ({ ...row, version: undefined, score: undefined, scores_count: undefined });
    expect(strip(await indexed(id, (r) => r.title === "Original"))).toEqual(strip(good));
    expect(strip(await indexed(gone))).toEqual(strip(goneRow));
  });
});
