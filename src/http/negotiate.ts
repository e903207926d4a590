/**
 * True when the client asked for JSON: its Accept header names application/json before
 * (or without) text/html. Browsers and plain form posts send text/html first.
 */
export function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  const json = accept.indexOf("application/json");
  if (json === -1) return false;
  const html = accept.indexOf("text/html");
  return html === -1 || json < html;
}

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const response = Response.json(body, { status, headers });
  response.headers.set("cache-control", "no-store");
  return response;
}
