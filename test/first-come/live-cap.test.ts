import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ORIGIN } from "../helpers";

// This project runs with LIVE_SOCKET_CAP=5 (vitest.config.ts).
it("refuses a live socket past the cap politely, so that client polls instead", async () => {
  const open = (): Promise<Response> =>
    exports.default.fetch(new Request(`${ORIGIN}/live`, { headers: { upgrade: "websocket" } }));
  const accepted: WebSocket[] = [];
  for (let i = 0; i < 5; i++) {
    const response = await open();
    expect(response.status).toBe(101);
    response.webSocket!.accept();
    accepted.push(response.webSocket!);
  }
  const refused = await open();
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toBe("30");
  expect(await refused.json()).toEqual({ error: "busy", message: "The live counter is full; poll /api/prizes instead." });

  const poll = await exports.default.fetch(`${ORIGIN}/api/prizes`);
  expect(poll.status).toBe(200);
  for (const socket of accepted) socket.close(1000, "done");
});
