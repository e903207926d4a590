import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LiveRelay } from "../../src/objects/live-relay";
import { liveRelay } from "../../src/objects/stubs";
import { SOCKETS_PER_CLIENT } from "../../src/objects/live-sockets";
import type { PrizeCounter } from "../../src/objects/prize-counter";
import { prizeCounter } from "../../src/objects/stubs";
import { ORIGIN, send } from "../helpers";

afterEach(() => vi.restoreAllMocks());

function upgrade(ip?: string): Request {
  return new Request(`${ORIGIN}/live`, { headers: { upgrade: "websocket", ...(ip && { "cf-connecting-ip": ip }) } });
}

/** Accepts `response`'s socket; resolves with the close the server sends, or "open" if none comes in 3 s. */
function serverClose(response: Response): Promise<{ code: number; reason: string } | "open"> {
  expect(response.status).toBe(101);
  const socket = response.webSocket!;
  socket.accept();
  return new Promise((resolve) => {
    socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason }));
    setTimeout(() => resolve("open"), 3_000);
  });
}

/** A burst of small messages on one socket, as the probe sent (it sent 20,000). */
function flood(response: Response): void {
  for (let i = 0; i < 2_000; i++) response.webSocket!.send(`x${i}`);
}

/**
 * Resolves once the object has seen the socket's close: what the client sent before it
 * (the runtime delivers every message already received, whatever the object does) is drained.
 */
async function drained(closeHandler: { mock: { calls: unknown[] } }) {
  await vi.waitFor(() => expect(closeHandler.mock.calls.length).toBeGreaterThan(0), { timeout: 30_000, interval: 20 });
  expect(closeHandler.mock.calls.length).toBe(1);
}

describe("a /live client that says anything but ping", () => {
  it("is closed by its relay with 1008 at its first message, and nothing it sent reaches the counter", async () => {
    const relay = liveRelay(env, 5);
    const response = await relay.fetch(upgrade());
    const closed = serverClose(response);
    const [handled, closeHandler] = await runInDurableObject(relay, (instance: LiveRelay) => [
      vi.spyOn(instance, "webSocketMessage"),
      vi.spyOn(instance, "webSocketClose"),
    ]);
    const counterCalls = vi.spyOn(env.PRIZE_COUNTER, "get");
    flood(response);
    expect(await closed).toEqual({ code: 1008, reason: "send nothing but ping" });
    await drained(closeHandler);
    expect(handled.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(counterCalls).not.toHaveBeenCalled();
    // The relay goes on serving everyone else.
    const next = await relay.fetch(upgrade());
    expect(next.status).toBe(101);
    next.webSocket!.accept();
    next.webSocket!.close(1000, "done");
  });

  it("is closed by the PrizeCounter with 1008 when it holds the sockets (LIVE_RELAYS 0)", async () => {
    const response = await send("/live", { headers: { upgrade: "websocket" }, vars: { LIVE_RELAYS: "0" } });
    const closed = serverClose(response);
    const closeHandler = await runInDurableObject(prizeCounter(env), (instance: PrizeCounter) => vi.spyOn(instance, "webSocketClose"));
    flood(response);
    expect(await closed).toEqual({ code: 1008, reason: "send nothing but ping" });
    await drained(closeHandler);
    expect((await prizeCounter(env).getStatus()).total).toBeGreaterThan(0);
  });

  it("is not closed for the documented ping, which the runtime answers without waking the object", async () => {
    const relay = liveRelay(env, 5);
    const response = await relay.fetch(upgrade());
    const socket = response.webSocket!;
    socket.accept();
    let pongs = 0;
    socket.addEventListener("message", (event) => void (event.data === "pong" && pongs++));
    const handled = await runInDurableObject(relay, (instance: LiveRelay) => vi.spyOn(instance, "webSocketMessage"));
    for (let i = 0; i < 1_000; i++) socket.send("ping");
    await vi.waitFor(() => expect(pongs).toBe(1_000), { timeout: 10_000, interval: 10 });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    expect(handled).not.toHaveBeenCalled();
    socket.close(1000, "done");
  });
});

describe("sockets per client address", () => {
  it(`are capped at ${SOCKETS_PER_CLIENT} per object; past it the client is told to poll, and other addresses still connect`, async () => {
    const relay = liveRelay(env, 6);
    const sockets: WebSocket[] = [];
    for (let i = 0; i < SOCKETS_PER_CLIENT; i++) {
      // Any address of one IPv6 /64 counts as the same client.
      const response = await relay.fetch(upgrade(`2001:db8:5:5::${(i + 1).toString(16)}`));
      expect(response.status, `socket ${i + 1}`).toBe(101);
      response.webSocket!.accept();
      sockets.push(response.webSocket!);
    }
    const refused = await relay.fetch(upgrade("2001:db8:5:5:ffff::1"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toEqual({ error: "rate_limited", message: "Your network holds too many live connections; poll /api/prizes instead." });

    const neighbour = await relay.fetch(upgrade("2001:db8:5:6::1"));
    expect(neighbour.status).toBe(101);
    neighbour.webSocket!.accept();
    sockets.push(neighbour.webSocket!);
    for (const socket of sockets) socket.close(1000, "done");
  });
});
