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
  /**
   * Hands every email to the provider and never rejects: result `i` is what became of
   * `emails[i]`, null when the provider accepted it.
   */
  sendAll(emails: OutgoingEmail[]): Promise<(EmailDeliveryError | null)[]>;
}

/** A provider without a batch API: each email is sent alone, all of them side by side. */
function oneByOne(send: (email: OutgoingEmail) => Promise<void>): EmailProvider["sendAll"] {
  return (emails) => Promise.all(emails.map((email) => send(email).then(() => null, asDeliveryError)));
}

function asDeliveryError(error: unknown): EmailDeliveryError {
  return error instanceof EmailDeliveryError ? error : new EmailDeliveryError(error instanceof Error ? error.message : String(error), false);
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
    sendAll: oneByOne(async (email) => {
      await db
        .prepare(
          `INSERT INTO dev_mailbox (key, recipient, subject, text, html, captured_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
        )
        .bind(email.key, email.to, email.subject, email.text, email.html, Date.now())
        .run();
    }),
  };
}

/** Refusals that another attempt cannot fix: the address or the sender is not acceptable. */
const PERMANENT_REASON = /invalid|not allowed|not verified|unverified|rejected/i;

/** Cloudflare Email Sending through the `send_email` binding named EMAIL. */
function cloudflareProvider(binding: SendEmail | undefined): EmailProvider {
  return {
    name: "cloudflare",
    sendAll: oneByOne(async (email) => {
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
    }),
  };
}

/** "Name <address>" or a bare address, as the binding wants it. */
function parseMailbox(value: string): string | { email: string; name: string } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  return match ? { name: match[1]!, email: match[2]! } : value.trim();
}

const RESEND_BATCH_ENDPOINT = "https://api.resend.com/emails/batch";
/** Resend takes at most 100 emails in one batch request. */
const RESEND_BATCH_SIZE = 100;
const RESEND_TIMEOUT_MS = 10_000;

/**
 * Resend's HTTP API, a whole queue batch in one request (POST /emails/batch): Resend limits
 * a team to a few requests a second, so one email per request would be rate limited on
 * launch day. Permissive validation, so an email Resend refuses fails alone. The emails are
 * sent in key order under an Idempotency-Key made of their keys, so a retried batch is not
 * sent twice by Resend either (it keeps keys for 24 hours).
 * 2xx is sent; 401, 403, 408, 429, 5xx, no answer within the timeout and network errors are
 * temporary; any other 4xx is permanent.
 */
export function resendProvider(apiKey: string | null, timeoutMs = RESEND_TIMEOUT_MS): EmailProvider {
  return {
    name: "resend",
    async sendAll(emails) {
      const results = new Map<OutgoingEmail, EmailDeliveryError | null>();
      const ordered = emails.toSorted((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const chunks = Array.from({ length: Math.ceil(ordered.length / RESEND_BATCH_SIZE) }, (_, i) =>
        ordered.slice(i * RESEND_BATCH_SIZE, (i + 1) * RESEND_BATCH_SIZE),
      );
      await Promise.all(
        chunks.map(async (chunk) => {
          const outcomes = await resendBatch(chunk, apiKey, timeoutMs);
          chunk.forEach((email, i) => results.set(email, outcomes[i]!));
        }),
      );
      return emails.map((email) => results.get(email)!);
    },
  };
}

async function resendBatch(emails: OutgoingEmail[], apiKey: string | null, timeoutMs: number): Promise<(EmailDeliveryError | null)[]> {
  const all = (error: EmailDeliveryError) => emails.map(() => error);
  // Configuration validation requires the key; this only guards a bug in that path.
  if (!apiKey) return all(new EmailDeliveryError("RESEND_API_KEY is not set", false));
  let response: Response;
  try {
    response = await fetch(RESEND_BATCH_ENDPOINT, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        "idempotency-key": await batchKey(emails),
        // Resend refuses requests without a User-Agent, and fetch in Workers sends none.
        "user-agent": "Swagbox",
        "x-batch-validation": "permissive",
      },
      body: JSON.stringify(
        emails.map((email) => ({ from: email.from, to: [email.to], subject: email.subject, html: email.html, text: email.text })),
      ),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // The timeout rejects with the signal's reason, a DOMException named TimeoutError.
    const timedOut = (error as { name?: unknown } | null)?.name === "TimeoutError";
    const reason = timedOut ? `no answer within ${timeoutMs / 1000} s` : error instanceof Error ? error.message : String(error);
    return all(new EmailDeliveryError(`resend: ${reason}`, false));
  }
  if (response.ok) {
    const refused = await refusedInBatch(response);
    return emails.map((_, i) => {
      const message = refused.get(i);
      return message === undefined ? null : new EmailDeliveryError(`resend refused it: ${message}`, true);
    });
  }
  const { name, message } = await resendError(response);
  // Another attempt can fix a rate limit, an outage, the same key still in flight
  // elsewhere (one batch delivered twice at once), or a key the operator is rotating
  // (401/403: every email would fail until then, so they wait rather than fail); any
  // other refusal is about the request and final.
  const temporary =
    [401, 403, 408, 429].includes(response.status) || response.status >= 500 || name === "concurrent_idempotent_requests";
  return all(
    new EmailDeliveryError(
      `resend ${response.status}${name ? ` ${name}` : ""}: ${message}`,
      !temporary,
      temporary ? parseRetryAfter(response.headers.get("retry-after")) : undefined,
    ),
  );
}

/** "batch/" and the SHA-256 of the emails' keys: the same emails always make the same key. */
async function batchKey(emails: OutgoingEmail[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(emails.map((email) => email.key).join("\n")));
  return `batch/${[...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
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
