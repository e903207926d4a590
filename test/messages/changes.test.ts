/**
 * The changes queue: what one registrant's change implies travels as one message, is
 * consumed a batch at a time (100 changes fill one provider request), and is checked by
 * its object in one round trip to D1, at a time spread by the object's id.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { QUEUES, type Change, type EmailSend } from "../../src/messages/topics";
import type { EntryRow } from "../../src/schemas/entry-row";
import { ACCEPTED, consume, deadLetterFor, job, logRow, plan } from "../email/helpers";
import { failingD1 } from "../faults/d1";
import { queued, registrantStub, signUp, swagboxEnv } from "../helpers";

afterEach(() => vi.restoreAllMocks());

/** An index row of a registrant nobody registered (its object is empty). */
function row(i: number): EntryRow {
  return {
    id: (0xc0ffee00 + i).toString(16).padStart(64, "0"), version: 1, email: `change-${i}@example.com`, firstname: "A", lastname: "B",
    status: "registered", registered_at: 1, submitted_at: null, amended_at: null, submission_version: null, title: null, description: null,
    repo_url: null, demo_url: null, products: "[]", slot: null, waitlist_position: null, shipping_status: null, hold_expires_at: null,
    shipping_address: null, tracking_url: null, mailbox: `change-${i}@example.com`, disqualified_at: null, address_review: null, address_peers: "[]",
    provisional_until: null, showcase: 0,
  };
}

const change = (body: Change) => ({ topic: "change", body });

/** Keeps the provider requests the consumer queues (so that nothing sends them), and returns them. */
function catchSends(): EmailSend[] {
  const sends: EmailSend[] = [];
  vi.spyOn(env.EMAIL_SENDS_QUEUE, "sendBatch").mockImplementation(async (messages) => {
    for (const { body } of messages) {
      const message = queued(body);
      if (message.topic === "email_send") sends.push(message.body);
    }
    return ACCEPTED;
  });
  return sends;
}

describe("a registrant's change", () => {
  it("leaves as one message carrying its email and its index row", async () => {
    const sent = vi.spyOn(env.CHANGES_QUEUE, "sendBatch");
    expect((await signUp("one-message@example.com", {}, { acceptJson: true })).status).toBe(202);
    await vi.waitFor(() => expect(sent).toHaveBeenCalled());
    expect(sent).toHaveBeenCalledTimes(1);
    const messages = [...sent.mock.calls[0]![0]].map(({ body }) => queued(body));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      topic: "change",
      body: { emails: [{ template: "registration", to: "one-message@example.com" }], rows: [{ email: "one-message@example.com", status: "registered" }] },
    });
  });

  it("is checked in one round trip to D1, once, between once and twice OUTBOX_CONFIRM_SECONDS after it, where the alarm already was", async () => {
    const confirmAfterMs = Number(swagboxEnv.OUTBOX_CONFIRM_SECONDS) * 1000;
    const times = [];
    for (const email of ["spread-1@example.com", "spread-2@example.com", "spread-3@example.com"]) {
      const stub = registrantStub(email);
      await stub.register({ firstname: "Ada", lastname: "Lovelace", email });
      await vi.waitFor(async () => expect((await stub.outboxStatus()).map((job) => job.state)).toEqual(["awaiting_confirmation", "awaiting_confirmation"]));
      const { created, checks, alarm } = await runInDurableObject(stub, async (_, state) => ({
        created: state.storage.sql.exec<{ at: number }>("SELECT MAX(created_at) AS at FROM outbox").one().at,
        checks: state.storage.sql.exec<{ at: number }>("SELECT DISTINCT next_attempt_at AS at FROM outbox").toArray().map(({ at }) => at),
        alarm: await state.storage.getAlarm(),
      }));
      expect(checks).toHaveLength(1);
      const wait = checks[0]! - created;
      expect(wait).toBeGreaterThanOrEqual(confirmAfterMs);
      expect(wait).toBeLessThan(2 * confirmAfterMs);
      expect(alarm).toBe(checks[0]);
      times.push(wait);
    }
    // Objects' ids spread their checks: three registrants do not check at one moment.
    expect(new Set(times).size).toBeGreaterThan(1);

    const stub = registrantStub("spread-1@example.com");
    const reads = vi.spyOn(env.DB, "batch");
    const single = vi.spyOn(env.DB, "prepare");
    await stub.flushOutbox();
    expect(reads).toHaveBeenCalledTimes(1);
    expect(reads.mock.calls[0]![0]).toHaveLength(2);
    expect(single).toHaveBeenCalledTimes(2);
  });
});

describe("the changes consumer", () => {
  it("fills one provider request with the emails of 100 changes, and writes their rows in one batch", async () => {
    const changes = Array.from({ length: 100 }, (_, i) => change({ emails: [job(`full-${i}`)], rows: [row(i)] }));
    const sends = catchSends();
    const writes = vi.spyOn(env.DB, "batch");
    const result = await consume(QUEUES.changes, changes);
    expect(result.explicitAcks).toHaveLength(100);
    expect(sends).toHaveLength(1);
    expect(sends[0]!.jobs.map((j) => j.key).sort()).toEqual(changes.map(({ body }) => body.emails[0]!.key).sort());
    // One batch of rows (100 rows and 100 registry lines), one of claims (100, after two
    // reads of which jobs a lost batch held, 90 keys a statement).
    expect(writes.mock.calls.map(([statements]) => statements.length).sort((a, b) => a - b)).toEqual([102, 200]);
  });

  it("retries a change whole when one side fails, and the side that succeeded does nothing twice", async () => {
    const body = { emails: [job("half-failed")], rows: [row(200)] };
    const sends = catchSends();
    const refused = await consume(QUEUES.changes, [change(body)], { DB: failingD1(/INSERT INTO entries/) });
    expect(refused.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(await logRow(job("half-failed").key)).toMatchObject({ status: "sending" });
    expect(sends).toHaveLength(1);

    const redelivered = await consume(QUEUES.changes, [change(body)], {}, 2);
    expect(redelivered.explicitAcks).toEqual(["m0"]);
    expect(sends).toHaveLength(1);
    expect(await env.DB.prepare("SELECT version FROM entries WHERE id = ?").bind(row(200).id).first()).toEqual({ version: 1 });
  });

  it("when a change runs out of retries, records as dead only the parts that did not take effect", async () => {
    const planned = job("dead-change-planned");
    const never = job("dead-change-never");
    catchSends();
    await plan([planned]);
    const result = await consume(QUEUES.deadLetters, [change({ emails: [planned, never], rows: [row(300)] })], {}, 100);
    expect(result.explicitAcks).toEqual(["m0"]);
    // The planned email is its batch's to settle; the other was never planned.
    expect(await logRow(planned.key)).toMatchObject({ status: "sending" });
    expect(await deadLetterFor(planned.key)).toBeNull();
    expect(await logRow(never.key)).toMatchObject({ status: "dead" });
    expect(await deadLetterFor(never.key)).toMatchObject({ status: "open" });
    // Nobody is registered behind the row, so it cannot be rebuilt: open for organisers.
    const letter = await env.DB.prepare("SELECT status FROM dead_letters WHERE topic = 'index' AND key = ?").bind(`${row(300).id}@1`).first();
    expect(letter).toEqual({ status: "open" });
  });

  it("refuses an empty change", async () => {
    const result = await consume(QUEUES.changes, [change({ emails: [], rows: [] })]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
  });
});
