/**
 * HEAD is answered as GET without the body (uptime checks use it; the router only knows
 * GET). The GET made from a HEAD is marked, so that a handler whose GET changes something
 * (an audit entry, a WebSocket) leaves that out: HEAD has no side effects anywhere.
 */
const fromHead = new WeakSet<Request>();

/** Answers `request`, a HEAD, with the headers and status `answer` gives its GET twin, and no body. */
export async function answerHead(request: Request, answer: (get: Request) => Promise<Response>): Promise<Response> {
  const get = new Request(request, { method: "GET" });
  fromHead.add(get);
  const response = await answer(get);
  await response.body?.cancel();
  return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** True for the GET twin of a HEAD: the handler must not change anything. */
export function isHead(request: Request): boolean {
  return fromHead.has(request);
}
