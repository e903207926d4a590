import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { QUEUES } from "../../src/messages/topics";
import type { LinkCheckJob } from "../../src/schemas/link-check";
import { resultStatement } from "../../src/store/link-checks";
import { ACCEPTED, consume } from "../email/helpers";
import { registrantStub, send, validSubmission } from "../helpers";
import { admin, entrant, finished, indexed, JUDGE } from "../judges/helpers";

afterEach(() => vi.restoreAllMocks());

type Row = Record<string, unknown>;

/** The entry's latest check once it satisfies `ready` (the check travels through a queue). */
function checked(id: string, ready: (row: Row) => boolean = () => true) {
  return vi.waitFor(
    async () => {
      const row = await env.DB.prepare("SELECT * FROM link_checks WHERE entry_id = ?").bind(id).first<Row>();
      if (!row || !ready(row)) throw new Error(`no such check of ${id} yet: ${JSON.stringify(row)}`);
      return row;
    },
    { timeout: 10_000, interval: 20 },
  );
}

async function list(query: string): Promise<Row[]> {
  const response = await admin(`/admin/api/entries?limit=200&${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { entries: Row[] }).entries;
}

async function detail(id: string) {
  return (await (await admin(`/admin/api/entries/${id}`)).json()) as { entry: Row; checks: Row | null; shared: { id: string; links: { url: string; kind: string }[] }[] };
}

describe("a submission's links, checked for the judges", () => {
  it("are checked in the background without holding up the entrant, and the list, filters, drawer and CSV show it", async () => {
    const bad = await entrant("refused-demo@example.com", { demo_url: "http://169.254.169.254/latest/meta-data/", repo_url: "http://localhost:3000/me/app" });
    const good = await entrant("fine-links@example.com", { demo_url: "https://fine.example.dev/", repo_url: "https://github.com/fine/links" });
    await checked(bad.id, (row) => row.demo_status === "refused");
    await checked(good.id, (row) => row.demo_status === "unchecked");
    // The index row travels on another queue than the check: the list shows entries it holds.
    for (const { id } of [bad, good]) await indexed(id, (row) => row.submission_version === 1);

    const down = (await list("check=demo_down")).map((row) => row.id);
    expect(down).toContain(bad.id);
    expect(down).not.toContain(good.id);
    expect((await list("check=repo_missing")).map((row) => row.id)).toContain(bad.id);
    const row = (await list("status=submitted")).find((entry) => entry.id === bad.id)!;
    expect(row).toMatchObject({ demo_status: "refused", repo_status: "refused", shared_link: 0 });

    const { checks } = await detail(bad.id);
    expect(checks).toMatchObject({ demo_status: "refused", checked_submission: 1, demo_detail: expect.stringContaining("private"), waiting: false });

    const csv = await (await admin("/admin/api/export.csv?set=submissions")).text();
    const line = csv.split("\r\n").find((text) => text.startsWith(bad.id))!;
    expect(line).toMatch(/,refused,refused,,,,$/);
  });

  it("filter by what the network checks found: a fork, a repository older than the contest", async () => {
    const fork = await entrant("forked@example.com", {});
    const old = await entrant("old-repo@example.com", {});
    const opens = Date.parse("2026-01-01T00:00:00Z");
    const found = (fork: boolean, createdAt: number): Parameters<typeof resultStatement>[2] => ({
      demo: { status: "live", http: 200, detail: null },
      repo: { status: "public", http: 200, detail: null, fork, createdAt, pushedAt: createdAt },
      checkedAt: Date.now(),
    });
    const job = (id: string): LinkCheckJob => ({ registrantId: id, version: Date.now() + 60_000, submissionVersion: 1, repoUrl: "https://github.com/a/b", demoUrl: "https://a.example.dev/" });
    for (const { id } of [fork, old]) {
      await checked(id);
      await indexed(id, (row) => row.submission_version === 1);
    }
    await env.DB.batch([
      resultStatement(env.DB, job(fork.id), found(true, opens + 1), opens),
      resultStatement(env.DB, job(old.id), found(false, opens - 1), opens),
    ]);
    expect((await list("check=fork")).map((row) => row.id)).toEqual([fork.id]);
    expect((await list("check=repo_older")).map((row) => row.id)).toEqual([old.id]);
    expect(await admin("/admin/api/entries?check=everything")).toMatchObject({ status: 400 });
  });

  it("are checked again when the submission is amended, and the newer result replaces the older", async () => {
    const { id, code } = await entrant("amends@example.com", { demo_url: "http://10.1.2.3/" });
    const first = await checked(id, (row) => row.demo_status === "refused");
    const amended = await send("/submit", { acceptJson: true, form: validSubmission(code, { demo_url: "https://amended.example.dev/" }) });
    expect(amended.status).toBe(200);
    const second = await checked(id, (row) => row.checked_submission === 2);
    expect(second).toMatchObject({ demo_status: "unchecked" });
    expect(Number(second.check_version)).toBeGreaterThan(Number(first.check_version));
  });

  it("keep the check in the registrant's outbox until D1 holds its result, and send it again when the queue lost it", async () => {
    const lost = vi.spyOn(env.CHECKS_QUEUE, "sendBatch").mockResolvedValue(ACCEPTED);
    const { id } = await entrant("lost-check@example.com", {});
    const stub = registrantStub("lost-check@example.com");
    const waiting = async () => (await stub.outboxStatus()).filter((job) => job.topic === "link_check");
    await vi.waitFor(async () => expect(await waiting()).toMatchObject([{ state: "awaiting_confirmation" }]));
    expect(lost).toHaveBeenCalled();
    lost.mockRestore();
    await stub.flushOutbox(); // the check finds no result: it is handed over again
    await checked(id);
    await stub.flushOutbox(); // now D1 holds it: done
    expect(await waiting()).toEqual([]);
  });

  it("are checked again for one entry at an organiser's request, audited; judges may not; no submission is 409", async () => {
    const { id } = await entrant("recheck-one@example.com", {});
    // The route answers for entries the judges can see: the index row may come after the check.
    await indexed(id, (row) => row.submission_version === 1);
    const before = await checked(id);
    expect((await admin(`/admin/api/entries/${id}/checks`, { method: "POST", token: JUDGE })).status).toBe(403);
    const response = await admin(`/admin/api/entries/${id}/checks`, { method: "POST" });
    expect(response.status).toBe(202);
    const { version } = (await response.json()) as { version: number };
    expect(version).toBeGreaterThan(Number(before.check_version));
    await checked(id, (row) => row.check_version === version);
    const audit = (await (await admin("/admin/api/audit?limit=5")).json()) as { entries: Row[] };
    expect(audit.entries[0]).toMatchObject({ action: "recheck", target: id });

    const { id: nothing } = await entrant("recheck-none@example.com");
    await indexed(nothing);
    expect(await admin(`/admin/api/entries/${nothing}/checks`, { method: "POST" })).toMatchObject({ status: 409 });
    expect((await admin(`/admin/api/entries/${"f".repeat(64)}/checks`, { method: "POST" })).status).toBe(404);
  });

  it("are checked again for every entry as a task, with its progress in the task list", async () => {
    const people = await Promise.all(["all-1", "all-2"].map((name) => entrant(`${name}@example.com`, {})));
    const before = await Promise.all(people.map(({ id }) => checked(id)));
    const started = await admin("/admin/api/checks", { method: "POST" });
    expect(started.status).toBe(202);
    const { task } = (await started.json()) as { task: { id: string; kind: string } };
    expect(task.kind).toBe("recheck");
    const run = await finished(task.id);
    expect(run.failed).toBe(0);
    expect(run.processed).toBe(run.total);
    for (const [i, { id }] of people.entries()) await checked(id, (row) => Number(row.check_version) > Number(before[i]!.check_version));
    const tasks = (await (await admin("/admin/api/tasks")).json()) as { tasks: Row[] };
    expect(tasks.tasks[0]).toMatchObject({ id: task.id, kind: "recheck", status: "done" });
  });

  it("that gave up are recorded as not checked, and an organiser's retry checks them again", async () => {
    const { id } = await entrant("gave-up@example.com", { demo_url: "http://127.0.0.1/" });
    const first = await checked(id);
    const job: LinkCheckJob = { registrantId: id, version: Number(first.check_version) + 1, submissionVersion: 1, repoUrl: "https://github.com/a/b", demoUrl: "http://127.0.0.1/" };
    const buried = await consume(QUEUES.deadLetters, [{ topic: "link_check", body: job }], {} as Partial<Env>, 20);
    expect(buried.explicitAcks).toEqual(["m0"]);
    // The static checks still stand; what needed the network did not happen.
    await checked(id, (row) => row.check_version === job.version && row.demo_status === "refused" && row.repo_status === "unchecked");
    const letters = (await (await admin("/admin/api/dead-letters?topic=link_check")).json()) as { deadLetters: Row[] };
    const letter = letters.deadLetters.find((row) => row.origin === id)!;
    expect(letter).toMatchObject({ topic: "link_check", status: "open" });
    const retried = await admin(`/admin/api/dead-letters/${letter.id}/retry`, { method: "POST" });
    expect(retried.status).toBe(202);
    await checked(id, (row) => Number(row.check_version) > job.version);
  });
});
