import type { ErrorCode } from "../http/errors";

/**
 * The browser side of the live counter, shared by the objects that hold its sockets (the
 * PrizeCounter, or the LiveRelays in front of it): hibernatable sockets that get the count
 * on connect and on every change, and say nothing back that matters.
 */

/** Answered by the runtime without waking the object: keep-alives cost nothing. */
export function answerPings(ctx: DurableObjectState): void {
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
}

/** Why this object cannot take the socket `request` asks for (426, or 503 at the cap); null if it can. */
export function refuseSocket(request: Request, ctx: DurableObjectState, cap: number): Response | null {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("Expected a WebSocket upgrade", { status: 426 });
  }
  return ctx.getWebSockets().length < cap ? null : busy();
}

/** 503: the page's script polls /api/prizes instead, and tries the socket again later. */
export function busy(): Response {
  return Response.json(
    { error: "busy" satisfies ErrorCode, message: "The live counter is full; poll /api/prizes instead." },
    { status: 503, headers: { "retry-after": "30", "cache-control": "no-store" } },
  );
}

/** Accepts a hibernatable socket; the caller sends it the count and answers with `response`. */
export function acceptSocket(ctx: DurableObjectState): { socket: WebSocket; response: Response } {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  ctx.acceptWebSocket(server);
  return { socket: server, response: new Response(null, { status: 101, webSocket: client }) };
}

export function sendToAll(ctx: DurableObjectState, message: string): void {
  for (const ws of ctx.getWebSockets()) {
    try {
      ws.send(message);
    } catch {
      // A socket closing as we send; its close handler tidies up.
    }
  }
}

/** Completes a close the client started. */
export function closeBack(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed, or a code (1005, 1006) that may not be sent back.
  }
}
