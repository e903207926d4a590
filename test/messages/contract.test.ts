import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { emailKey, parseEmailKey } from "../../src/messages/email-keys";
import { enqueue } from "../../src/messages/enqueue";
import { QUEUE_OF, QUEUES, type QueueMessage } from "../../src/messages/topics";
import type { EntryRow } from "../../src/schemas/entry-row";
import { ACCEPTED } from "../email/helpers";
import { queued } from "../helpers";

afterEach(() => vi.restoreAllMocks());

const declared = JSON.parse(env.TEST_QUEUES) as {
  producers: { binding: string; queue: string }[];
  consumers: { queue: string; dead_letter_queue?: string }[];
};

describe("the message contract and wrangler.toml", () => {
  it("name the same queues: every queued topic has a producer binding and a consumer", () => {
    const produced = declared.producers.map((producer) => producer.queue).sort();
    expect(produced).toEqual([...new Set(Object.values(QUEUE_OF))].sort());
    expect(declared.consumers.map((consumer) => consumer.queue).sort()).toEqual(Object.values(QUEUES).sort());
  });

  it("send every queue's messages that run out of retries to the one dead-letter queue", () => {
    for (const consumer of declared.consumers) {
      if (consumer.queue === QUEUES.deadLetters) expect(consumer.dead_letter_queue).toBeUndefined();
      else expect(consumer.dead_letter_queue, consumer.queue).toBe(QUEUES.deadLetters);
    }
  });
});

describe("email keys", () => {
  const id = "c".repeat(64);

  it("say whose email it was and what it was about", () => {
    expect(parseEmailKey(emailKey(id, "registration", 1))).toEqual({ registrantId: id, kind: "link", occasion: "1" });
    expect(parseEmailKey(emailKey(id, "shipping_reminder", 3))).toEqual({ registrantId: id, kind: "shipping-reminder", occasion: "3" });
    expect(parseEmailKey(emailKey(id, "announcement", "12"))).toEqual({ registrantId: id, kind: "announcement", occasion: "12" });
    expect(emailKey(id, "link_resent", 2)).toBe(`${id}:link:2`);
  });

  it("are refused when Swagbox did not make them", () => {
    for (const key of ["", "nonsense", `${id}:link`, `${id}:unknown:1`, `${"g".repeat(64)}:link:1`, `${id}:link:`, `${id}:link:1:extra`]) {
      expect(parseEmailKey(key), key).toBeNull();
    }
  });
});

describe("enqueue", () => {
  const row = (i: number, description: string): EntryRow => ({
    id: i.toString(16).padStart(64, "0"), version: 1, email: `e${i}@example.com`, firstname: "A", lastname: "B", status: "submitted",
    registered_at: 1, submitted_at: 1, amended_at: null, submission_version: 1, title: "t", description, repo_url: null, demo_url: null,
    products: "[]", slot: null, waitlist_position: null, shipping_status: null, hold_expires_at: null, shipping_address: null, tracking_url: null,
    mailbox: `e${i}@example.com`, disqualified_at: null, address_review: null, address_peers: "[]", provisional_until: null, showcase: 0,
  });

  it("keeps every sendBatch within 100 messages and 256 KB, however many and however large", async () => {
    const batches: QueueMessage[][] = [];
    vi.spyOn(env.CHANGES_QUEUE, "sendBatch").mockImplementation(async (messages) => {
      batches.push([...messages].map((m) => queued(m.body)));
      return ACCEPTED;
    });
    const rows = Array.from({ length: 250 }, (_, i) => row(i, "é".repeat(5_000)));
    await enqueue(env.CHANGES_QUEUE, rows.map((body) => ({ topic: "change", body: { emails: [], rows: [body] } })));
    expect(batches.flat()).toHaveLength(250);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(100);
      expect(new TextEncoder().encode(JSON.stringify(batch)).byteLength).toBeLessThan(256_000);
    }
  });

  it("refuses a message over the queue's 128 KB rather than let the platform drop the batch", async () => {
    const send = vi.spyOn(env.CHANGES_QUEUE, "sendBatch");
    await expect(enqueue(env.CHANGES_QUEUE, [{ topic: "change", body: { emails: [], rows: [row(1, "x".repeat(130_000))] } }])).rejects.toThrow("over the queue's limit");
    expect(send).not.toHaveBeenCalled();
  });
});
