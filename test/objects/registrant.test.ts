import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Outbox } from "../../src/objects/outbox";
import type { Registrant } from "../../src/objects/registrant";
import { ACCEPTED, logRow } from "../email/helpers";
import { emailsTo, registrantStub } from "../helpers";
import { admin } from "../judges/helpers";

/** The jobs of `topic` the object still holds. */
async function jobs(stub: DurableObjectStub<Registrant>, topic: string) {
  return (await stub.outboxStatus()).filter((job) => job.topic === topic);
}

const ADA = { firstname: "Ada", lastname: "Lovelace", email: "ada@example.com" };

/** Every value stored in every table of the object, as text. */
function dumpStorage(state: DurableObjectState): string {
  const tables = state.storage.sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
    .toArray();
  return tables
    .map(({ name }) =>
      state.storage.sql
        .exec(`SELECT * FROM "${name}"`)
        .toArray()
        .map((row) =>
          Object.values(row)
            .map((value) => (value instanceof ArrayBuffer ? btoa(String.fromCharCode(...new Uint8Array(value))) : String(value)))
            .join("|"),
        )
        .join("\n"),
    )
    .join("\n");
}

afterEach(() => vi.restoreAllMocks());

describe("Registrant", () => {
  it("stores the link code only as a SHA-256 hash, keeping it in clear only until its email is sent", async () => {
    const stub = registrantStub("hash@example.com");
    expect(await stub.register({ ...ADA, email: "hash@example.com" })).toBe("registered");
    const [email] = await emailsTo("hash@example.com");
    const code = new URL(email!.links.find((link) => link.includes("/submit?code="))!).searchParams.get("code")!;
    // The outbox keeps the job (link and all) until the email log holds its outcome.
    await vi.waitFor(async () => expect(await logRow(email!.key)).toMatchObject({ status: "sent" }));
    await stub.flushOutbox();
    await runInDurableObject(stub, async (_, state) => {
      const secret = code.split(".")[1]!;
      const storage = dumpStorage(state);
      expect(storage).toContain("hash@example.com");
      expect(storage).not.toContain(secret);
      expect(storage).not.toContain(code);

      const expected = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
      const stored = state.storage.sql.exec<{ code_hash: ArrayBuffer }>("SELECT code_hash FROM link_code").one().code_hash;
      expect(new Uint8Array(stored)).toEqual(new Uint8Array(expected));
    });
    const [id, secret] = code.split(".") as [string, string];
    expect(id).toBe(stub.id.toString());
    expect(await stub.describe(secret)).toMatchObject({ ok: true, profile: { email: "hash@example.com" } });
    const flipped = (secret[0] === "A" ? "B" : "A") + secret.slice(1);
    expect(await stub.describe(flipped)).toEqual({ ok: false, reason: "unknown_code" });
    expect(await stub.describe("")).toEqual({ ok: false, reason: "unknown_code" });
  });

  it("an object with no registration knows no code", async () => {
    const stub = registrantStub("nobody@example.com");
    expect(await stub.describe("A".repeat(43))).toEqual({ ok: false, reason: "unknown_code" });
    expect(await stub.submit("A".repeat(43), {
      title: "t", description: "d", repo_url: "https://a.dev", demo_url: "https://b.dev",
      products: ["workers", "kv"], confirm_original: true,
    })).toEqual({ ok: false, reason: "unknown_code" });
  });

  it("rejects RPC input the schemas refuse, storing nothing", async () => {
    const stub = registrantStub("rpc@example.com");
    await runInDurableObject(stub, async (instance: Registrant, state) => {
      await expect(instance.register({ firstname: "", lastname: "x", email: "rpc@example.com" })).rejects.toThrow(
        "First name is required",
      );
      await expect(instance.register({ firstname: "A", lastname: "B", email: "not an email" })).rejects.toThrow();
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM registrant").one().n).toBe(0);
      await expect(instance.markShipped("javascript:alert(1)")).rejects.toThrow("Tracking URL");
      await expect(instance.resendEmail("everything" as never)).rejects.toThrow();
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM outbox").one().n).toBe(0);
    });
  });

  it("keeps the email in the outbox when the queue refuses it, and hands it over on its next turn", async () => {
    const stub = registrantStub("outbox@example.com");
    const refused = vi.spyOn(env.CHANGES_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    await stub.register({ ...ADA, email: "outbox@example.com" });
    await vi.waitFor(async () => expect(await jobs(stub, "email")).toMatchObject([{ state: "to_deliver", attempts: 1, lastError: "queue unavailable" }]));
    const [pending] = await jobs(stub, "email");
    expect(JSON.parse(pending!.body)).toMatchObject({ template: "registration", to: "outbox@example.com" });
    expect(pending!.nextAttemptAt).toBeGreaterThan(Date.now());
    await runInDurableObject(stub, async (_, state) => expect(await state.storage.getAlarm()).toBeLessThanOrEqual(pending!.nextAttemptAt));

    refused.mockRestore();
    const accepted = vi.spyOn(env.CHANGES_QUEUE, "sendBatch");
    await stub.flushOutbox();
    expect(accepted).toHaveBeenCalledTimes(1);
    expect(await jobs(stub, "email")).toMatchObject([{ state: "awaiting_confirmation", attempts: 2 }]);
  });

  it("still wakes for its outbox when an alarm that died during the outbox's work is run again", async () => {
    const stub = registrantStub("alarm-died@example.com");
    await stub.register({ ...ADA, email: "alarm-died@example.com" });
    await vi.waitFor(async () => expect(await jobs(stub, "email")).toMatchObject([{ state: "awaiting_confirmation" }]));
    await runInDurableObject(stub, async (instance: Registrant, state) => {
      // The email's check is due, and so is the object's alarm.
      const due = Date.now() - 1;
      state.storage.sql.exec("UPDATE outbox SET next_attempt_at = ?", due);
      state.storage.sql.exec("UPDATE alarm_schedule SET due_at = ? WHERE source = 'outbox'", due);
      // The runtime dies while the outbox works (a deploy, a crash): its first run never ends.
      vi.spyOn(Outbox.prototype, "flush").mockRejectedValueOnce(new Error("the runtime went away"));
      await expect(instance.alarm()).rejects.toThrow("the runtime went away");
      // The platform runs an alarm that did not finish again (at least once).
      await instance.alarm();
      const [job] = state.storage.sql.exec<{ next_attempt_at: number }>("SELECT next_attempt_at FROM outbox").toArray();
      const alarm = await state.storage.getAlarm();
      // Either the retry did the work (the job's next turn moved on) or the object is armed for it.
      expect(job!.next_attempt_at > due || (alarm !== null && alarm <= job!.next_attempt_at)).toBe(true);
    });
  });

  it("keeps an email the queue accepted until the email log holds its outcome, and hands over again one the queue lost", async () => {
    const stub = registrantStub("lost-in-queue@example.com");
    // The queue accepts the first batch and loses it, as the local queue does on a restart.
    const lost = vi.spyOn(env.CHANGES_QUEUE, "sendBatch").mockResolvedValueOnce(ACCEPTED);
    await stub.register({ ...ADA, email: "lost-in-queue@example.com" });
    await vi.waitFor(async () => expect(await jobs(stub, "email")).toMatchObject([{ state: "awaiting_confirmation", attempts: 1 }]));
    await runInDurableObject(stub, async (_, state) => expect(await state.storage.getAlarm()).not.toBeNull());

    // The check finds nothing in the email log: the job goes to the queue again, and through.
    await stub.flushOutbox();
    expect(lost).toHaveBeenCalledTimes(2);
    await vi.waitFor(async () => expect(await logRow((await jobs(stub, "email"))[0]?.key ?? "")).toMatchObject({ status: "sent" }));
    await stub.flushOutbox();
    expect(await jobs(stub, "email")).toEqual([]);
    expect((await emailsTo("lost-in-queue@example.com")).length).toBe(1);
  });

  it("reports a job it could not hand over for a day as a dead letter, keeps it, and hands it over when an organiser retries", async () => {
    const email = "horizon@example.com";
    const stub = registrantStub(email);
    vi.spyOn(env.CHANGES_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    await stub.register({ ...ADA, email });
    await vi.waitFor(async () => expect(await jobs(stub, "email")).toMatchObject([{ state: "to_deliver" }]));
    // A day later, still refused.
    await runInDurableObject(stub, (_, state) => void state.storage.sql.exec("UPDATE outbox SET created_at = ? WHERE topic = 'email'", Date.now() - 25 * 3_600_000));
    await stub.flushOutbox();
    const [dead] = await jobs(stub, "email");
    expect(dead).toMatchObject({ state: "dead", lastError: "queue unavailable" });
    const { deadLetters } = (await (await admin("/admin/api/dead-letters?topic=email")).json()) as { deadLetters: { id: number; key: string; origin: string }[] };
    const letter = deadLetters.find((l) => l.key === dead!.key)!;
    expect(letter).toMatchObject({ origin: stub.id.toString() });

    vi.restoreAllMocks();
    const retried = await admin(`/admin/api/dead-letters/${letter.id}/retry`, { method: "POST" });
    expect(retried.status).toBe(202);
    await vi.waitFor(async () => expect(await jobs(stub, "email")).toMatchObject([{ state: "awaiting_confirmation" }]));
    expect(await emailsTo(email)).toHaveLength(1);
  });

  it("racing registers of one email commit one registration and one email", async () => {
    const stub = registrantStub("dup@example.com");
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => stub.register({ ...ADA, email: "dup@example.com" })));
    expect(outcomes.filter((o) => o === "registered")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(49);
  });
});
