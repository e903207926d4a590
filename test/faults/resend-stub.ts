import { vi } from "vitest";

/**
 * A stand-in for Resend's batch endpoint inside the test runtime (outbound fetch is
 * replaced, so nothing leaves the machine), with Resend's idempotency semantics: a repeat
 * of a request under the same key and body gets the first answer and sends nothing; the
 * same key with another body is refused (409 invalid_idempotent_request).
 * Modes make it fail the way real providers fail.
 */
export type Mode =
  | { kind: "ok" }
  /** A share of requests fail with 500 before anything is sent (a seeded draw). */
  | { kind: "fail"; share: number }
  /** 429 rate_limit_exceeded with Retry-After, until `until`. */
  | { kind: "throttle"; until: number; retryAfterS: number }
  /** The emails are sent, but the answer never comes: the request times out (until `until`). */
  | { kind: "accept-then-timeout"; until: number }
  /** Nothing is sent and the request times out (until `until`). */
  | { kind: "blackhole"; until: number }
  /** Every answer takes `delayMs`. */
  | { kind: "slow"; delayMs: number };

export interface Delivered {
  to: string;
  subject: string;
  text: string;
  /** The custom headers the request gave the email (List-Unsubscribe…). */
  headers: Record<string, string>;
}

export interface ResendStub {
  mode: Mode;
  /** Every email Resend would have sent, in order (a resent copy counts again). */
  readonly delivered: Delivered[];
  /** Requests received, whatever became of them. */
  readonly requests: number;
  /** How many emails went to `to` with a subject matching `subject`. */
  count(to: string, subject?: RegExp): number;
}

const BATCH_ENDPOINT = "https://api.resend.com/emails/batch";

/** Installs the stub as the runtime's fetch; `vi.restoreAllMocks()` removes it. */
export function installResendStub(seed = 1): ResendStub {
  let random = seed;
  // A small deterministic generator (LCG), so a run's failures are the same every time.
  const draw = () => {
    random = (random * 1_103_515_245 + 12_345) % 2 ** 31;
    return random / 2 ** 31;
  };
  const answers = new Map<string, { body: string; response: { status: number; json: unknown } }>();
  const stub: ResendStub = {
    mode: { kind: "ok" },
    delivered: [],
    requests: 0,
    count(to, subject) {
      return stub.delivered.filter((email) => email.to === to && (!subject || subject.test(email.subject))).length;
    },
  };
  const respond = (status: number, json: unknown, headers: Record<string, string> = {}) => Response.json(json, { status, headers });
  const timeout = () => Promise.reject(new DOMException("The operation was aborted due to timeout", "TimeoutError"));

  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== BATCH_ENDPOINT) throw new Error(`tests never reach the network (${url})`);
    (stub as { requests: number }).requests++;
    const key = new Headers(init?.headers).get("idempotency-key") ?? crypto.randomUUID();
    const body = String(init?.body);
    const mode = stub.mode;
    const live = (until: number) => Date.now() < until;
    if (mode.kind === "slow") await new Promise((resolve) => setTimeout(resolve, mode.delayMs));
    const known = answers.get(key);
    if (known) {
      if (known.body !== body) return respond(409, { statusCode: 409, name: "invalid_idempotent_request", message: "Same idempotency key used with a different request payload." });
      return respond(known.response.status, known.response.json);
    }
    if (mode.kind === "throttle" && live(mode.until)) {
      return respond(429, { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests." }, { "retry-after": String(mode.retryAfterS) });
    }
    if (mode.kind === "blackhole" && live(mode.until)) return timeout();
    if (mode.kind === "fail" && draw() < mode.share) {
      return respond(500, { statusCode: 500, name: "internal_server_error", message: "An unexpected error occurred." });
    }
    const emails = JSON.parse(body) as { to: string[]; subject: string; text: string; headers?: Record<string, string> }[];
    for (const email of emails) stub.delivered.push({ to: email.to[0]!, subject: email.subject, text: email.text, headers: email.headers ?? {} });
    const response = { status: 200, json: { data: emails.map(() => ({ id: crypto.randomUUID() })) } };
    answers.set(key, { body, response });
    // Resend finished the request, but its answer came after the client gave up.
    if (mode.kind === "accept-then-timeout" && live(mode.until)) return timeout();
    return respond(response.status, response.json);
  });
  return stub;
}
