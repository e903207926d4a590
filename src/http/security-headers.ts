/**
 * A year, for this host only: an organiser's other subdomains may still need plain http,
 * and preloading is their decision (docs/decisions.md: "A strict Content-Security-Policy").
 */
const HSTS = "max-age=31536000";

/**
 * The headers every answer carries, whatever route made it: nosniff, so no answer (JSON,
 * CSV, text) is ever run as a script or styles, and on https Strict-Transport-Security,
 * so a browser that came once over https never asks this host over plain http again. A
 * WebSocket handshake (101) passes untouched: its headers belong to the object that took it.
 */
export function withSecurityHeaders(response: Response, request: Request): Response {
  if (response.status === 101) return response;
  // Answers from a stub or the cache have immutable headers: the copy shares the body.
  const secured = new Response(response.body, response);
  secured.headers.set("x-content-type-options", "nosniff");
  if (new URL(request.url).protocol === "https:") secured.headers.set("strict-transport-security", HSTS);
  return secured;
}
