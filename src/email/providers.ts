import type { Config } from "../config";
import type { Env } from "../env";

export interface OutgoingEmail {
  key: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * A delivery failure. Permanent ones (a bad address) are recorded and not retried; a
 * temporary one may say when to try again (the provider's Retry-After, in seconds).
 */
export class EmailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "EmailDeliveryError";
  }
}

export interface EmailProvider {
  readonly name: Config["emailProvider"];
  send(email: OutgoingEmail): Promise<void>;
}

/** The provider the configuration names. */
export function emailProvider(config: Config, env: Env): EmailProvider {
  switch (config.emailProvider) {
    case "capture":
      return captureProvider(env.DB);
    case "cloudflare":
      return cloudflareProvider(env.EMAIL);
    case "resend":
      return resendProvider(config.resendApiKey);
  }
}

/** Development: keeps each email in D1 for /dev/mailbox instead of sending it. */
function captureProvider(db: D1Database): EmailProvider {
  return {
    name: "capture",
    async send(email) {
      await db
        .prepare(
          `INSERT INTO dev_mailbox (key, recipient, subject, text, html, captured_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
        )
        .bind(email.key, email.to, email.subject, email.text, email.html, Date.now())
        .run();
    },
  };
}

/** Refusals that another attempt cannot fix: the address or the sender is not acceptable. */
const PERMANENT_REASON = /invalid|not allowed|not verified|unverified|rejected/i;

/** Cloudflare Email Sending through the `send_email` binding named EMAIL. */
function cloudflareProvider(binding: SendEmail | undefined): EmailProvider {
  return {
    name: "cloudflare",
    async send(email) {
      if (!binding) throw new EmailDeliveryError("the EMAIL send_email binding is missing", false);
      try {
        await binding.send({
          from: parseMailbox(email.from),
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new EmailDeliveryError(reason, PERMANENT_REASON.test(reason));
      }
    },
  };
}

/** "Name <address>" or a bare address, as the binding wants it. */
function parseMailbox(value: string): string | { email: string; name: string } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  return match ? { name: match[1]!, email: match[2]! } : value.trim();
}

const RESEND_ENDPOINT = "https://api.resend.com/emails";
const RESEND_TIMEOUT_MS = 10_000;

/**
 * Resend's HTTP API. The job key is the Idempotency-Key, so a retry after a lost answer is
 * not sent twice by Resend either (it keeps keys for 24 hours). 2xx is sent; 401, 403, 408,
 * 429, 5xx, no answer within the timeout and network errors are temporary; any other 4xx is
 * permanent.
 */
export function resendProvider(apiKey: string | null, timeoutMs = RESEND_TIMEOUT_MS): EmailProvider {
  return {
    name: "resend",
    async send(email) {
      // Configuration validation requires the key; this only guards a bug in that path.
      if (!apiKey) throw new EmailDeliveryError("RESEND_API_KEY is not set", false);
      let response: Response;
      try {
        response = await fetch(RESEND_ENDPOINT, {
          method: "POST",
          headers: {
            authorization: `Bearer ${apiKey}`,
            "content-type": "application/json",
            "idempotency-key": email.key,
          },
          body: JSON.stringify({ from: email.from, to: [email.to], subject: email.subject, html: email.html, text: email.text }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // The timeout rejects with the signal's reason, a DOMException named TimeoutError.
        const timedOut = (error as { name?: unknown } | null)?.name === "TimeoutError";
        const reason = timedOut ? `no answer within ${timeoutMs / 1000} s` : error instanceof Error ? error.message : String(error);
        throw new EmailDeliveryError(`resend: ${reason}`, false);
      }
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      const { name, message } = await resendError(response);
      // Another attempt can fix a rate limit, an outage, the same key still in flight
      // elsewhere (one job delivered twice at once), or a key the operator is rotating
      // (401/403: every email would fail until then, so they wait rather than fail); any
      // other refusal is about this email and final.
      const temporary =
        [401, 403, 408, 429].includes(response.status) || response.status >= 500 || name === "concurrent_idempotent_requests";
      throw new EmailDeliveryError(
        `resend ${response.status}${name ? ` ${name}` : ""}: ${message}`,
        !temporary,
        temporary ? parseRetryAfter(response.headers.get("retry-after")) : undefined,
      );
    },
  };
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
