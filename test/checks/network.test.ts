import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { QUEUES } from "../../src/messages/topics";
import type { LinkCheckJob } from "../../src/schemas/link-check";
import { confirmLinkChecks } from "../../src/store/link-checks";
import { ACCEPTED, consume } from "../email/helpers";
import { queued } from "../helpers";
import { installLinkStub, type LinkStub, type Site } from "./link-stub";

afterEach(() => vi.restoreAllMocks());

/** Network checks on: the provider stub stands in for the Internet. */
const ON = { LINK_CHECKS: "on" } as Partial<Env>;
const LIVE: Site = { addresses: ["104.21.48.1", "2606:4700:3030::6815:3001"], answer: { status: 200 } };

let ids = 0;
function job(repoUrl: string, demoUrl: string, version = 1): LinkCheckJob {
  ids++;
  return { registrantId: ids.toString(16).padStart(64, "0"), version, submissionVersion: 1, repoUrl, demoUrl };
}

/** One delivery of each job to the checks queue's consumer, with network checks on. */
function deliver(jobs: LinkCheckJob[], attempts = 1) {
  return consume(QUEUES.checks, jobs.map((body) => ({ topic: "link_check", body })), ON, attempts);
}

function resultOf(id: string) {
  return env.DB.prepare("SELECT * FROM link_checks WHERE entry_id = ?").bind(id).first<Record<string, unknown>>();
}

/** Checks queued again by the consumer (kept here, not delivered), with their delays. */
let requeued: { body: LinkCheckJob; delaySeconds: number | undefined }[];
let stub: LinkStub;
beforeEach(() => {
  requeued = [];
  vi.spyOn(env.CHECKS_QUEUE, "sendBatch").mockImplementation(async (messages) => {
    for (const message of messages) {
      const envelope = queued(message.body);
      if (envelope.topic === "link_check") requeued.push({ body: envelope.body, delaySeconds: message.delaySeconds });
    }
    return ACCEPTED;
  });
  stub = installLinkStub({ sites: { "edge-chess.ada.workers.dev": LIVE } });
});

describe("network link checks", () => {
  it("record a live demo and a public repository with its dates, marking one created before the contest", async () => {
    stub.world.github["ada/edge-chess"] = { kind: "public", createdAt: "2025-06-01T00:00:00Z", pushedAt: "2027-01-02T03:04:05Z" };
    const check = job("https://github.com/Ada/Edge-Chess.git", "https://edge-chess.ada.workers.dev/");
    const result = await deliver([check]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await resultOf(check.registrantId)).toMatchObject({
      check_version: 1,
      demo_status: "live",
      demo_http: 200,
      repo_status: "public",
      repo_fork: 0,
      repo_created_at: Date.parse("2025-06-01T00:00:00Z"),
      repo_pushed_at: Date.parse("2027-01-02T03:04:05Z"),
      repo_before_contest: 1,
    });
    expect(stub.fetched).toContain("https://api.github.com/repos/Ada/Edge-Chess");
    expect(stub.strays).toEqual([]);
  });

  it("give each answer of a demo or a forge its documented result", async () => {
    stub.world.sites = {
      "ok.example.dev": LIVE,
      "gone.example.dev": { ...LIVE, answer: { status: 404 } },
      "broken.example.dev": { ...LIVE, answer: { status: 500 } },
      "slow.example.dev": { ...LIVE, answer: "timeout" },
      "nowhere.example.dev": { addresses: [] },
      "codeberg.org": LIVE,
      "git.example.dev": { ...LIVE, answer: { status: 404 } },
    };
    stub.world.github = { "a/private": { kind: "private" }, "a/fork": { kind: "fork" }, "a/public": { kind: "public" } };
    stub.world.gitlab = { "group/sub/project": { kind: "public" }, "group/forked": { kind: "fork" } };
    const cases: [LinkCheckJob, Record<string, unknown>][] = [
      [job("https://github.com/a/public", "https://gone.example.dev/"), { demo_status: "error", demo_http: 404, repo_status: "public", repo_fork: 0 }],
      [job("https://github.com/a/public", "https://broken.example.dev/"), { demo_status: "error", demo_http: 500 }],
      [job("https://github.com/a/public", "https://slow.example.dev/"), { demo_status: "unreachable", demo_detail: "no answer within the timeout" }],
      [job("https://github.com/a/public", "https://nowhere.example.dev/"), { demo_status: "unreachable", demo_detail: expect.stringContaining("does not exist") }],
      [job("https://github.com/a/private", "https://ok.example.dev/"), { demo_status: "live", repo_status: "private" }],
      [job("https://github.com/a/missing", "https://ok.example.dev/"), { repo_status: "missing", repo_http: 404, repo_created_at: null }],
      [job("https://github.com/a/fork", "https://ok.example.dev/"), { repo_status: "public", repo_fork: 1, repo_before_contest: 0 }],
      [job("https://gitlab.com/group/sub/project/-/tree/main", "https://ok.example.dev/"), { repo_status: "public", repo_fork: 0 }],
      [job("https://gitlab.com/group/forked.git", "https://ok.example.dev/"), { repo_status: "public", repo_fork: 1 }],
      [job("https://gitlab.com/group/nothing", "https://ok.example.dev/"), { repo_status: "missing" }],
      [job("https://codeberg.org/ada/chess", "https://ok.example.dev/"), { repo_status: "reachable", repo_fork: null }],
      [job("https://git.example.dev/ada/chess", "https://ok.example.dev/"), { repo_status: "missing", repo_http: 404 }],
    ];
    for (const [check, expected] of cases) {
      const result = await deliver([check]);
      expect(result.explicitAcks, check.demoUrl).toEqual(["m0"]);
      expect(await resultOf(check.registrantId), `${check.repoUrl} ${check.demoUrl}`).toMatchObject(expected);
    }
    expect(stub.strays).toEqual([]);
  });

  it("wait out a forge's rate limit, however long, without spending retries, and record the check once it lifts", async () => {
    stub.world.github["ada/edge-chess"] = { kind: "rate-limited", retryAfterS: 120 };
    const check = job("https://github.com/ada/edge-chess", "https://edge-chess.ada.workers.dev/");
    const before = Date.now();
    const first = await deliver([check]);
    // Queued again with GitHub's delay rather than retried: no attempt is used up.
    expect(first.explicitAcks).toEqual(["m0"]);
    expect(first.retryMessages).toEqual([]);
    expect(requeued).toEqual([{ body: check, delaySeconds: expect.any(Number) }]);
    expect(requeued[0]!.delaySeconds).toBeGreaterThanOrEqual(119);
    // Nothing is recorded about the repository; its registrant is told the check is on its way.
    expect(await resultOf(check.registrantId)).toMatchObject({ check_version: 0, repo_status: null, pending_version: check.version });
    const [confirmation] = await confirmLinkChecks(env.DB, [check]);
    expect(confirmation!.confirmation).toMatchObject({ status: "pending" });
    expect(stub.hits("edge-chess.ada.workers.dev")).toEqual([]);
    const pause = await env.DB.prepare("SELECT until FROM provider_pause WHERE provider = 'github'").first<{ until: number }>();
    expect(pause!.until).toBeGreaterThanOrEqual(before + 120_000);

    // Delivered again while the pause lasts: GitHub is not asked again, the check waits again.
    const asked = stub.hits("api.github.com").length;
    const second = await deliver([check], 1);
    expect(second.explicitAcks).toEqual(["m0"]);
    expect(stub.hits("api.github.com")).toHaveLength(asked);
    expect(requeued).toHaveLength(2);

    // The limit lifts: the same check is recorded.
    await env.DB.prepare("UPDATE provider_pause SET until = 0 WHERE provider = 'github'").run();
    stub.world.github["ada/edge-chess"] = { kind: "public" };
    const third = await deliver([check]);
    expect(third.explicitAcks).toEqual(["m0"]);
    expect(await resultOf(check.registrantId)).toMatchObject({ check_version: check.version, repo_status: "public", demo_status: "live" });
    expect((await confirmLinkChecks(env.DB, [check]))[0]!.confirmation).toEqual({ status: "done" });
  });

  it("take GitLab's reset time when it sends no Retry-After", async () => {
    const resetAt = Date.now() + 30 * 60_000;
    stub.world.gitlab["group/project"] = { kind: "rate-limited", resetAt };
    await deliver([job("https://gitlab.com/group/project", "https://edge-chess.ada.workers.dev/")]);
    expect(requeued[0]!.delaySeconds).toBeGreaterThanOrEqual(29 * 60);
    expect(requeued[0]!.delaySeconds).toBeLessThanOrEqual(31 * 60);
  });

  it("retry with backoff when the forge itself fails, recording nothing about the repository", async () => {
    stub.world.github["ada/edge-chess"] = { kind: "server-error" };
    const check = job("https://github.com/ada/edge-chess", "https://edge-chess.ada.workers.dev/");
    const result = await deliver([check]);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(result.retryDelays[0]).toBeGreaterThan(0);
    expect(await resultOf(check.registrantId)).toBeNull();
  });

  it("check what one invocation's requests allow and queue the rest again, without spending their retries", async () => {
    stub.world.github["ada/edge-chess"] = { kind: "public" };
    const checks = Array.from({ length: 12 }, () => job("https://github.com/ada/edge-chess", "https://edge-chess.ada.workers.dev/"));
    const result = await deliver(checks);
    // Each check needs four requests (the API, two DNS lookups, the demo); 40 fit in one invocation.
    expect(result.explicitAcks).toHaveLength(12);
    expect(stub.fetched.length).toBeLessThanOrEqual(40);
    const recorded = (await Promise.all(checks.map((check) => resultOf(check.registrantId)))).filter((row) => row?.demo_status === "live");
    expect(recorded.length + requeued.length).toBe(12);
    expect(requeued.length).toBeGreaterThan(0);
    expect(requeued.every((again) => again.delaySeconds === 1)).toBe(true);
  });
});

describe("links that may not be fetched", () => {
  it("are refused without a fetch: file:, data:, credentials, private and metadata addresses, local names", async () => {
    const refused = [
      job("file:///etc/passwd", "data:text/html,<h1>hi</h1>"),
      job("https://ada:hunter2@github.com/ada/edge-chess", "http://169.254.169.254/latest/meta-data/"),
      job("http://metadata.google.internal/computeMetadata/v1/", "http://[::1]:8787/"),
      job("http://localhost:3000/repo", "http://10.0.0.5/"),
    ];
    for (const check of refused) {
      await deliver([check]);
      expect(await resultOf(check.registrantId), check.demoUrl).toMatchObject({ demo_status: "refused", repo_status: "refused" });
    }
    expect(stub.fetched).toEqual([]);
  });

  it("are refused when their name resolves to a private or metadata address, with only DNS asked", async () => {
    stub.world.sites = {
      "inside.example.dev": { addresses: ["10.0.0.5"], answer: { status: 200 } },
      "metadata.example.dev": { addresses: ["93.184.216.34", "169.254.169.254"], answer: { status: 200 } },
      "loop6.example.dev": { addresses: ["2606:4700::1", "::1"], answer: { status: 200 } },
    };
    stub.world.github["ada/edge-chess"] = { kind: "public" };
    for (const host of Object.keys(stub.world.sites)) {
      const check = job("https://github.com/ada/edge-chess", `https://${host}/`);
      await deliver([check]);
      expect(await resultOf(check.registrantId), host).toMatchObject({ demo_status: "refused", demo_detail: expect.stringContaining(`${host} resolves to`) });
      expect(stub.hits(host), host).toEqual([]);
    }
  });

  it("are refused when a redirect leads to one (an open redirect to the metadata service), which is never fetched", async () => {
    stub.world.sites = {
      "open-redirect.example.dev": { ...LIVE, answer: { status: 302, location: "http://169.254.169.254/latest/meta-data/iam/" } },
      "via-name.example.dev": { ...LIVE, answer: { status: 301, location: "https://inside.example.dev/admin" } },
      "inside.example.dev": { addresses: ["192.168.0.10"], answer: { status: 200 } },
      "file.example.dev": { ...LIVE, answer: { status: 307, location: "file:///etc/passwd" } },
    };
    stub.world.github["ada/edge-chess"] = { kind: "public" };
    for (const host of ["open-redirect.example.dev", "via-name.example.dev", "file.example.dev"]) {
      const check = job("https://github.com/ada/edge-chess", `https://${host}/`);
      await deliver([check]);
      expect(await resultOf(check.registrantId), host).toMatchObject({ demo_status: "refused", demo_detail: expect.stringMatching(/^redirected to /) });
    }
    expect(stub.fetched.some((url) => url.includes("169.254.169.254") && !url.startsWith("https://cloudflare-dns.com/"))).toBe(false);
    expect(stub.hits("inside.example.dev")).toEqual([]);
  });

  it("follow a few redirects, checking each hop, and take the last answer as it is", async () => {
    stub.world.sites = Object.fromEntries(
      ["a", "b", "c", "d", "e"].map((name, i, all) => [`${name}.example.dev`, { ...LIVE, answer: i < 4 ? { status: 302, location: `https://${all[i + 1]}.example.dev/` } : { status: 200 } }]),
    );
    stub.world.sites["short.example.dev"] = { ...LIVE, answer: { status: 301, location: "/home" } };
    stub.world.github["ada/edge-chess"] = { kind: "public" };
    const long = job("https://github.com/ada/edge-chess", "https://a.example.dev/");
    await deliver([long]);
    expect(await resultOf(long.registrantId)).toMatchObject({ demo_status: "live", demo_http: 302, demo_detail: "after 3 redirects, at https://d.example.dev/" });
    expect(stub.hits("e.example.dev")).toEqual([]);
    const relative = job("https://github.com/ada/edge-chess", "https://short.example.dev/");
    await deliver([relative]);
    expect(await resultOf(relative.registrantId)).toMatchObject({ demo_status: "live", demo_http: 301 });
    // A relative Location is read against the page that sent it (here: the same page, again and again).
    expect(stub.hits("short.example.dev")).toEqual(["https://short.example.dev/", ...Array(3).fill("https://short.example.dev/home")]);
  });
});

describe("link checks with network checks off (development, tests, e2e runs and the bench)", () => {
  it("run the static checks only, and fetch nothing at all", async () => {
    const off = [job("https://github.com/ada/edge-chess", "https://edge-chess.ada.workers.dev/"), job("https://github.com/ada/edge-chess", "http://169.254.169.254/")];
    const result = await consume(QUEUES.checks, off.map((body) => ({ topic: "link_check", body })));
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(await resultOf(off[0]!.registrantId)).toMatchObject({ demo_status: "unchecked", repo_status: "unchecked", demo_detail: expect.stringContaining("LINK_CHECKS") });
    expect(await resultOf(off[1]!.registrantId)).toMatchObject({ demo_status: "refused", repo_status: "unchecked" });
    expect(stub.fetched).toEqual([]);
  });

  it("never overwrite a newer check with an older one that arrives late", async () => {
    stub.world.github["ada/edge-chess"] = { kind: "public" };
    const newer = job("https://github.com/ada/edge-chess", "https://edge-chess.ada.workers.dev/", 20);
    const older = { ...newer, version: 10, demoUrl: "http://10.0.0.1/" };
    await deliver([newer]);
    await deliver([older]);
    expect(await resultOf(newer.registrantId)).toMatchObject({ check_version: 20, demo_status: "live" });
  });
});
