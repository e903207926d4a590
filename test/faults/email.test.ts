/**
 * The fault-injection suite's deterministic part, run by `npm test` in its own contest
 * (vitest.config.ts, project "faults": Resend as the provider, objects that check their
 * queued work after 2 s). Every test signs entrants up through the Worker while a fault is
 * on, lets the real queues, consumers and alarms work, then proves that every entrant got
 * exactly one email and one index row. `npm run faults` plays the same faults at full size,
 * with the runtime killed and restarted, against a runtime of its own (bench/faults/,
 * docs/reliability.md).
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { prizeCounter } from "../../src/objects/stubs";
import type { EmailJob } from "../../src/schemas/email-job";
import { ACCEPTED, attempt, deliver, job, logRow, plan } from "../email/helpers";
import { queuedEmails, registrantId, registrantStub, signUp } from "../helpers";
import { admin, entrant, indexed } from "../judges/helpers";
import { injectD1Failures } from "./d1";
import { installResendStub, type ResendStub } from "./resend-stub";

let resend: ResendStub;

beforeEach(() => {
  resend = installResendStub();
  // Backoff draws its delays at random: here the shortest ones, so the faults play out in seconds.
  vi.spyOn(Math, "random").mockReturnValue(0.01);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await env.DB.prepare("DELETE FROM provider_pause").run();
});

const REGISTRATION = /submission link/;

/** Signs up `count` entrants named after the test, `concurrency` at a time; returns their emails. */
async function signUpMany(name: string, count: number, concurrency = 10): Promise<string[]> {
  const emails = Array.from({ length: count }, (_, i) => `${name}-${i}@example.com`);
  for (let i = 0; i < emails.length; i += concurrency) {
    const answers = await Promise.all(emails.slice(i, i + concurrency).map((email) => signUp(email)));
    for (const answer of answers) expect(answer.status).toBe(303);
  }
  return emails;
}

/**
 * Waits until every entrant got its registration email and has its index row, then until
 * each object has let go of its work (confirmed), and proves nothing came twice.
 */
async function everyoneServedOnce(emails: string[], timeout = 30_000): Promise<void> {
  await vi.waitFor(
    () => {
      const missing = emails.filter((email) => resend.count(email, REGISTRATION) === 0);
      if (missing.length) throw new Error(`${missing.length} of ${emails.length} not emailed yet`);
    },
    { timeout, interval: 200 },
  );
  await vi.waitFor(
    async () => {
      const { n } = (await env.DB.prepare(
        `SELECT COUNT(*) AS n FROM entries WHERE email IN (${emails.map(() => "?").join(", ")})`,
      ).bind(...emails).first<{ n: number }>())!;
      if (n !== emails.length) throw new Error(`${n} of ${emails.length} indexed`);
    },
    { timeout, interval: 200 },
  );
  await vi.waitFor(
    async () => {
      for (const email of emails) {
        const stub = registrantStub(email);
        await stub.flushOutbox();
        const held = await stub.outboxStatus();
        if (held.length) throw new Error(`${email} still holds ${held.map((job) => `${job.topic} (${job.state})`).join(", ")}`);
      }
    },
    { timeout, interval: 500 },
  );
  for (const email of emails) expect(resend.count(email, REGISTRATION), email).toBe(1);
  const dead = await env.DB.prepare("SELECT COUNT(*) AS n FROM dead_letters WHERE status = 'open'").first<{ n: number }>();
  expect(dead!.n).toBe(0);
}

describe("every answered signup gets exactly one email and one index row", () => {
  it("while Resend answers 429 with Retry-After for a while: nothing is dead-lettered", async () => {
    resend.mode = { kind: "throttle", until: Date.now() + 3_000, retryAfterS: 1 };
    const emails = await signUpMany("throttled", 30);
    await everyoneServedOnce(emails);
    expect(resend.requests).toBeGreaterThan(1);
  });

  it("while Resend sends a batch but answers after the timeout: replays are answered, not sent again", async () => {
    resend.mode = { kind: "accept-then-timeout", until: Date.now() + 3_000 };
    const emails = await signUpMany("late-answer", 30);
    await everyoneServedOnce(emails);
  });

  it("while Resend swallows requests without sending or answering", async () => {
    resend.mode = { kind: "blackhole", until: Date.now() + 2_000 };
    await everyoneServedOnce(await signUpMany("blackhole", 20));
  });

  it("while half of Resend's requests fail with 500", async () => {
    resend.mode = { kind: "fail", share: 0.5 };
    await everyoneServedOnce(await signUpMany("half-fail", 30));
  });

  it("while the email log cannot be written after a successful send: the replay is answered from Resend's record", async () => {
    const until = Date.now() + 2_000;
    injectD1Failures(/^\s*UPDATE email_log SET status/, () => Date.now() < until);
    await everyoneServedOnce(await signUpMany("log-down", 20));
  });

  it("when the queue loses what it accepted (a restart of the local runtime): the objects hand it over again", async () => {
    let lost = 0;
    const send = env.CHANGES_QUEUE.sendBatch.bind(env.CHANGES_QUEUE);
    vi.spyOn(env.CHANGES_QUEUE, "sendBatch").mockImplementation(async (messages, options) => {
      if (lost++ < 15) return ACCEPTED; // accepted, never delivered
      return send(messages, options);
    });
    const emails = await signUpMany("lost-in-queue", 20);
    await everyoneServedOnce(emails);
    expect(lost).toBeGreaterThan(15);
  });
});

describe("an email whose request went out is not sent again", () => {
  it("when its outcome could not be recorded and the queue then lost its send message: the job handed over again after the lease", async () => {
    const lost = job("lost-send", { to: "lost-send@example.com" });
    const { sends } = await plan([lost]);
    // Resend sends it; the log cannot record that; the message's retry never comes (the
    // local queue loses what it holds in a restart).
    let logDown = true;
    injectD1Failures(/^\s*UPDATE email_log SET status/, () => logDown);
    await attempt(sends);
    expect(resend.count("lost-send@example.com")).toBe(1);
    logDown = false;
    // The claim's lease runs out (LEASE_MARGIN_MS, here at once) and the registrant, finding
    // no outcome, hands the job over again.
    await env.DB.prepare("UPDATE email_log SET lease_until = 0 WHERE key = ?").bind(lost.key).run();
    await deliver([lost]);
    expect(resend.count("lost-send@example.com")).toBe(1);
    expect(await logRow(lost.key)).toMatchObject({ status: "sent" });
  });

  it("when one member of a lost request comes back: the whole request is made again as it was, and the others are settled with it", async () => {
    const [a, b, c] = ["lost-a", "lost-b", "lost-c"].map((name) => job(name, { to: `${name}@example.com` })) as [EmailJob, EmailJob, EmailJob];
    const { sends } = await plan([a, b]);
    let logDown = true;
    injectD1Failures(/^\s*UPDATE email_log SET status/, () => logDown);
    await attempt(sends);
    logDown = false;
    await env.DB.prepare("UPDATE email_log SET lease_until = 0 WHERE key IN (?, ?)").bind(a.key, b.key).run();
    // a comes back with a job never sent (c): a rejoins its request, c gets one of its own.
    const { sends: again } = await plan([a, c]);
    expect(again).toEqual(expect.arrayContaining([sends[0], { batch: expect.any(String), jobs: [c] }]));
    await attempt(again);
    for (const email of ["lost-a@example.com", "lost-b@example.com", "lost-c@example.com"]) expect(resend.count(email), email).toBe(1);
    for (const key of [a.key, b.key, c.key]) expect(await logRow(key), key).toMatchObject({ status: "sent" });
    // b's own return finds it settled: nothing is planned.
    expect((await plan([b])).sends).toEqual([]);
  });

  it("is recorded before the provider is called, or not sent at all; and the record is forgotten once the request settled", async () => {
    const held = job("record-first", { to: "record-first@example.com" });
    const { sends } = await plan([held]);
    const put = vi.spyOn(env.SNAPSHOTS, "put").mockRejectedValueOnce(new Error("KV unavailable"));
    const refused = await attempt(sends);
    expect(refused.retryMessages).toHaveLength(1);
    expect(resend.count("record-first@example.com")).toBe(0);
    put.mockRestore();
    await attempt(sends, {}, 2);
    expect(resend.count("record-first@example.com")).toBe(1);
    expect(await env.SNAPSHOTS.get(`email-request:${sends[0]!.batch}`)).toBeNull();
  });
});

describe("every award gets exactly one prize email", () => {
  it("while the counter cannot reach the winners, and the queue loses their emails", async () => {
    const winners = await Promise.all(Array.from({ length: 8 }, (_, i) => entrant(`award-fault-${i}@example.com`, { title: `Entry ${i}` })));
    for (const { id } of winners) await indexed(id, (row) => row.submission_version === 1);
    // The entrants' link codes were caught by a spy on the email queue; the faults below
    // replace it, with a fresh provider.
    vi.restoreAllMocks();
    resend = installResendStub();
    vi.spyOn(Math, "random").mockReturnValue(0.01);
    const realGet = env.REGISTRANT.get.bind(env.REGISTRANT);
    const until = Date.now() + 2_000;
    // Registrants cannot take prize updates for a while (everything else reaches them).
    vi.spyOn(env.REGISTRANT, "get").mockImplementation((id, options) => {
      const stub = realGet(id, options);
      return new Proxy(stub, {
        get(target, property) {
          if (property === "recordPrize" && Date.now() < until) return () => Promise.reject(new Error("registrant unreachable"));
          // An RPC stub's methods are its own properties, called on it.
          return (...args: unknown[]) => (target as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>)[property]!(...args);
        },
      });
    });
    let lost = 0;
    const send = env.CHANGES_QUEUE.sendBatch.bind(env.CHANGES_QUEUE);
    vi.spyOn(env.CHANGES_QUEUE, "sendBatch").mockImplementation(async (messages, options) => {
      const prizeEmail = [...messages].some(({ body }) => queuedEmails(body).some((job) => job.template === "prize_won"));
      if (prizeEmail && lost++ < 4) return ACCEPTED;
      return send(messages, options);
    });
    for (const { id } of winners) expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
    const emails = winners.map((_, i) => `award-fault-${i}@example.com`);
    await vi.waitFor(
      async () => {
        await prizeCounter(env).flushOutbox();
        for (const email of emails) await registrantStub(email).flushOutbox();
        const missing = emails.filter((email) => resend.count(email, /won/) === 0);
        if (missing.length) throw new Error(`${missing.length} winners not emailed yet`);
      },
      { timeout: 30_000, interval: 500 },
    );
    for (const email of emails) expect(resend.count(email, /won/), email).toBe(1);
    expect((await prizeCounter(env).outboxStatus()).filter((job) => job.state !== "dead")).toEqual([]);
    for (const email of emails) await indexed(registrantId(email), (row) => row.status === "winner");
  });
});
