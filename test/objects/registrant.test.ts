import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Registrant } from "../../src/objects/registrant";
import { registrantStub } from "../helpers";

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
  it("stores the link code only as a SHA-256 hash, and accepts exactly that code", async () => {
    const stub = registrantStub("hash@example.com");
    let code = "";
    await runInDurableObject(stub, async (instance: Registrant, state) => {
      const sendBatch = vi.spyOn(instance["env"].EMAIL_QUEUE, "sendBatch");
      expect(await instance.register({ ...ADA, email: "hash@example.com" })).toBe("registered");
      await instance["outbox"].flush();
      const [[message]] = sendBatch.mock.calls[0]! as unknown as [[{ body: { code: string } }]];
      code = message.body.code;
      const secret = code.split(".")[1]!;
      const storage = dumpStorage(state);
      expect(storage).toContain("hash@example.com");
      expect(storage).not.toContain(secret);
      expect(storage).not.toContain(code);

      const expected = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
      const stored = state.storage.sql.exec<{ code_hash: ArrayBuffer }>("SELECT code_hash FROM registrant").one().code_hash;
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
    });
  });

  it("keeps the email in the outbox when the queue refuses it, and the alarm retries until it is accepted", async () => {
    const stub = registrantStub("outbox@example.com");
    await runInDurableObject(stub, async (instance: Registrant) => {
      const sendBatch = vi.spyOn(instance["env"].EMAIL_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
      await instance.register({ ...ADA, email: "outbox@example.com" });
      await instance["outbox"].flush();
      expect(sendBatch).toHaveBeenCalledTimes(1);
      const [pending] = instance["outbox"].pending();
      expect(pending).toMatchObject({ topic: "email", attempts: 1, body: { template: "registration", to: "outbox@example.com" } });
      expect(pending!.nextAttemptAt).toBeGreaterThan(Date.now());
    });
    await runInDurableObject(stub, async (instance: Registrant, state) => {
      const alarm = await state.storage.getAlarm();
      const pending = instance["outbox"].pending()[0]!;
      expect(alarm).toBe(pending.nextAttemptAt);
      // Make the retry due, then let the alarm run with the queue still down: backoff grows.
      state.storage.sql.exec("UPDATE outbox SET next_attempt_at = 0");
      state.storage.sql.exec("UPDATE alarm_schedule SET due_at = 0");
      vi.spyOn(instance["env"].EMAIL_QUEUE, "sendBatch").mockRejectedValue(new Error("still down"));
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, async (instance: Registrant, state) => {
      const [pending] = instance["outbox"].pending();
      expect(pending?.attempts).toBe(2);
      expect(await state.storage.getAlarm()).toBe(pending!.nextAttemptAt);
      state.storage.sql.exec("UPDATE outbox SET next_attempt_at = 0");
      state.storage.sql.exec("UPDATE alarm_schedule SET due_at = 0");
      vi.restoreAllMocks();
      const sendBatch = vi.spyOn(instance["env"].EMAIL_QUEUE, "sendBatch");
      await instance.alarm();
      expect(sendBatch).toHaveBeenCalledTimes(1);
      expect(instance["outbox"].pending()).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("racing registers of one email commit one registration and one email", async () => {
    const stub = registrantStub("dup@example.com");
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => stub.register({ ...ADA, email: "dup@example.com" })));
    expect(outcomes.filter((o) => o === "registered")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(49);
  });
});
