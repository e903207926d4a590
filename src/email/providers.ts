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

/** A delivery failure. Permanent ones (a bad address) are recorded and not retried. */
export class EmailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
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
