import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import type { EmailJob } from "../../src/schemas/email-job";
import { CODE, consume, job, logRow } from "./helpers";

/** A D1 binding whose development mailbox refuses writes: the capture provider fails. */
function mailboxDown(): D1Database {
  return new Proxy(env.DB, {
    get(target, property) {
      if (property !== "prepare") return Reflect.get(target, property);
      return (query: string) =>
        query.includes("INSERT INTO dev_mailbox")
          ? { bind: () => ({ run: () => Promise.reject(new Error("mailbox storage unavailable")) }) }
          : target.prepare(query);
    },
  });
}

/** The Cloudflare provider, with a send_email binding that records or fails. */
function cloudflare(send: (message: unknown) => Promise<unknown>): Partial<Env> {
  return { ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare", EMAIL: { send } as unknown as SendEmail };
}

describe("the emails queue consumer", () => {
  it("sends a job through the capture provider into the development mailbox and logs it sent", async () => {
    const result = await consume("swagbox-emails", [job("capture-1")]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const captured = await env.DB.prepare("SELECT recipient, subject, text FROM dev_mailbox WHERE key = ?").bind("capture-1").first<{
      text: string;
    }>();
    expect(captured).toMatchObject({ recipient: "ada@example.com", subject: expect.stringContaining("submission link") });
    expect(captured!.text).toContain(`http://localhost:8787/submit?code=${CODE}`);
    expect(await logRow("capture-1")).toMatchObject({ status: "sent", attempts: 1, provider: "capture" });
  });

  it("retries a failing provider with growing delays, then records the dead letter", async () => {
    const delays: number[] = [];
    for (const attempts of [1, 4, 7]) {
      const result = await consume("swagbox-emails", [job("flaky-1")], { DB: mailboxDown() }, attempts);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toHaveLength(1);
      delays.push(result.retryDelays[0]!);
      expect(await logRow("flaky-1")).toMatchObject({ status: "retrying", attempts, last_error: "mailbox storage unavailable" });
    }
    expect(delays[0]).toBeLessThan(delays[1]!);
    expect(delays[1]).toBeLessThan(delays[2]!);

    const dead = await consume("swagbox-emails-dlq", [job("flaky-1")]);
    expect(dead.explicitAcks).toEqual(["m0"]);
    expect(await logRow("flaky-1")).toMatchObject({ status: "dead", attempts: 7, last_error: "ran out of delivery attempts" });
  });

  it("records a permanent failure as failed and does not retry it", async () => {
    const send = vi.fn().mockRejectedValue(new Error("invalid recipient address"));
    const result = await consume("swagbox-emails", [job("bounce-1")], cloudflare(send));
    expect(send).toHaveBeenCalledTimes(1);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
    expect(await logRow("bounce-1")).toMatchObject({ status: "failed", provider: "cloudflare" });
  });

  it("sends a job delivered twice only once", async () => {
    const send = vi.fn().mockResolvedValue({ messageId: "x" });
    await consume("swagbox-emails", [job("twice-1")], cloudflare(send));
    const again = await consume("swagbox-emails", [job("twice-1"), job("twice-1")], cloudflare(send));
    expect(send).toHaveBeenCalledTimes(1);
    expect(again.explicitAcks).toEqual(["m0", "m1"]);
    expect(send.mock.calls[0]![0]).toMatchObject({
      from: { name: "Swagbox", email: "challenge@localhost" },
      to: "ada@example.com",
      subject: expect.any(String),
      text: expect.any(String),
      html: expect.any(String),
    });
  });

  it("sends a batch's distinct jobs side by side and the same key once, with one outcome per message", async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const send = vi.fn(async (message: unknown) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight -= 1;
      const { to } = message as { to: string };
      if (to === "bounce@example.com") throw new Error("invalid recipient address");
      if (to === "later@example.com") throw new Error("provider busy");
      return {};
    });
    const result = await consume(
      "swagbox-emails",
      [job("batch-a"), job("batch-b"), job("batch-a"), job("batch-bounce", { to: "bounce@example.com" }), job("batch-later", { to: "later@example.com" })],
      cloudflare(send),
    );
    expect(send).toHaveBeenCalledTimes(4);
    expect(mostInFlight).toBe(4);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2", "m3"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m4"]);
    expect(await logRow("batch-a")).toMatchObject({ status: "sent" });
    expect(await logRow("batch-b")).toMatchObject({ status: "sent" });
    expect(await logRow("batch-bounce")).toMatchObject({ status: "failed", last_error: "invalid recipient address" });
    expect(await logRow("batch-later")).toMatchObject({ status: "retrying", last_error: "provider busy" });
  });

  it("asks D1 twice for a whole batch: which keys were sent, then every outcome", async () => {
    const calls: string[] = [];
    const counted = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") return (statements: D1PreparedStatement[]) => (calls.push(`batch of ${statements.length}`), target.batch(statements));
        if (property === "prepare") return (query: string) => (calls.push(query.trim().split(/\s+/)[0]!), target.prepare(query));
        return Reflect.get(target, property);
      },
    });
    const send = vi.fn().mockResolvedValue({});
    const keys = Array.from({ length: 10 }, (_, i) => `round-trips-${i}`);
    await consume("swagbox-emails", keys.map((key) => job(key)), { ...cloudflare(send), DB: counted });
    expect(send).toHaveBeenCalledTimes(10);
    expect(calls).toEqual(["SELECT", "INSERT", "batch of 10"]);
    for (const key of keys) expect(await logRow(key)).toMatchObject({ status: "sent" });
  });

  it("retries every message without sending while the email log cannot be read", async () => {
    const send = vi.fn();
    const logDown = new Proxy(env.DB, {
      get(target, property) {
        if (property !== "prepare") return Reflect.get(target, property);
        return () => ({ bind: () => ({ all: () => Promise.reject(new Error("D1 unavailable")) }) });
      },
    });
    const result = await consume("swagbox-emails", [job("log-down-1"), job("log-down-2")], { ...cloudflare(send), DB: logDown });
    expect(send).not.toHaveBeenCalled();
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0", "m1"]);
  });

  it("escapes entrant values in the HTML part", async () => {
    const send = vi.fn().mockResolvedValue({});
    await consume(
      "swagbox-emails",
      [job("xss-1", { template: "submission_received", firstname: "<img src=x onerror=alert(1)>", version: 1, title: '"><script>x</script>' } as Partial<EmailJob>)],
      cloudflare(send),
    );
    const { html, text } = send.mock.calls[0]![0] as { html: string; text: string };
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<script>x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(text).toContain('"><script>x</script>');
  });

  it("acks a malformed job without sending anything", async () => {
    const send = vi.fn();
    const result = await consume("swagbox-emails", [{ template: "nope" }, "junk", null], cloudflare(send));
    expect(result.explicitAcks).toEqual(["m0", "m1", "m2"]);
    expect(send).not.toHaveBeenCalled();
  });

  it("retries the whole batch while the configuration is invalid", async () => {
    const result = await consume("swagbox-emails", [job("config-1")], { PUBLIC_URL: "not a url" });
    expect(result.retryBatch).toMatchObject({ retry: true });
    expect(await logRow("config-1")).toBeNull();
  });
});

describe("the dead-letter consumer", () => {
  it("records dead letters even while the configuration is invalid", async () => {
    const result = await consume("swagbox-emails-dlq", [job("dead-config-1")], { PUBLIC_URL: "not a url" });
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await logRow("dead-config-1")).toMatchObject({ status: "dead", provider: "unknown" });
  });
});
