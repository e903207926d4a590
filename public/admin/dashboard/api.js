// @ts-check
/** The judges' API: same origin, the session cookie, JSON both ways. */

/** A refusal from the API, with what it said: status, code, message and field messages. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {unknown} body  the answer's JSON, if it had any
   */
  constructor(status, body) {
    const answer = body && typeof body === "object" ? /** @type {Record<string, unknown>} */ (body) : {};
    super((typeof answer.message === "string" && answer.message) || `The server answered ${status}.`);
    this.status = status;
    /** @type {unknown} */
    this.code = answer.error;
    /** @type {Record<string, string>} */
    this.fields = answer.fields && typeof answer.fields === "object" ? /** @type {Record<string, string>} */ (answer.fields) : {};
  }
}

/**
 * Calls the API and resolves with its JSON; rejects with an ApiError for any refusal. A 401
 * means the session ended: the browser goes to the sign-in page.
 * @template [T=any]
 * @param {string} path
 * @param {{ method?: string, body?: unknown, signal?: AbortSignal }} [options]
 * @returns {Promise<T>}
 */
export async function api(path, { method = "GET", body, signal } = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  if (method !== "GET") headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    signal,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (response.status === 401) {
    location.assign("/admin/login");
    throw new ApiError(401, data);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/**
 * What went wrong, whatever was thrown: an ApiError as it is, anything else (the network
 * failed) as one with no status and its message.
 * @param {unknown} error
 * @returns {ApiError}
 */
export function asApiError(error) {
  if (error instanceof ApiError) return error;
  return new ApiError(0, { message: error instanceof Error ? error.message : String(error) });
}

/**
 * True for a call given up because a newer one replaced it.
 * @param {unknown} error
 */
export function isAbort(error) {
  return error instanceof Error && error.name === "AbortError";
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
