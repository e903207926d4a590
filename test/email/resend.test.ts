import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { parseRetryAfter, resendProvider } from "../../src/email/providers";
import { attempt, deliver, job, logRow, plan } from "./helpers";

const RESEND = { ENVIRONMENT: "production", EMAIL_PROVIDER: "resend", RESEND_API_KEY: "re_test_key" };

let fetchSpy: MockInstance<typeof fetch>;

beforeEach(() => {
  // Every test says what Resend answers; anything it did not script fails instead of going out.
  fetchSpy = vi.spyOn(globalThis, "fetch").mockRejectedValue(new Error("tests never reach the network"));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await env.DB.prepare("DELETE FROM provider_pause").run();
});

function answer(status: number, body: unknown = {}, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

function resendError(status: number, name: string, message: string, headers: Record<string, string> = {}): Response {
  return answer(status, { statusCode: status, name, message }, headers);
}

function idempotencyKeys(): (string | null)[] {
  return fetchSpy.mock.calls.map(([, init]) => new Headers(init?.headers).get("idempotency-key"));
}

describe("the Resend provider", () => {
  it("posts a batch as JSON with the API key, a User-Agent and the batch's Idempotency-Key", async () => {
    fetchSpy.mockResolvedValue(answer(200, { data: [{ id: "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794" }] }));
    const shaped = job("resend-shape-1", { firstname: "Ada" });
    const { sends, result } = await deliver([shaped], RESEND);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0]!;
    expect(url).toBe("https://api.resend.com/emails/batch");
    expect(init?.method).toBe("POST");
    expect(init?.signal).toBeInstanceOf(AbortSignal);
    const headers = new Headers(init?.headers);
    expect(headers.get("authorization")).toBe("Bearer re_test_key");
    expect(headers.get("idempotency-key")).toMatch(new RegExp(`^swagbox/${sends[0]!.batch}/[0-9a-f]{16}$`));
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
        headers: {},
      },
    ]);
    expect(await logRow(shaped.key)).toMatchObject({ status: "sent", attempts: 1, provider: "resend" });
  });

  it("sends a whole batch in one request and fails alone an email Resend refuses in it", async () => {
    const jobs = Array.from({ length: 100 }, (_, i) => job(`resend-many-${String(i).padStart(3, "0")}`, { to: `entrant${i}@example.com` }));
    // Resend answers with the index of each email it refused: here the second.
    fetchSpy.mockResolvedValue(answer(200, { data: jobs.slice(2).map((j) => ({ id: j.key })), errors: [{ index: 1, message: "Invalid `to` field." }] }));
    const { result } = await deliver(jobs, RESEND);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const sentTo = (JSON.parse(fetchSpy.mock.calls[0]![1]?.body as string) as { to: string[] }[]).map((email) => email.to[0]);
    expect(sentTo).toEqual(jobs.map((j) => j.to));
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await logRow(jobs[1]!.key)).toMatchObject({ status: "failed", last_error: "resend refused it: Invalid `to` field." });
    for (const j of [jobs[0]!, jobs[2]!, jobs[99]!]) expect(await logRow(j.key)).toMatchObject({ status: "sent", provider: "resend" });
  });

  it("applies an answer about the whole request to every email in it: a 422 fails them all, a 429 retries them all", async () => {
    fetchSpy.mockResolvedValueOnce(resendError(422, "validation_error", "Invalid `subject` field."));
    const refusedJobs = ["resend-all-1", "resend-all-2", "resend-all-3"].map((occasion) => job(occasion));
    const refused = await deliver(refusedJobs, RESEND);
    expect(refused.result.explicitAcks).toEqual(["m0"]);
    for (const j of refusedJobs) {
      expect(await logRow(j.key)).toMatchObject({ status: "failed", last_error: "resend 422 validation_error: Invalid `subject` field." });
    }
    fetchSpy.mockResolvedValueOnce(resendError(429, "rate_limit_exceeded", "Too many requests.", { "retry-after": "30" }));
    const limitedJobs = ["resend-all-4", "resend-all-5"].map((occasion) => job(occasion));
    const limited = await deliver(limitedJobs, RESEND);
    expect(limited.result.explicitAcks).toEqual([]);
    expect(limited.result.retryDelays[0]).toBeGreaterThanOrEqual(30);
    for (const j of limitedJobs) expect(await logRow(j.key)).toMatchObject({ status: "retrying" });
    expect(fetchSpy).toHaveBeenCalledTimes(2);
  });

  it("asks again with the same Idempotency-Key after 500s, a timeout or an unrecorded success, and the email is sent once", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const once = job("resend-same-key");
    const { sends } = await plan([once], RESEND);
    fetchSpy
      .mockResolvedValueOnce(resendError(500, "internal_server_error", "An unexpected error occurred."))
      .mockRejectedValueOnce(new DOMException("The operation was aborted due to timeout", "TimeoutError"))
      .mockResolvedValueOnce(answer(200, { data: [{ id: "sent-id" }] }));
    expect((await attempt(sends, RESEND, 1)).retryMessages).toHaveLength(1);
    expect(await logRow(once.key)).toMatchObject({ status: "retrying", last_error: "resend 500 internal_server_error: An unexpected error occurred." });
    expect((await attempt(sends, RESEND, 2)).retryMessages).toHaveLength(1);
    expect(await logRow(once.key)).toMatchObject({ status: "retrying", last_error: "resend: no answer within 10 s" });
    expect((await attempt(sends, RESEND, 3)).explicitAcks).toEqual(["m0"]);
    expect(new Set(idempotencyKeys()).size).toBe(1);
    expect(await logRow(once.key)).toMatchObject({ status: "sent", attempts: 3, last_error: null });
  });

  it("sends the Idempotency-Key it is given, so a repeat of a request asks Resend for its first answer", async () => {
    fetchSpy.mockImplementation(async () => answer(200, { data: [] }));
    const provider = resendProvider("re_test_key");
    const email = (key: string) => ({ key, from: "a@example.com", to: "b@example.com", subject: "s", text: "t", html: "<p>h</p>", headers: {} });
    await provider.sendAll([email("k1")], "swagbox/one");
    await provider.sendAll([email("k1")], "swagbox/one");
    await provider.sendAll([email("k1")], "swagbox/two");
    expect(idempotencyKeys()).toEqual(["swagbox/one", "swagbox/one", "swagbox/two"]);
  });

  it("pauses every batch after a daily-quota refusal, for an hour at least", async () => {
    fetchSpy.mockResolvedValue(resendError(429, "daily_quota_exceeded", "You have reached your daily email quota."));
    const quota = await deliver([job("resend-quota-1")], RESEND);
    expect(quota.result.retryDelays[0]).toBeGreaterThanOrEqual(3_600);
    const waiting = await deliver([job("resend-quota-2")], RESEND);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(waiting.result.retryDelays[0]).toBeGreaterThanOrEqual(3_500);
  });

  it.each([
    ["a 502 from a proxy", () => new Response("<html>Bad gateway</html>", { status: 502 })],
    ["the same key still in flight", () => resendError(409, "concurrent_idempotent_requests", "Same idempotency key used while original request is still in progress.")],
    ["a dropped connection", () => Promise.reject(new TypeError("Network connection lost."))],
    // The operator's key or sending domain: every email fails until they fix it, so wait.
    ["a missing or revoked API key", () => resendError(401, "missing_api_key", "Missing API key in the authorization header.")],
    ["an unverified sending domain", () => resendError(403, "validation_error", "The swagbox.example.com domain is not verified.")],
    ["a sender Resend does not accept yet", () => resendError(422, "invalid_from_address", "Invalid `from` field.")],
    ["no answer in time", () => Promise.reject(new DOMException("The operation was aborted due to timeout", "TimeoutError"))],
  ] as const)("treats %s as temporary", async (name, respond) => {
    fetchSpy.mockImplementation(async () => respond());
    const temporary = job(`resend-temporary-${name.replace(/\W+/g, "-")}`);
    const { result } = await deliver([temporary], RESEND);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(1);
    expect(await logRow(temporary.key)).toMatchObject({ status: "retrying", provider: "resend" });
  });

  it.each([
    // Resend saw this key with another body: the first may have gone out; organisers decide.
    [409, "invalid_idempotent_request", "Same idempotency key used with a different request payload."],
    [400, "validation_error", "Invalid `to` field."],
    [451, "security_error", "The request was blocked."],
  ] as const)("treats a %i %s as final", async (status, name, message) => {
    fetchSpy.mockResolvedValue(resendError(status, name, message));
    const final = job(`resend-final-${status}-${name}`);
    const { result } = await deliver([final], RESEND);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await logRow(final.key)).toMatchObject({ status: "failed", last_error: `resend ${status} ${name}: ${message}` });
  });

  it("gives up on a request that gets no answer within its timeout, as an unknown outcome", async () => {
    // A server that never answers: only the request's own signal can end the wait.
    fetchSpy.mockImplementation(
      (_input, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
    );
    const provider = resendProvider("re_test_key", 50);
    const email = { key: "timeout-1", from: "a@example.com", to: "b@example.com", subject: "s", text: "t", html: "<p>h</p>", headers: {} };
    expect(await provider.sendAll([email], "swagbox/timeout")).toEqual([{ outcome: "retry", reason: "resend: no answer within 0.05 s", unknown: true }]);
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
