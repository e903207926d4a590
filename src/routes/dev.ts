import { DAY_MS, type Config } from "../config";
import { renderEmail } from "../email/templates";
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { escapeHtml } from "../html";
import { json, wantsJson } from "../http/negotiate";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import type { EmailJob, EmailTemplate } from "../schemas/email-job";
import type { AppRequest } from "./context";

interface CapturedEmail {
  key: string;
  recipient: string;
  subject: string;
  text: string;
  captured_at: number;
}

/**
 * GET /dev/mailbox — what the capture provider caught, newest first. Exists only in
 * development: under any other configuration it is a plain 404.
 */
export async function mailbox(request: AppRequest, env: Env): Promise<Response> {
  requireDevelopment(request);
  const { results } = await env.DB.prepare(
    "SELECT key, recipient, subject, text, captured_at FROM dev_mailbox ORDER BY captured_at DESC, key DESC LIMIT 100",
  ).all<CapturedEmail>();
  const emails = results.map((email) => ({
    key: email.key,
    to: email.recipient,
    subject: email.subject,
    text: email.text,
    // The footer names the contest's address; only the links that lead somewhere count.
    links: (email.text.match(/https?:\/\/\S*[^\s.,;:!?)]/g) ?? []).filter((link) => link !== request.config.publicUrl),
    capturedAt: new Date(email.captured_at).toISOString(),
  }));
  if (wantsJson(request)) return json({ emails });
  return renderPage(request, request.config, PAGES.mailbox, {
    title: "Development mailbox",
    show: { empty: emails.length === 0 },
    html: { messages: emails.map(emailCard).join("\n") },
  });
}

function emailCard(email: { to: string; subject: string; text: string; links: string[]; capturedAt: string }): string {
  const links = email.links.map((link) => `<li><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></li>`).join("");
  return `<article class="card">
<h2>${escapeHtml(email.subject)}</h2>
<p class="hint">To ${escapeHtml(email.to)} · <time datetime="${escapeHtml(email.capturedAt)}">${escapeHtml(email.capturedAt)}</time></p>
<ul>${links}</ul>
<details><summary>Text</summary><pre>${escapeHtml(email.text)}</pre></details>
</article>`;
}

/** Development pages are a plain 404 under any other configuration, as if they did not exist. */
function requireDevelopment(request: AppRequest): void {
  if (request.config.environment !== "development") throw new HttpError(404, "not_found", "There is no page here.");
}

type SampleJobs = { [T in EmailTemplate]: Extract<EmailJob, { template: T }> };

/** One job per template, with made-up values; the type makes a new template need a sample. */
function sampleJobs(config: Config, now = Date.now()): SampleJobs {
  const entrant = { to: "ada@example.com", firstname: "Ada", code: `${"0".repeat(64)}.sample-code` };
  const holdExpiresAt = now + config.holdDays * DAY_MS;
  return {
    registration: { template: "registration", key: "preview-registration", ...entrant },
    link_resent: { template: "link_resent", key: "preview-link-resent", ...entrant },
    submission_received: { template: "submission_received", key: "preview-submission", ...entrant, version: 1, title: "Edge Chess" },
    prize_won: { template: "prize_won", key: "preview-prize-won", ...entrant, slot: 42, holdExpiresAt },
    shipping_reminder: { template: "shipping_reminder", key: "preview-shipping-reminder", ...entrant, holdExpiresAt },
    hold_expired: { template: "hold_expired", key: "preview-hold-expired", to: entrant.to, firstname: entrant.firstname },
    shipping_confirmed: {
      template: "shipping_confirmed",
      key: "preview-shipping-confirmed",
      to: entrant.to,
      firstname: entrant.firstname,
      summary: "Ada Lovelace, 12 St James's Square, London SW1Y 4JH, United Kingdom",
    },
    shipped: {
      template: "shipped",
      key: "preview-shipped",
      to: entrant.to,
      firstname: entrant.firstname,
      trackingUrl: "https://tracking.example.com/parcels/1Z999AA10123456784",
    },
    disqualified: { template: "disqualified", key: "preview-disqualified", to: entrant.to, firstname: entrant.firstname },
  };
}

/** GET /dev/emails — every email template with its subject, linked to its previews. Development only. */
export function emailPreviews(request: AppRequest): Response {
  requireDevelopment(request);
  const templates = Object.values(sampleJobs(request.config)).map((job) => ({
    template: job.template,
    subject: renderEmail(job, request.config).subject,
    html: `/dev/emails/${job.template}`,
    text: `/dev/emails/${job.template}?part=text`,
  }));
  if (wantsJson(request)) return json({ templates });
  const items = templates.map(
    (t) =>
      `<li><a href="${escapeHtml(t.html)}"><code>${escapeHtml(t.template)}</code></a> (<a href="${escapeHtml(t.text)}">text</a>): ${escapeHtml(t.subject)}</li>`,
  );
  return renderPage(request, request.config, PAGES.emails, { title: "Email previews", html: { templates: items.join("\n") } });
}

/**
 * GET /dev/emails/:template — the template rendered with sample values: the HTML part as the
 * document, or with `?part=text` the text part as text/plain. Development only.
 */
export function emailPreview(request: AppRequest): Response {
  requireDevelopment(request);
  const samples = sampleJobs(request.config);
  const template = request.params.template ?? "";
  if (!Object.hasOwn(samples, template)) throw new HttpError(404, "not_found", "There is no email template of that name.");
  const part = request.query.part ?? "html";
  if (part !== "html" && part !== "text") throw new HttpError(400, "malformed", "part is html or text.");
  const email = renderEmail(samples[template as EmailTemplate], request.config);
  const headers = {
    "cache-control": "no-store",
    // The email's own markup is served as it is; nothing in it may run or load. Its inline
    // styles are what mail clients need, so they are allowed here and on no other page.
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
  };
  return part === "text"
    ? new Response(email.text, { headers: { ...headers, "content-type": "text/plain; charset=utf-8" } })
    : new Response(email.html, { headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}
