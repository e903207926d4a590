import type { ErrorCode } from "../http/errors";
import { clientKey } from "../http/client-key";

/**
 * The browser side of the live counter, shared by the objects that hold its sockets (the
 * PrizeCounter, or the LiveRelays in front of it): hibernatable sockets that get the count
 * on connect and on every change, and say nothing back that matters.
 */

/** Answered by the runtime without waking the object: keep-alives cost nothing. */
export function answerPings(ctx: DurableObjectState): void {
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
}

/**
 * Sockets one client address (an IPv6 /64) may hold on one object, so that one client
 * cannot fill an object's cap; a room behind one address still gets this many on each
 * relay, and past it polls /api/prizes like everyone past the cap.
 */
export const SOCKETS_PER_CLIENT = 100;

/**
 * Why this object cannot take the socket `request` asks for (426; 503 at the cap; 429 when
 * the client's address holds SOCKETS_PER_CLIENT here already); null if it can.
 */
export function refuseSocket(request: Request, ctx: DurableObjectState, cap: number): Response | null {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("Expected a WebSocket upgrade", { status: 426 });
  }
  if (ctx.getWebSockets().length >= cap) return busy();
  const client = clientTag(request);
  if (client && ctx.getWebSockets(client).length >= SOCKETS_PER_CLIENT) {
    return refusal(429, "rate_limited", "Your network holds too many live connections; poll /api/prizes instead.");
  }
  return null;
}

/** 503: the page's script polls /api/prizes instead, and tries the socket again later. */
export function busy(): Response {
  return refusal(503, "busy", "The live counter is full; poll /api/prizes instead.");
}

function refusal(status: number, error: ErrorCode, message: string): Response {
  return Response.json({ error, message }, { status, headers: { "retry-after": "30", "cache-control": "no-store" } });
}

/**
 * Accepts a hibernatable socket, tagged with its client's address (cf-connecting-ip) so that
 * the object can count them; the caller sends it the count and answers with `response`.
 */
export function acceptSocket(ctx: DurableObjectState, request: Request): { socket: WebSocket; response: Response } {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  const tag = clientTag(request);
  ctx.acceptWebSocket(server, tag ? [tag] : []);
  return { socket: server, response: new Response(null, { status: 101, webSocket: client }) };
}

/** The socket tag of the client's address; none without cf-connecting-ip (a test calling the object directly). */
function clientTag(request: Request): string | null {
  const ip = request.headers.get("cf-connecting-ip");
  return ip === null ? null : `client:${clientKey(ip)}`;
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

/**
 * Closes a socket whose client sent something other than "ping" (which the runtime answers
 * without waking the object) with 1008, policy violation: one wake-up, and nothing it sent
 * is read. A client that keeps talking can otherwise hold the object's attention for as
 * long as it likes, and every other socket of the object waits.
 */
export function closeChatter(ws: WebSocket): void {
  try {
    ws.close(1008, "send nothing but ping");
  } catch {
    // Already closing.
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
