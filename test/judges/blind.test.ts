/**
 * Blind judging (BLIND_JUDGING=true): every judge-visible route of ADMIN_ROUTES is called
 * as a judge, and no answer (JSON, HTML, CSV) holds the name or email of an entrant whose
 * entry that judge has not scored; organisers still see them.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ADMIN_ROUTES } from "../../src/routes/admin";
import { recordDeadLetters } from "../../src/store/dead-letters";
import { admin, entrant, finished, indexed, panel } from "./helpers";

const { vars, token } = panel({ Blinda: "judge" }, { BLIND_JUDGING: "true" });
const judge = { token: token("Blinda"), vars };
const organiser = { vars };

/** Entrants whose names and emails the judge must never see. */
const HIDDEN = [
  { email: "zebulon.hidden@secret-studio.example", firstname: "Zebulonhidden", title: "Orbit lamp" },
  { email: "quilla.hidden@secret-studio.example", firstname: "Quillahidden", title: "Tide clock" },
];
/** The entrant the judge scores, who may be seen afterwards. */
const SCORED = { email: "petra.scored@example.com", firstname: "Petrascored", title: "Kite radio" };

const hiddenIds: string[] = [];
let scoredId = "";
let taskId = "";

beforeAll(async () => {
  for (const person of [...HIDDEN, SCORED]) {
    const { id } = await entrant(person.email, { title: person.title }, person.firstname);
    await indexed(id, (row) => row.submission_version === 1);
    if (person === SCORED) scoredId = id;
    else hiddenIds.push(id);
  }
  // Others' scores and actions that name entrants: an organiser scores, records a conflict
  // by email for the judge, and a failure's reason quotes an address.
  for (const id of [...hiddenIds, scoredId]) {
    expect((await admin(`/admin/api/entries/${id}/score`, { method: "PUT", ...organiser, json: { criteria: { requirements: 4, innovation: 2, breadth: 3 } } })).status).toBe(200);
  }
  const conflict = await admin("/admin/api/conflicts", { method: "POST", ...organiser, json: { kind: "email", value: HIDDEN[1]!.email, judge: "Blinda" } });
  expect(conflict.status).toBe(201);
  await recordDeadLetters(env.DB, [{ topic: "email", key: `${hiddenIds[0]}:link:1`, origin: hiddenIds[0]!, reason: `mailbox full for ${HIDDEN[0]!.email}`, attempts: 9 }]);
  const run = await admin("/admin/api/reindex", { method: "POST", ...organiser, json: {} });
  taskId = ((await run.json()) as { task: { id: string } }).task.id;
  await finished(taskId);
  // The judge scores one entry: from then on, that entrant is no secret to them.
  expect((await admin(`/admin/api/entries/${scoredId}/score`, { method: "PUT", ...judge, json: { criteria: { requirements: 5, innovation: 5, breadth: 5 } } })).status).toBe(200);
  // Delivered emails are in the log, addressed to the entrants.
  await vi.waitFor(async () => {
    const logged = await env.DB.prepare("SELECT COUNT(*) AS n FROM email_log WHERE recipient LIKE '%hidden%'").first<{ n: number }>();
    if ((logged?.n ?? 0) < 2) throw new Error("the entrants' emails are not logged yet");
  });
}, 60_000);

type Call = { path: () => string; method?: string; json?: () => unknown };

/** How the judge calls each judge-visible route (several ways for some). */
const CALLS: Record<string, Call[]> = {
  "GET /admin": [{ path: () => "/admin" }],
  "GET /admin/api/me": [{ path: () => "/admin/api/me" }],
  "GET /admin/api/entries": [
    { path: () => "/admin/api/entries?limit=200" },
    { path: () => "/admin/api/entries?status=submitted&sort=submitted" },
    { path: () => "/admin/api/entries?needs_reviews=true" },
    { path: () => "/admin/api/entries?q=Zebulonhidden" },
    { path: () => "/admin/api/entries?q=secret" },
    { path: () => "/admin/api/entries?q=lamp" },
  ],
  "GET /admin/api/entries/:id": [{ path: () => `/admin/api/entries/${hiddenIds[0]}` }, { path: () => `/admin/api/entries/${hiddenIds[1]}` }, { path: () => `/admin/api/entries/${scoredId}` }],
  "PUT /admin/api/entries/:id/score": [
    // Refused: the conflict an organiser recorded, by the entrant's email.
    { method: "PUT", path: () => `/admin/api/entries/${hiddenIds[1]}/score`, json: () => ({ criteria: { requirements: 1, innovation: 1, breadth: 1 } }) },
    { method: "PUT", path: () => `/admin/api/entries/${scoredId}/score`, json: () => ({ criteria: { requirements: 9 } }) },
  ],
  "GET /admin/api/export.csv": [{ path: () => "/admin/api/export.csv?set=entries" }, { path: () => "/admin/api/export.csv?set=submissions" }],
  "GET /admin/api/stats": [{ path: () => "/admin/api/stats" }],
  "GET /admin/api/audit": [{ path: () => "/admin/api/audit?limit=500" }],
  "GET /admin/api/tasks": [{ path: () => "/admin/api/tasks" }],
  "GET /admin/api/tasks/:id": [{ path: () => `/admin/api/tasks/${taskId}` }],
  "GET /admin/api/emails": [{ path: () => "/admin/api/emails?limit=500" }],
  "GET /admin/api/dead-letters": [{ path: () => "/admin/api/dead-letters" }],
  "GET /admin/api/openapi.json": [{ path: () => "/admin/api/openapi.json" }],
  "GET /admin/api/next": [{ path: () => "/admin/api/next" }, { path: () => "/admin/api/next" }],
  "POST /admin/api/entries/:id/skip": [{ method: "POST", path: () => `/admin/api/entries/${hiddenIds[0]}/skip`, json: () => ({ reason: "busy" }) }],
  "GET /admin/api/progress": [{ path: () => "/admin/api/progress" }],
  "GET /admin/api/conflicts": [{ path: () => "/admin/api/conflicts" }],
  "POST /admin/api/conflicts": [{ method: "POST", path: () => "/admin/api/conflicts", json: () => ({ kind: "domain", value: "rival.example" }) }],
  "GET /admin/api/entries/:id/review": [{ path: () => `/admin/api/entries/${hiddenIds[0]}/review` }, { path: () => `/admin/api/entries/${hiddenIds[1]}/review` }],
  "GET /admin/api/results": [{ path: () => "/admin/api/results" }],
  "PUT /admin/api/entries/:id/flag": [{ method: "PUT", path: () => `/admin/api/entries/${hiddenIds[0]}/flag`, json: () => ({ note: "Looks like a copy" }) }],
};

const JUDGE_ROUTES = ADMIN_ROUTES.filter((route) => route.role === "judge").map((route) => `${route.method} ${route.path}`);

function leaks(text: string): string[] {
  const lower = text.toLowerCase();
  return HIDDEN.flatMap((person) => [person.email, person.firstname].filter((secret) => lower.includes(secret.toLowerCase())));
}

describe("blind judging", () => {
  it("has a way to call every judge-visible route", () => {
    expect(Object.keys(CALLS).sort()).toEqual([...JUDGE_ROUTES].sort());
  });

  it.each(JUDGE_ROUTES)("%s shows a judge no name or email of an entry they have not scored", async (route) => {
    for (const call of CALLS[route]!) {
      const response = await admin(call.path(), { ...judge, method: call.method, json: call.json?.() });
      expect(response.status, `${route}: ${call.path()}`).toBeLessThan(500);
      const body = await response.text();
      expect(leaks(body), `${route}: ${call.path()} answered ${response.status}`).toEqual([]);
    }
  });

  it("lets the judge see the entrant once they scored the entry, and search the work but not the names", async () => {
    const scored = (await (await admin(`/admin/api/entries/${scoredId}`, judge)).json()) as { entry: { firstname: string; email: string }; scores: unknown[] };
    expect(scored.entry).toMatchObject({ firstname: SCORED.firstname, email: SCORED.email });
    expect(scored.scores).toHaveLength(2);
    const hidden = (await (await admin(`/admin/api/entries/${hiddenIds[0]}`, judge)).json()) as { entry: Record<string, unknown>; scores: unknown[] };
    expect(hidden.entry).toMatchObject({ firstname: null, lastname: null, email: null, score: null, blind: true, title: HIDDEN[0]!.title });
    expect(hidden.scores).toEqual([]);
    const byName = (await (await admin("/admin/api/entries?q=Zebulonhidden", judge)).json()) as { entries: unknown[] };
    expect(byName.entries).toEqual([]);
    const byTitle = (await (await admin("/admin/api/entries?q=lamp", judge)).json()) as { entries: { id: string; blind?: boolean }[] };
    expect(byTitle.entries).toEqual([expect.objectContaining({ id: hiddenIds[0], blind: true })]);
    const ranked = await admin("/admin/api/entries?sort=score", judge);
    expect(ranked.status).toBe(403);
    expect(await ranked.json()).toMatchObject({ error: "blind_judging", fields: { sort: expect.any(String) } });
  });

  it("shows organisers everything", async () => {
    const list = await (await admin("/admin/api/entries?limit=200", organiser)).text();
    const csv = await (await admin("/admin/api/export.csv?set=entries", organiser)).text();
    const found = await (await admin("/admin/api/entries?q=Zebulonhidden", organiser)).text();
    const emails = await (await admin("/admin/api/emails?limit=500", organiser)).text();
    for (const person of HIDDEN) {
      for (const text of [list, csv, emails]) expect(text).toContain(person.email);
    }
    expect(found).toContain(HIDDEN[0]!.email);
    expect(await (await admin(`/admin/api/entries/${hiddenIds[0]}`, organiser)).json()).toMatchObject({ entry: { firstname: HIDDEN[0]!.firstname } });
  });
});
