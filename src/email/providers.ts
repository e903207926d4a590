import type { Config } from "../config";
import type { Env } from "../env";

export interface OutgoingEmail {
  key: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Custom headers every provider must carry (List-Unsubscribe on announcements). */
  headers: Record<string, string>;
}

/**
 * What became of one email, classified by the provider's documented codes (never by the
 * wording of a message):
 * - `sent`: the provider took it.
 * - `refused`: this email can never be sent as it is (a bad or suppressed address).
 * - `retry`: try again later, not before `retryAfterS` (the provider's Retry-After). With
 *   `pause`, the provider refused the whole stream (a rate limit, a quota, a sender it does
 *   not accept yet): every consumer waits, not only this batch. `unknown` says the email
 *   may have gone out (a timeout, a 5xx after the request was sent): only a provider that
 *   honours the idempotency key can be asked again without risk of a second copy.
 */
export type Delivery =
  | { outcome: "sent" }
  | { outcome: "refused"; reason: string }
  | { outcome: "retry"; reason: string; retryAfterS?: number; pause?: boolean; unknown?: boolean };

export interface EmailProvider {
  readonly name: Config["emailProvider"];
  /**
   * Hands one batch's emails to the provider and never rejects: result `i` is what became
   * of `emails[i]`. `idempotencyKey` names this exact request; sending it again with the
   * same emails asks a provider that keeps such keys for its first answer.
   */
  sendAll(emails: readonly OutgoingEmail[], idempotencyKey: string): Promise<Delivery[]>;
}

/** The provider the configuration names. */
export function emailProvider(config: Config, env: Env): EmailProvider {
  switch (config.emailProvider) {
    case "capture":
      return captureProvider(env.DB);
    case "cloudflare":
      return cloudflareProvider(env.EMAIL);
    case "resend":
      return resendProvider(config.resendApiKey ?? null);
  }
}

const retry = (reason: string, more: Omit<Extract<Delivery, { outcome: "retry" }>, "outcome" | "reason"> = {}): Delivery => ({
  outcome: "retry",
  reason,
  ...more,
});

/** Development: keeps each email in D1 for /dev/mailbox instead of sending it; a key is kept once. */
function captureProvider(db: D1Database): EmailProvider {
  return {
    name: "capture",
    async sendAll(emails) {
      const insert = db.prepare(
        `INSERT INTO dev_mailbox (key, recipient, subject, text, html, headers, captured_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
      );
      const now = Date.now();
      try {
        await db.batch(emails.map((email) => insert.bind(email.key, email.to, email.subject, email.text, email.html, JSON.stringify(email.headers), now)));
        return emails.map(() => ({ outcome: "sent" }));
      } catch (error) {
        return emails.map(() => retry(`capture: ${messageOf(error)}`));
      }
    },
  };
}

/**
 * Cloudflare Email Sending's error codes (the `code` of what `send()` throws), by what
 * another attempt can do about them. Codes not listed, and errors without a code, are
 * retried: the binding may have failed after the message left.
 */
const CLOUDFLARE_CODES: Record<string, (reason: string) => Delivery> = {
  // The account's sending rate or daily quota (new accounts start small): the stream waits.
  E_RATE_LIMIT_EXCEEDED: (reason) => retry(reason, { pause: true, retryAfterS: 60 }),
  E_DAILY_LIMIT_EXCEEDED: (reason) => retry(reason, { pause: true, retryAfterS: 3_600 }),
  E_INTERNAL_SERVER_ERROR: (reason) => retry(reason, { unknown: true }),
  // The sending domain is not set up yet: every email waits while the operator fixes it.
  E_SENDER_NOT_VERIFIED: (reason) => retry(reason, { pause: true, retryAfterS: 300 }),
  E_SENDER_DOMAIN_NOT_AVAILABLE: (reason) => retry(reason, { pause: true, retryAfterS: 300 }),
  // About this email or its recipient: no later attempt can change them.
  E_RECIPIENT_SUPPRESSED: (reason) => ({ outcome: "refused", reason }),
  E_RECIPIENT_NOT_ALLOWED: (reason) => ({ outcome: "refused", reason }),
  E_VALIDATION_ERROR: (reason) => ({ outcome: "refused", reason }),
  E_FIELD_MISSING: (reason) => ({ outcome: "refused", reason }),
  E_TOO_MANY_RECIPIENTS: (reason) => ({ outcome: "refused", reason }),
  E_CONTENT_TOO_LARGE: (reason) => ({ outcome: "refused", reason }),
  E_DELIVERY_FAILED: (reason) => ({ outcome: "refused", reason }),
  E_HEADER_NOT_ALLOWED: (reason) => ({ outcome: "refused", reason }),
  E_HEADER_USE_API_FIELD: (reason) => ({ outcome: "refused", reason }),
  E_HEADER_VALUE_INVALID: (reason) => ({ outcome: "refused", reason }),
  E_HEADER_VALUE_TOO_LONG: (reason) => ({ outcome: "refused", reason }),
  E_HEADER_NAME_INVALID: (reason) => ({ outcome: "refused", reason }),
  E_HEADERS_TOO_LARGE: (reason) => ({ outcome: "refused", reason }),
  E_HEADERS_TOO_MANY: (reason) => ({ outcome: "refused", reason }),
};

/**
 * Cloudflare Email Sending through the `send_email` binding named EMAIL: one email per
 * call, all of a batch side by side. The binding takes no idempotency key, so an email
 * whose outcome is unknown is sent again (at least once, never silently dropped).
 */
export function cloudflareProvider(binding: SendEmail | undefined): EmailProvider {
  return {
    name: "cloudflare",
    sendAll(emails) {
      if (!binding) return Promise.resolve(emails.map(() => retry("the EMAIL send_email binding is missing", { pause: true, retryAfterS: 300 })));
      return Promise.all(
        emails.map(async (email): Promise<Delivery> => {
          try {
            await binding.send({ from: parseMailbox(email.from), to: email.to, subject: email.subject, text: email.text, html: email.html, headers: email.headers });
            return { outcome: "sent" };
          } catch (error) {
            const code = (error as { code?: unknown } | null)?.code;
            const reason = `cloudflare${typeof code === "string" ? ` ${code}` : ""}: ${messageOf(error)}`;
            const classify = typeof code === "string" && Object.hasOwn(CLOUDFLARE_CODES, code) ? CLOUDFLARE_CODES[code]! : null;
            return classify ? classify(reason) : retry(reason, { unknown: true });
          }
        }),
      );
    },
  };
}

/** "Name <address>" or a bare address, as the binding wants it. */
function parseMailbox(value: string): string | { email: string; name: string } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  return match ? { name: match[1]!, email: match[2]! } : value.trim();
}

const RESEND_BATCH_ENDPOINT = "https://api.resend.com/emails/batch";
const RESEND_TIMEOUT_MS = 10_000;

/**
 * Resend's error names (https://resend.com/docs/api-reference/errors) that another attempt
 * can fix, and how. Any other 4xx is about the request and final; any 5xx is retried as an
 * unknown outcome.
 */
const RESEND_RETRIES: Record<string, Omit<Extract<Delivery, { outcome: "retry" }>, "outcome" | "reason">> = {
  rate_limit_exceeded: { pause: true },
  // Quotas reset with the day or the month: the stream waits, an hour at a time at least.
  daily_quota_exceeded: { pause: true, retryAfterS: 3_600 },
  monthly_quota_exceeded: { pause: true, retryAfterS: 6 * 3_600 },
  // This very request (same key) is still being processed: ask again shortly for its answer.
  concurrent_idempotent_requests: { retryAfterS: 5 },
  // The sender (EMAIL_FROM) is being fixed by the operator: every email waits meanwhile.
  invalid_from_address: { pause: true, retryAfterS: 300 },
};

/**
 * Resend's HTTP API, a whole batch in one request (POST /emails/batch): Resend limits a
 * team to a few requests a second, so one email per request would be rate limited on
 * launch day. Permissive validation, so an email Resend refuses fails alone. The request
 * carries the batch's idempotency key: Resend keeps keys for 24 hours and answers a repeat
 * of the same request with its first answer instead of sending the emails again.
 */
export function resendProvider(apiKey: string | null, timeoutMs = RESEND_TIMEOUT_MS): EmailProvider {
  return {
    name: "resend",
    async sendAll(emails, idempotencyKey) {
      const all = (delivery: Delivery) => emails.map(() => delivery);
      // Configuration validation requires the key; this only guards a bug in that path.
      if (!apiKey) return all(retry("RESEND_API_KEY is not set", { pause: true, retryAfterS: 300 }));
      let response: Response;
      try {
        response = await fetch(RESEND_BATCH_ENDPOINT, {
          method: "POST",
          headers: {
            authorization: `Bearer ${apiKey}`,
            "content-type": "application/json",
            "idempotency-key": idempotencyKey,
            // Resend refuses requests without a User-Agent, and fetch in Workers sends none.
            "user-agent": "Swagbox",
            "x-batch-validation": "permissive",
          },
          body: JSON.stringify(emails.map((email) => ({ from: email.from, to: [email.to], subject: email.subject, html: email.html, text: email.text, headers: email.headers }))),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // The timeout rejects with the signal's reason, a DOMException named TimeoutError.
        const timedOut = (error as { name?: unknown } | null)?.name === "TimeoutError";
        return all(retry(`resend: ${timedOut ? `no answer within ${timeoutMs / 1000} s` : messageOf(error)}`, { unknown: true }));
      }
      if (response.ok) {
        const refused = await refusedInBatch(response);
        return emails.map((_, i): Delivery => {
          const message = refused.get(i);
          return message === undefined ? { outcome: "sent" } : { outcome: "refused", reason: `resend refused it: ${message}` };
        });
      }
      const { name, message } = await resendError(response);
      const reason = `resend ${response.status}${name ? ` ${name}` : ""}: ${message}`;
      const retryAfterS = parseRetryAfter(response.headers.get("retry-after"));
      const known = name !== null && Object.hasOwn(RESEND_RETRIES, name) ? RESEND_RETRIES[name]! : null;
      if (known) return all(retry(reason, { ...known, retryAfterS: Math.max(retryAfterS ?? 0, known.retryAfterS ?? 0) || undefined }));
      // A 429 under a name not listed yet is still a rate limit; 401 and 403 are about the
      // key or the sending domain (validation_error at 403: not verified yet), which the
      // operator fixes while every email waits.
      if (response.status === 429) return all(retry(reason, { pause: true, retryAfterS }));
      if (response.status === 401 || response.status === 403) return all(retry(reason, { pause: true, retryAfterS: Math.max(retryAfterS ?? 0, 300) }));
      if (response.status >= 500) return all(retry(reason, { retryAfterS, unknown: true }));
      // invalid_idempotent_request lands here: Resend saw this key with another body, so
      // the first request may have been sent. Organisers decide, from Resend's own log.
      return all({ outcome: "refused", reason });
    },
  };
}

/**
 * The emails of an accepted batch that Resend refused, by index, with its reason. A body
 * that does not parse says nothing was refused: Resend accepted the request.
 */
async function refusedInBatch(response: Response): Promise<Map<number, string>> {
  const refused = new Map<number, string>();
  const body = (await response.json().catch(() => null)) as { errors?: unknown } | null;
  if (!Array.isArray(body?.errors)) return refused;
  for (const error of body.errors as { index?: unknown; message?: unknown }[]) {
    if (typeof error?.index === "number") refused.set(error.index, typeof error.message === "string" ? error.message : "no reason given");
  }
  return refused;
}

/** Resend's error body is `{statusCode, name, message}`; any other body is kept short, as text. */
async function resendError(response: Response): Promise<{ name: string | null; message: string }> {
  const body = await response.text().catch(() => "");
  try {
    const parsed = JSON.parse(body) as { name?: unknown; message?: unknown };
    if (typeof parsed.message === "string") {
      return { name: typeof parsed.name === "string" ? parsed.name : null, message: parsed.message };
    }
  } catch {
    // Not JSON: a proxy's error page, say.
  }
  return { name: null, message: body.trim().slice(0, 200) || response.statusText || "no message" };
}

/** Retry-After as whole seconds from now: delay-seconds or an HTTP date; undefined if neither. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its weekday and month; this keeps numbers like "-1" or "1.5" out.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
