import { env, exports } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { prizeCounter } from "../../src/objects/stubs";
import type { PrizeStatus } from "../../src/schemas/prizes";
import { ORIGIN, registrantId } from "../helpers";

// This project runs with LIVE_SOCKET_CAP=5 and LIVE_RELAYS=2 (vitest.config.ts): ten sockets in all.
it("fills every relay up to its cap, refuses the next socket politely (that client polls), and relays changes to all", async () => {
  const open = (): Promise<Response> =>
    exports.default.fetch(new Request(`${ORIGIN}/live`, { headers: { upgrade: "websocket" } }));
  const counts: number[][] = [];
  const accepted: WebSocket[] = [];
  for (let i = 0; i < 10; i++) {
    const response = await open();
    expect(response.status, `socket ${i + 1}`).toBe(101);
    const socket = response.webSocket!;
    const received: number[] = [];
    socket.accept();
    socket.addEventListener("message", (event) => received.push((JSON.parse(event.data as string) as PrizeStatus).remaining));
    accepted.push(socket);
    counts.push(received);
  }
  const refused = await open();
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toBe("30");
  expect(await refused.json()).toEqual({ error: "busy", message: "The live counter is full; poll /api/prizes instead." });
  const poll = await exports.default.fetch(`${ORIGIN}/api/prizes`);
  expect(poll.status).toBe(200);

  const { remaining } = await prizeCounter(env).getStatus();
  await prizeCounter(env).award(registrantId("live-cap@example.com"), "judge:test");
  await vi.waitFor(() => expect(counts.map((received) => received.at(-1))).toEqual(Array(10).fill(remaining - 1)), { timeout: 3_000, interval: 10 });
  for (const socket of accepted) socket.close(1000, "done");
});
