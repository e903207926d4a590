import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { QUEUES } from "../../src/messages/topics";
import { consume } from "../email/helpers";
import { admin, entrant, finished, indexed, JUDGE } from "../judges/helpers";

afterEach(() => vi.restoreAllMocks());

/** Starts a task through the judges' API; returns its run. */
async function start(path: "/admin/api/reindex" | "/admin/api/flush") {
  const response = await admin(path, { method: "POST", json: {} });
  expect(response.status).toBe(202);
  return ((await response.json()) as { task: { id: string; kind: string; total: number } }).task;
}

describe("background tasks", () => {
  it("go over every registrant in the registry, a step at a time, and record a failure as a dead letter without stopping", async () => {
    const people = await Promise.all(["task-a", "task-b", "task-c"].map((name) => entrant(`${name}@example.com`, { title: name })));
    for (const { id } of people) await indexed(id, (row) => row.submission_version === 1);
    // One registrant's object cannot be reached during the run.
    const broken = people[1]!.id;
    const realGet = env.REGISTRANT.get.bind(env.REGISTRANT);
    vi.spyOn(env.REGISTRANT, "get").mockImplementation((id, options) => {
      if (id.toString() === broken) throw new Error("object unavailable");
      return realGet(id, options);
    });
    await env.DB.prepare("UPDATE entries SET title = 'Damaged'").run();
    const run = await start("/admin/api/reindex");
    const done = await finished(run.id);
    expect(done.processed).toBeGreaterThanOrEqual(done.total);
    expect(done.failed).toBe(1);
    expect(await indexed(people[0]!.id)).toMatchObject({ title: "task-a" });
    expect(await indexed(broken)).toMatchObject({ title: "Damaged" });

    // The failure waits as a dead letter; its retry (once the object is back) repairs the row.
    vi.restoreAllMocks();
    const { deadLetters } = (await (await admin("/admin/api/dead-letters?topic=reindex")).json()) as { deadLetters: { id: number; key: string; origin: string }[] };
    expect(deadLetters).toEqual([expect.objectContaining({ key: broken, origin: run.id })]);
    expect((await admin(`/admin/api/dead-letters/${deadLetters[0]!.id}/retry`, { method: "POST", token: JUDGE })).status).toBe(403);
    expect((await admin(`/admin/api/dead-letters/${deadLetters[0]!.id}/retry`, { method: "POST" })).status).toBe(202);
    expect(await indexed(broken)).toMatchObject({ title: "task-b" });
  });

  it("run one of a kind at a time: starting again returns the run already going", async () => {
    await entrant("one-at-a-time@example.com");
    const first = await start("/admin/api/flush");
    const second = await start("/admin/api/flush");
    const done = await finished(first.id);
    expect(second.id === first.id || done.processed === done.total).toBe(true);
  });

  it("move on once for a step delivered twice", async () => {
    await entrant("twice-step@example.com");
    const run = await start("/admin/api/reindex");
    await finished(run.id);
    const before = (await (await admin(`/admin/api/tasks/${run.id}`)).json()) as { task: { processed: number } };
    // The first step again, as a queue that redelivers would bring it.
    const again = await consume(QUEUES.tasks, [{ topic: "task", body: { run: run.id, kind: "reindex", cursor: null } }]);
    expect(again.explicitAcks).toEqual(["m0"]);
    const after = (await (await admin(`/admin/api/tasks/${run.id}`)).json()) as { task: { processed: number } };
    expect(after.task.processed).toBe(before.task.processed);
  });

  it("start nothing when the tasks queue does not take the first step, so trying again works", async () => {
    await entrant("queue-refuses-task@example.com");
    vi.spyOn(env.TASK_QUEUE, "sendBatch").mockRejectedValueOnce(new Error("queue unavailable"));
    const refused = await admin("/admin/api/reindex", { method: "POST", json: {} });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: "busy" });
    const run = await start("/admin/api/reindex");
    // Counted when the run started; a registrant listed meanwhile is handled too.
    expect((await finished(run.id)).processed).toBeGreaterThanOrEqual(run.total);
  });

  it("resume a run whose step was lost, from where it stopped", async () => {
    await entrant("lost-step@example.com");
    // A run whose step the queue lost an hour ago: it shows as stalled.
    const id = crypto.randomUUID();
    const hourAgo = Date.now() - 3_600_000;
    await env.DB.prepare(
      `INSERT INTO task_runs (id, kind, status, cursor, total, processed, failed, started_by, started_at, updated_at)
       VALUES (?, 'flush', 'running', NULL, 1, 0, 0, 'Dev Organiser', ?, ?)`,
    ).bind(id, hourAgo, hourAgo).run();
    expect(await (await admin(`/admin/api/tasks/${id}`)).json()).toMatchObject({ task: { stalled: true } });
    expect((await admin(`/admin/api/tasks/${id}/resume`, { method: "POST", token: JUDGE })).status).toBe(403);
    expect((await admin(`/admin/api/tasks/${id}/resume`, { method: "POST" })).status).toBe(202);
    await finished(id);
    expect((await admin(`/admin/api/tasks/${id}/resume`, { method: "POST" })).status).toBe(409);
  });

  it("answer bad input with a 4xx that names it", async () => {
    expect((await admin("/admin/api/tasks/not-a-uuid")).status).toBe(404);
    expect((await admin(`/admin/api/tasks/${crypto.randomUUID()}`)).status).toBe(404);
    const limit = await admin("/admin/api/tasks?limit=0");
    expect(limit.status).toBe(400);
    expect(await limit.json()).toMatchObject({ fields: { limit: expect.any(String) } });
    expect((await admin("/admin/api/flush", { method: "POST", json: {}, token: JUDGE })).status).toBe(403);
  });
});

describe("the dead letters API", () => {
  it("answers bad input with a 4xx that names it", async () => {
    for (const [query, field] of [["status=lost", "status"], ["topic=Bad Topic!", "topic"], ["limit=9999", "limit"]] as const) {
      const response = await admin(`/admin/api/dead-letters?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ fields: { [field]: expect.any(String) } });
    }
    expect((await admin("/admin/api/dead-letters?cursor=garbage")).status).toBe(400);
    expect((await admin("/admin/api/dead-letters/abc/retry", { method: "POST" })).status).toBe(404);
    expect((await admin("/admin/api/dead-letters/999999/retry", { method: "POST" })).status).toBe(404);
  });

  it("pages through dead letters newest first without losing any", async () => {
    const origin = "d".repeat(64);
    for (const key of ["page-1", "page-2", "page-3"]) {
      await env.DB.prepare(
        `INSERT INTO dead_letters (topic, key, origin, reason, attempts, status, created_at, updated_at)
         VALUES ('audit', ?, ?, 'test', 1, 'open', 1, 1)`,
      ).bind(key, origin).run();
    }
    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await admin(`/admin/api/dead-letters?topic=audit&limit=1${cursor ? `&cursor=${cursor}` : ""}`)).json()) as {
        deadLetters: { key: string }[];
        next: string | null;
      };
      keys.push(...page.deadLetters.map((letter) => letter.key));
      cursor = page.next;
    } while (cursor);
    expect(keys).toEqual(["page-3", "page-2", "page-1"]);
  });
});
