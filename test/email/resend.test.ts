import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { EmailDeliveryError, parseRetryAfter, resendProvider } from "../../src/email/providers";
import { consume, job, logRow } from "./helpers";

const RESEND = { ENVIRONMENT: "production", EMAIL_PROVIDER: "resend", RESEND_API_KEY: "re_test_key" };
const QUEUE = "swagbox-emails";

let fetchSpy: MockInstance<typeof fetch>;

beforeEach(() => {
  // Every test says what Resend answers; anything it did not script fails instead of going out.
  fetchSpy = vi.spyOn(globalThis, "fetch").mockRejectedValue(new Error("tests never reach the network"));
});

afterEach(() => {
  vi.restoreAllMocks();
});

function answer(status: number, body: unknown = {}, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

function resendError(status: number, name: string, message: string, headers: Record<string, string> = {}): Response {
  return answer(status, { statusCode: status, name, message }, headers);
}

describe("the Resend provider", () => {
  it("posts a batch as JSON with the API key, a User-Agent and a batch Idempotency-Key", async () => {
    fetchSpy.mockResolvedValue(answer(200, { data: [{ id: "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794" }] }));
    const result = await consume(QUEUE, [job("resend-shape-1", { firstname: "Ada" })], RESEND);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0]!;
    expect(url).toBe("https://api.resend.com/emails/batch");
    expect(init?.method).toBe("POST");
    expect(init?.signal).toBeInstanceOf(AbortSignal);
    const headers = new Headers(init?.headers);
    expect(headers.get("authorization")).toBe("Bearer re_test_key");
    expect(headers.get("idempotency-key")).toMatch(/^batch\/[0-9a-f]{64}$/);
    expect(headers.get("content-type")).toBe("application/json");
    expect(headers.get("user-agent")).toBe("Swagbox");
    expect(headers.get("x-batch-validation")).toBe("permissive");
    expect(JSON.parse(init?.body as string)).toEqual([
      {
        from: "Swagbox <challenge@localhost>",
        to: ["ada@example.com"],
        subject: "Your Swagbox Developer Challenge submission link",
        html: expect.stringContaining("Hi Ada,"),
        text: expect.stringContaining("Hi Ada,"),
      },
    ]);
    expect(await logRow("resend-shape-1")).toMatchObject({ status: "sent", attempts: 1, provider: "resend" });
  });

  it("sends a whole queue batch in one request, in key order, and fails alone an email Resend refuses in it", async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `resend-many-${String(i).padStart(3, "0")}`);
    // Resend answers with the index of each email it refused: here the second in key order.
    fetchSpy.mockResolvedValue(answer(200, { data: keys.slice(2).map((key) => ({ id: key })), errors: [{ index: 1, message: "Invalid `to` field." }] }));
    const result = await consume(QUEUE, keys.toReversed().map((key, i) => job(key, { to: `entrant${i}@example.com` })), RESEND);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const sentTo = (JSON.parse(fetchSpy.mock.calls[0]![1]?.body as string) as { to: string[] }[]).map((email) => email.to[0]);
    expect(sentTo).toEqual(keys.map((_, i) => `entrant${99 - i}@example.com`));
    expect(result.explicitAcks).toHaveLength(100);
    expect(result.retryMessages).toEqual([]);
    expect(await logRow("resend-many-001")).toMatchObject({ status: "failed", last_error: "resend refused it: Invalid `to` field." });
    for (const key of [keys[0]!, keys[2]!, keys[99]!]) expect(await logRow(key)).toMatchObject({ status: "sent", provider: "resend" });
  });

  it("applies an answer about the whole request to every email of the batch: a 422 fails them all, a 429 retries them all", async () => {
    fetchSpy
      .mockResolvedValueOnce(resendError(422, "invalid_from_address", "Invalid `from` field."))
      .mockResolvedValueOnce(resendError(429, "rate_limit_exceeded", "Too many requests.", { "retry-after": "30" }));
    const refused = await consume(QUEUE, ["resend-all-1", "resend-all-2", "resend-all-3"].map((key) => job(key)), RESEND);
    expect(refused.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    for (const key of ["resend-all-1", "resend-all-2", "resend-all-3"]) {
      expect(await logRow(key)).toMatchObject({ status: "failed", last_error: "resend 422 invalid_from_address: Invalid `from` field." });
    }
    const limited = await consume(QUEUE, ["resend-all-4", "resend-all-5"].map((key) => job(key)), RESEND);
    expect(limited.explicitAcks).toEqual([]);
    expect(limited.retryDelays).toEqual([30, 30]);
    expect(fetchSpy).toHaveBeenCalledTimes(2);
  });

  it("makes the same Idempotency-Key for the same emails in any order, and another for other emails", async () => {
    fetchSpy.mockImplementation(async () => answer(200, { data: [] }));
    const provider = resendProvider("re_test_key");
    const email = (key: string) => ({ key, from: "a@example.com", to: "b@example.com", subject: "s", text: "t", html: "<p>h</p>" });
    await provider.sendAll([email("k1"), email("k2")]);
    await provider.sendAll([email("k2"), email("k1")]);
    await provider.sendAll([email("k1"), email("k3")]);
    const [first, reordered, other] = fetchSpy.mock.calls.map(([, init]) => new Headers(init?.headers).get("idempotency-key"));
    expect(reordered).toBe(first);
    expect(other).not.toBe(first);
  });

  it("retries after two 500s with growing delays, then sends the email once", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    fetchSpy
      .mockResolvedValueOnce(resendError(500, "internal_server_error", "An unexpected error occurred."))
      .mockResolvedValueOnce(resendError(500, "internal_server_error", "An unexpected error occurred."))
      .mockResolvedValueOnce(answer(200, { data: [{ id: "sent-id" }] }));
    const delays: number[] = [];
    for (const attempts of [1, 2]) {
      const failed = await consume(QUEUE, [job("resend-500-1")], RESEND, attempts);
      expect(failed.explicitAcks).toEqual([]);
      delays.push(...failed.retryDelays.map(Number));
      expect(await logRow("resend-500-1")).toMatchObject({
        status: "retrying",
        attempts,
        last_error: "resend 500 internal_server_error: An unexpected error occurred.",
      });
    }
    expect(delays).toHaveLength(2);
    expect(delays[1]).toBeGreaterThan(delays[0]!);

    const sent = await consume(QUEUE, [job("resend-500-1")], RESEND, 3);
    expect(sent.explicitAcks).toEqual(["m0"]);
    expect(sent.retryMessages).toEqual([]);
    expect(fetchSpy).toHaveBeenCalledTimes(3);
    const keys = fetchSpy.mock.calls.map(([, init]) => new Headers(init?.headers).get("idempotency-key"));
    expect(new Set(keys).size).toBe(1);
    expect(await logRow("resend-500-1")).toMatchObject({ status: "sent", attempts: 3, last_error: null });
  });

  it("records a 400 as failed with Resend's message and does not retry it", async () => {
    fetchSpy.mockResolvedValue(resendError(400, "validation_error", "Invalid `to` field."));
    const result = await consume(QUEUE, [job("resend-400-1")], RESEND);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(await logRow("resend-400-1")).toMatchObject({
      status: "failed",
      provider: "resend",
      last_error: "resend 400 validation_error: Invalid `to` field.",
    });
  });

  it("retries a 429 after the seconds its Retry-After asks for", async () => {
    fetchSpy.mockResolvedValue(resendError(429, "rate_limit_exceeded", "Too many requests.", { "retry-after": "120" }));
    const result = await consume(QUEUE, [job("resend-429-1")], RESEND);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryDelays).toEqual([120]);
    expect(await logRow("resend-429-1")).toMatchObject({ status: "retrying", last_error: expect.stringContaining("rate_limit_exceeded") });
  });

  it("reads a Retry-After date, and waits at most an hour whatever it asks", async () => {
    const inNinetySeconds = new Date(Date.now() + 90_000).toUTCString();
    fetchSpy
      .mockResolvedValueOnce(resendError(429, "rate_limit_exceeded", "Slow down.", { "retry-after": inNinetySeconds }))
      .mockResolvedValueOnce(resendError(429, "daily_quota_exceeded", "Quota exceeded.", { "retry-after": "86400" }));
    const dated = await consume(QUEUE, [job("resend-429-date")], RESEND);
    expect(dated.retryDelays[0]).toBeGreaterThanOrEqual(88);
    expect(dated.retryDelays[0]).toBeLessThanOrEqual(91);
    const capped = await consume(QUEUE, [job("resend-429-cap")], RESEND);
    expect(capped.retryDelays).toEqual([3600]);
  });

  it.each([
    ["a 502 from a proxy", () => new Response("<html>Bad gateway</html>", { status: 502 })],
    ["the same key still in flight", () => resendError(409, "concurrent_idempotent_requests", "Same idempotency key used while original request is still in progress.")],
    ["a dropped connection", () => Promise.reject(new TypeError("Network connection lost."))],
    // The operator's key or sending domain: every email fails until they fix it, so wait.
    ["a missing or revoked API key", () => resendError(401, "missing_api_key", "Missing API key in the authorization header.")],
    ["an unverified sending domain", () => resendError(403, "validation_error", "The swagbox.example.com domain is not verified.")],
    ["no answer in time", () => Promise.reject(new DOMException("The operation was aborted due to timeout", "TimeoutError"))],
  ] as const)("treats %s as temporary", async (_case, respond) => {
    fetchSpy.mockImplementation(async () => respond());
    const key = `resend-temporary-${_case}`;
    const result = await consume(QUEUE, [job(key)], RESEND);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(1);
    expect(await logRow(key)).toMatchObject({ status: "retrying", provider: "resend" });
  });

  it.each([
    [409, "invalid_idempotent_request", "Same idempotency key used with a different request payload."],
    [422, "invalid_from_address", "Invalid `from` field."],
  ] as const)("treats a %i %s as permanent", async (status, name, message) => {
    fetchSpy.mockResolvedValue(resendError(status, name, message));
    const key = `resend-permanent-${status}-${name}`;
    const result = await consume(QUEUE, [job(key)], RESEND);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
    expect(await logRow(key)).toMatchObject({ status: "failed", last_error: `resend ${status} ${name}: ${message}` });
  });

  it("calls Resend once for a job delivered twice", async () => {
    fetchSpy.mockImplementation(async () => answer(200, { data: [{ id: "once" }] }));
    await consume(QUEUE, [job("resend-twice-1")], RESEND);
    const again = await consume(QUEUE, [job("resend-twice-1"), job("resend-twice-1")], RESEND);
    expect(again.explicitAcks).toEqual(["m0", "m1"]);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it("gives up on a request that gets no answer within its timeout, as a temporary failure", async () => {
    // A server that never answers: only the request's own signal can end the wait.
    fetchSpy.mockImplementation(
      (_input, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
    );
    const provider = resendProvider("re_test_key", 50);
    const email = { key: "timeout-1", from: "a@example.com", to: "b@example.com", subject: "s", text: "t", html: "<p>h</p>" };
    const [error] = await provider.sendAll([email]);
    expect(error).toBeInstanceOf(EmailDeliveryError);
    expect(error).toMatchObject({ permanent: false, message: "resend: no answer within 0.05 s" });
  });
});

describe("Retry-After", () => {
  const now = Date.UTC(2027, 0, 1, 12, 0, 0);

  it("reads delay-seconds and HTTP dates as seconds from now", () => {
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Fri, 01 Jan 2027 12:01:30 GMT", now)).toBe(90);
    expect(parseRetryAfter("Fri, 01 Jan 2027 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores what is neither", () => {
    for (const value of [null, "", "soon", "-5", "1.5"]) expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
