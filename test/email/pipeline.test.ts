import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { QUEUES } from "../../src/messages/topics";
import type { EmailJob } from "../../src/schemas/email-job";
import { emailConfirmations } from "../../src/store/email-log";
import { lookUp } from "../../src/store/lookup";
import { emailChanges } from "../helpers";
import { failingD1 } from "../faults/d1";
import { attempt, CODE, consume, deadLetterFor, deliver, job, logRow, OWNER, plan } from "./helpers";

afterEach(async () => {
  vi.restoreAllMocks();
  // A test's rate limit or quota must not pause the next test's provider.
  await env.DB.prepare("DELETE FROM provider_pause").run();
});

/** The Cloudflare provider, with a send_email binding that answers as `send` does. */
function cloudflare(send: (message: unknown) => Promise<unknown>): Partial<Env> {
  return { ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare", EMAIL: { send } as unknown as SendEmail };
}

/** An error as the send_email binding throws it: a message and a documented code. */
function bindingError(code: string, message = "refused"): Error {
  return Object.assign(new Error(message), { code });
}

/** The email log cannot be written. */
const logDown = () => failingD1(/^\s*(INSERT INTO email_log|UPDATE email_log)/);

describe("planning email jobs", () => {
  it("claims each job once, for one provider request, and acks a redelivered job without another", async () => {
    const jobs = [job("plan-1"), job("plan-2"), job("plan-3")];
    const first = await plan(jobs);
    expect(first.result.explicitAcks).toEqual(["m0", "m1", "m2"]);
    expect(first.sends).toHaveLength(1);
    expect(first.sends[0]!.jobs.map((j) => j.key)).toEqual(jobs.map((j) => j.key));
    for (const j of jobs) expect(await logRow(j.key)).toMatchObject({ status: "sending", batch_id: first.sends[0]!.batch, attempts: 0 });

    const again = await plan([jobs[0]!, jobs[0]!, jobs[1]!]);
    expect(again.result.explicitAcks).toEqual(["m0", "m1", "m2"]);
    expect(again.sends).toEqual([]);
  });

  it("sends a job once when it reaches two batches 200 ms apart while the provider is slow", async () => {
    const send = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return {};
    });
    const twice = job("two-batches");
    const { sends } = await plan([twice]);
    const sending = attempt(sends, cloudflare(send));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const late = await deliver([twice], cloudflare(send));
    await sending;
    expect(late.sends).toEqual([]);
    expect(send).toHaveBeenCalledTimes(1);
    expect(await logRow(twice.key)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("claims a job again when its batch was lost (its lease ran out), and the lost batch then sends nothing", async () => {
    const lost = job("lost-batch");
    const first = await plan([lost]);
    await env.DB.prepare("UPDATE email_log SET lease_until = 0 WHERE key = ?").bind(lost.key).run();
    const second = await plan([lost]);
    expect(second.sends).toHaveLength(1);
    expect(second.sends[0]!.batch).not.toBe(first.sends[0]!.batch);

    const send = vi.fn().mockResolvedValue({});
    const stale = await attempt(first.sends, cloudflare(send));
    expect(stale.explicitAcks).toEqual(["m0"]);
    expect(send).not.toHaveBeenCalled();
    await attempt(second.sends, cloudflare(send));
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("retries every job, planning nothing, while the log cannot be written", async () => {
    const { sends, result } = await plan([job("log-down-1"), job("log-down-2")], { DB: logDown() });
    expect(sends).toEqual([]);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0", "m1"]);
    expect(await logRow(job("log-down-1").key)).toBeNull();
  });

  it("gives its claims back when the requests cannot be queued, so the retry plans them at once", async () => {
    const stuck = job("sends-queue-down");
    vi.spyOn(env.EMAIL_SENDS_QUEUE, "sendBatch").mockRejectedValueOnce(new Error("queue unavailable"));
    const failed = await consume(QUEUES.changes, emailChanges([stuck]));
    expect(failed.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    vi.restoreAllMocks();
    const retried = await plan([stuck]);
    expect(retried.sends).toHaveLength(1);
  });

  it("puts at most 100 jobs in one request, and keeps each request within a queue message", async () => {
    const many = Array.from({ length: 150 }, (_, i) => job(`many-${i}`));
    expect((await plan(many)).sends.map((s) => s.jobs.length)).toEqual([100, 50]);
    const long = "x".repeat(1000);
    const big = Array.from({ length: 100 }, (_, i) => job(`big-${i}`, { template: "shipping_confirmed", summary: long } as Partial<EmailJob>));
    const sends = (await plan(big)).sends;
    expect(sends.length).toBeGreaterThan(1);
    for (const s of sends) expect(new TextEncoder().encode(JSON.stringify(s)).byteLength).toBeLessThan(128_000);
    expect(sends.flatMap((s) => s.jobs)).toHaveLength(100);
  });

  it("acks a malformed message, or one of another topic, without planning anything", async () => {
    const result = await consume(QUEUES.changes, [
      ...emailChanges([{ template: "nope" }]),
      "junk",
      null,
      { topic: "change", body: { emails: [], rows: [] } },
      { topic: "email", body: job("x") },
      { topic: "email_send", body: { batch: crypto.randomUUID(), jobs: [job("x")] } },
    ]);
    expect(result.explicitAcks).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
    expect(await logRow(job("x").key)).toBeNull();
  });

  it("retries every job a minute later while the configuration is invalid", async () => {
    const result = await consume(QUEUES.changes, emailChanges([job("config-1")]), { PUBLIC_URL: "not a url" });
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(result.retryDelays).toEqual([60]);
    expect(await logRow(job("config-1").key)).toBeNull();
  });
});

describe("sending a planned request", () => {
  it("puts a job into the development mailbox through the capture provider and logs it sent", async () => {
    const captured = job("capture-1");
    const { result } = await deliver([captured]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const row = await env.DB.prepare("SELECT recipient, subject, text FROM dev_mailbox WHERE key = ?").bind(captured.key).first<{ text: string }>();
    expect(row).toMatchObject({ recipient: "ada@example.com", subject: expect.stringContaining("submission link") });
    expect(row!.text).toContain(`http://localhost:8787/submit?code=${CODE}`);
    expect(await logRow(captured.key)).toMatchObject({ status: "sent", attempts: 1, provider: "capture" });
  });

  it("records a refused email as failed and as a dead letter, and does not retry it", async () => {
    const send = vi.fn().mockRejectedValue(bindingError("E_RECIPIENT_SUPPRESSED", "recipient is suppressed"));
    const bounced = job("bounce-1");
    const { result } = await deliver([bounced], cloudflare(send));
    expect(send).toHaveBeenCalledTimes(1);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await logRow(bounced.key)).toMatchObject({ status: "failed", provider: "cloudflare", last_error: "cloudflare E_RECIPIENT_SUPPRESSED: recipient is suppressed" });
    expect(await deadLetterFor(bounced.key)).toMatchObject({ origin: OWNER, status: "open", reason: expect.stringContaining("E_RECIPIENT_SUPPRESSED") });
  });

  it.each([
    ["E_RECIPIENT_SUPPRESSED", "failed"],
    ["E_RECIPIENT_NOT_ALLOWED", "failed"],
    ["E_VALIDATION_ERROR", "failed"],
    ["E_CONTENT_TOO_LARGE", "failed"],
    ["E_RATE_LIMIT_EXCEEDED", "retrying"],
    ["E_DAILY_LIMIT_EXCEEDED", "retrying"],
    ["E_SENDER_NOT_VERIFIED", "retrying"],
    ["E_INTERNAL_SERVER_ERROR", "retrying"],
    ["E_SOMETHING_NEW", "retrying"],
  ] as const)("classifies Cloudflare's %s by its code: %s", async (code, status) => {
    // The wording is the same for all, so only the code can tell them apart.
    const send = vi.fn().mockRejectedValue(bindingError(code, "invalid recipient address"));
    const classified = job(`code-${code}`);
    await deliver([classified], cloudflare(send));
    expect(await logRow(classified.key)).toMatchObject({ status });
  });

  it("waits an hour at least after Cloudflare's daily quota, for every email, not only the one refused", async () => {
    const send = vi.fn().mockRejectedValue(bindingError("E_DAILY_LIMIT_EXCEEDED", "daily limit"));
    const { result } = await deliver([job("quota-1")], cloudflare(send));
    expect(result.retryDelays[0]).toBeGreaterThanOrEqual(3_600);
    const paused = await env.DB.prepare("SELECT until, strikes FROM provider_pause WHERE provider = 'cloudflare'").first<{ until: number; strikes: number }>();
    expect(paused!.until).toBeGreaterThanOrEqual(Date.now() + 3_590_000);
    // Another batch, planned meanwhile, waits too without calling the provider.
    send.mockClear();
    const other = await deliver([job("quota-2")], cloudflare(send));
    expect(send).not.toHaveBeenCalled();
    expect(other.result.retryDelays[0]).toBeGreaterThanOrEqual(3_500);
    expect(await logRow(job("quota-2").key)).toMatchObject({ status: "sending", attempts: 0 });
  });

  it("retries a temporary failure with growing delays, then sends once and never again", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1);
    const down = vi.fn().mockRejectedValue(new Error("upstream connect error"));
    const flaky = job("flaky-1");
    const { sends } = await plan([flaky]);
    const delays: number[] = [];
    for (const attempts of [1, 2, 3]) {
      const result = await attempt(sends, cloudflare(down), attempts);
      expect(result.retryMessages).toHaveLength(1);
      delays.push(result.retryDelays[0]!);
      expect(await logRow(flaky.key)).toMatchObject({ status: "retrying", attempts, last_error: "cloudflare: upstream connect error" });
    }
    expect(delays).toEqual([10, 20, 40]);
    const up = vi.fn().mockResolvedValue({ messageId: "x" });
    expect((await attempt(sends, cloudflare(up), 4)).explicitAcks).toEqual(["m0"]);
    expect((await attempt(sends, cloudflare(up), 5)).explicitAcks).toEqual(["m0"]);
    expect(up).toHaveBeenCalledTimes(1);
    expect(await logRow(flaky.key)).toMatchObject({ status: "sent", attempts: 4 });
  });

  it("uses Retry-After as a floor under the backoff, never in its place", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1);
    const limited = vi.fn().mockRejectedValue(bindingError("E_RATE_LIMIT_EXCEEDED"));
    const { sends } = await plan([job("floor-1")]);
    // Early on the provider's minute is the longer wait; later the backoff is.
    expect((await attempt(sends, cloudflare(limited), 1)).retryDelays[0]).toBeGreaterThanOrEqual(60);
    expect((await attempt(sends, cloudflare(limited), 8)).retryDelays[0]).toBe(1_280);
  });

  it("ends the stream's pause once the provider takes a batch again", async () => {
    await env.DB.prepare("INSERT OR REPLACE INTO provider_pause (provider, until, strikes, reason) VALUES ('cloudflare', 0, 3, 'rate limited')").run();
    await deliver([job("after-pause")], cloudflare(vi.fn().mockResolvedValue({})));
    expect(await env.DB.prepare("SELECT * FROM provider_pause WHERE provider = 'cloudflare'").first()).toBeNull();
  });

  it("gives up on emails still unsent after EMAIL_RETRY_HOURS: dead, a dead letter, no more calls", async () => {
    const old = job("too-old");
    const { sends } = await plan([old]);
    await env.DB.prepare("UPDATE email_log SET created_at = ? WHERE key = ?").bind(Date.now() - 25 * 3_600_000, old.key).run();
    const send = vi.fn();
    const result = await attempt(sends, cloudflare(send), 30);
    expect(send).not.toHaveBeenCalled();
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await logRow(old.key)).toMatchObject({ status: "dead", last_error: "no delivery within EMAIL_RETRY_HOURS (24 h)" });
    expect(await deadLetterFor(old.key)).toMatchObject({ status: "open" });
  });

  it("sends again what it could not record, and the capture provider keeps one copy", async () => {
    const unrecorded = job("unrecorded-1");
    const { sends } = await plan([unrecorded]);
    const failed = await attempt(sends, { DB: logDown() });
    expect(failed.retryMessages).toHaveLength(1);
    // The capture provider's own write went through; the log's did not.
    const recorded = await attempt(sends, {}, 2);
    expect(recorded.explicitAcks).toEqual(["m0"]);
    expect(await logRow(unrecorded.key)).toMatchObject({ status: "sent" });
    const copies = await env.DB.prepare("SELECT COUNT(*) AS n FROM dev_mailbox WHERE key = ?").bind(unrecorded.key).first<{ n: number }>();
    expect(copies!.n).toBe(1);
  });

  it("costs D1 one batch to plan, and two reads and one batch to send, whatever the batch size", async () => {
    const calls: string[] = [];
    const counted = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") return (statements: D1PreparedStatement[]) => (calls.push(`batch of ${statements.length}`), target.batch(statements));
        if (property === "prepare") return (query: string) => (calls.push(query.trim().split(/\s+/)[0]!), target.prepare(query));
        return Reflect.get(target, property);
      },
    });
    const jobs = Array.from({ length: 10 }, (_, i) => job(`round-trips-${i}`));
    const vars = { ...cloudflare(vi.fn().mockResolvedValue({})), DB: counted };
    const { sends } = await plan(jobs, vars);
    // Ten claims, after one read of which of the ten a lost batch held.
    expect(calls.filter((call) => call.startsWith("batch"))).toEqual(["batch of 11"]);
    calls.length = 0;
    await attempt(sends, vars);
    expect(calls.filter((call) => call === "SELECT")).toHaveLength(2);
    expect(calls.filter((call) => call.startsWith("batch"))).toEqual(["batch of 10"]);
  });

  it("escapes entrant values in the HTML part", async () => {
    const send = vi.fn().mockResolvedValue({});
    await deliver(
      [job("xss-1", { template: "submission_received", firstname: "<img src=x onerror=alert(1)>", version: 1, title: '"><script>x</script>' } as Partial<EmailJob>)],
      cloudflare(send),
    );
    const { html, text } = send.mock.calls[0]![0] as { html: string; text: string };
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(text).toContain('"><script>x</script>');
  });
});

describe("what a registrant learns about the emails it queued", () => {
  it("done once settled, pending while a live batch holds it, lost when never seen or its batch vanished", async () => {
    const sent = job("confirm-sent");
    const live = job("confirm-live");
    const vanished = job("confirm-vanished");
    await deliver([sent]);
    await plan([live, vanished]);
    await env.DB.prepare("UPDATE email_log SET lease_until = 1 WHERE key = ?").bind(vanished.key).run();
    const [[a, b, c, d]] = await lookUp(env.DB, emailConfirmations(env.DB, [sent.key, live.key, vanished.key, job("confirm-never").key]));
    expect(a).toEqual({ status: "done" });
    expect(b).toMatchObject({ status: "pending", recheckAt: expect.any(Number) });
    expect(c).toEqual({ status: "lost" });
    expect(d).toEqual({ status: "lost" });
  });
});

describe("the dead-letter queue", () => {
  it("records an email job that was never planned as dead, for organisers and for its registrant", async () => {
    const never = job("dead-job");
    const result = await consume(QUEUES.deadLetters, emailChanges([never]), {}, 3);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await logRow(never.key)).toMatchObject({ status: "dead" });
    expect(await deadLetterFor(never.key)).toMatchObject({ origin: OWNER, status: "open" });
    expect(await lookUp(env.DB, emailConfirmations(env.DB, [never.key]))).toEqual([[{ status: "done" }]]);
  });

  it("records every unsettled member of a provider request that ran out of retries, and no other", async () => {
    const a = job("dead-send-a");
    const b = job("dead-send-b");
    const { sends } = await plan([a, b]);
    await env.DB.prepare("UPDATE email_log SET status = 'sent' WHERE key = ?").bind(b.key).run();
    await consume(QUEUES.deadLetters, sends.map((body) => ({ topic: "email_send", body })));
    expect(await logRow(a.key)).toMatchObject({ status: "dead" });
    expect(await logRow(b.key)).toMatchObject({ status: "sent" });
    expect(await deadLetterFor(a.key)).toMatchObject({ status: "open" });
    expect(await deadLetterFor(b.key)).toBeNull();
  });

  it("retries while D1 cannot record, so a dead letter is never lost", async () => {
    const result = await consume(QUEUES.deadLetters, emailChanges([job("dead-d1-down")]), { DB: logDown() });
    expect(result.retryMessages).toHaveLength(1);
  });
});

describe("the queue handler", () => {
  it("throws for a queue it does not know, so the batch is retried rather than acked", async () => {
    await expect(consume("swagbox-emails-dlq", emailChanges([job("unknown-queue")]))).rejects.toThrow("no consumer for queue swagbox-emails-dlq");
  });
});
