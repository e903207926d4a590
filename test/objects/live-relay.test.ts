import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { prizeCounter } from "../../src/objects/stubs";
import type { PrizeStatus } from "../../src/schemas/prizes";
import { ORIGIN, registrantId } from "../helpers";

/**
 * Relay `n` of this file's own: the route's relays (`relay-0`…) also serve the other files'
 * sockets, and these tests assert on exactly what one relay holds.
 */
function ownRelay(n: number) {
  return env.LIVE_RELAY.get(env.LIVE_RELAY.idFromName(`live-relay-test-${n}`));
}

/** A socket on relay `n` itself, and the counts it receives. */
async function socketOn(n: number) {
  const response = await ownRelay(n).fetch(new Request(`${ORIGIN}/live`, { headers: { upgrade: "websocket" } }));
  expect(response.status).toBe(101);
  const socket = response.webSocket!;
  const received: string[] = [];
  socket.accept();
  socket.addEventListener("message", (event) => received.push(event.data as string));
  const remaining = () => received.map((message) => (JSON.parse(message) as PrizeStatus).remaining);
  // Waits for a condition, then lets the test's own expectation say what is wrong if it never came.
  const until = (done: () => boolean) => vi.waitFor(() => expect(done()).toBe(true), { timeout: 3_000, interval: 10 }).catch(() => {});
  return { socket, received, remaining, until };
}

function subscribedRelays(): Promise<string[]> {
  return runInDurableObject(prizeCounter(env), (_instance, state) =>
    state.storage.sql.exec<{ id: string }>("SELECT id FROM live_relay ORDER BY id").toArray().map((row) => row.id),
  );
}

describe("a LiveRelay", () => {
  it("subscribes with its first socket, passes every change on, and is dropped once a change finds it empty", async () => {
    const relayId = env.LIVE_RELAY.idFromName("live-relay-test-0").toString();
    const client = await socketOn(0);
    const start = (await prizeCounter(env).getStatus()).remaining;
    await client.until(() => client.remaining().length > 0);
    expect(client.remaining()).toEqual([start]);
    expect(await subscribedRelays()).toContain(relayId);

    await prizeCounter(env).award(registrantId("relay-1@example.com"), "judge:test");
    await client.until(() => client.remaining().at(-1) === start - 1);
    expect(client.remaining()).toEqual([start, start - 1]);

    client.socket.close(1000, "done");
    await ownRelay(0).fetch(new Request(`${ORIGIN}/healthz`)); // the close has reached the relay
    await prizeCounter(env).award(registrantId("relay-2@example.com"), "judge:test");
    await vi.waitFor(async () => expect(await subscribedRelays()).not.toContain(relayId), { timeout: 3_000, interval: 10 });

    // The next first socket subscribes again, and gets the count as it is now.
    const again = await socketOn(0);
    await again.until(() => again.remaining().length > 0);
    expect(again.remaining()).toEqual([start - 2]);
    await prizeCounter(env).award(registrantId("relay-3@example.com"), "judge:test");
    await again.until(() => again.remaining().at(-1) === start - 3);
    expect(again.remaining()).toEqual([start - 2, start - 3]);
    again.socket.close(1000, "done");
  });

  it("never replaces a newer count with an older one that arrives late", async () => {
    const client = await socketOn(1);
    await client.until(() => client.received.length > 0);
    const relay = ownRelay(1);
    const newer = JSON.stringify({ type: "prizes", remaining: 7, total: 300, head: "b".repeat(64) });
    const older = JSON.stringify({ type: "prizes", remaining: 8, total: 300, head: "a".repeat(64) });
    expect(await relay.relay({ seq: 1_000_001, message: newer })).toBe(true);
    expect(await relay.relay({ seq: 1_000_000, message: older })).toBe(true);
    await client.until(() => client.received.includes(newer));
    expect(client.received.at(-1)).toBe(newer);
    expect(client.received).not.toContain(older);

    // A socket that connects now gets the newest count the relay holds.
    const late = await socketOn(1);
    await late.until(() => late.received.length > 0);
    expect(late.received).toEqual([newer]);
    client.socket.close(1000, "done");
    late.socket.close(1000, "done");
  });

  it("folds a burst of pushes into the first count at once and the newest soon after", async () => {
    const client = await socketOn(3);
    await client.until(() => client.received.length > 0);
    const before = client.received.length;
    const relay = ownRelay(3);
    const count = (i: number) => JSON.stringify({ type: "prizes", remaining: 100 - i, total: 300, head: i.toString(16).padStart(64, "0") });
    await Promise.all(Array.from({ length: 20 }, (_, i) => relay.relay({ seq: 2_000_000 + i, message: count(i) })));
    await client.until(() => client.received.at(-1) === count(19));
    const sent = client.received.slice(before);
    expect(sent[0]).toBe(count(0));
    expect(sent.at(-1)).toBe(count(19));
    expect(sent.length).toBeLessThan(20);
    // Counts only ever go forward.
    const order = sent.map((message) => 100 - (JSON.parse(message) as PrizeStatus).remaining);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    client.socket.close(1000, "done");
  });

  it("refuses a malformed push without changing what it holds", async () => {
    const client = await socketOn(2);
    await client.until(() => client.received.length > 0);
    const malformed = [{ seq: -1, message: "{}" }, { seq: 1.5, message: "{}" }, { seq: 1e9, message: 5 }, { seq: 1e9, message: "x".repeat(2_000) }, null];
    await runInDurableObject(ownRelay(2), async (instance) => {
      for (const update of malformed) await expect(instance.relay(update as never)).rejects.toThrow();
    });
    expect(client.received).toHaveLength(1);
    client.socket.close(1000, "done");
  });
});
