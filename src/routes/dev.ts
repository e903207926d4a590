import { DAY_MS, type Config } from "../config";
import { renderEmail } from "../email/templates";
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { escapeHtml } from "../html";
import { json, wantsJson } from "../http/negotiate";
import { EMAIL_PREVIEW_HEADERS } from "../pages/content-security";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import type { EmailJob, EmailTemplate } from "../schemas/email-job";
import type { AppRequest } from "./context";

interface CapturedEmail {
  key: string;
  recipient: string;
  subject: string;
  text: string;
  /** The email's custom headers, as JSON (List-Unsubscribe on announcements). */
  headers: string;
  captured_at: number;
}

/**
 * GET /dev/mailbox — what the capture provider caught, newest first. Exists only in
 * development: under any other configuration it is a plain 404.
 */
export async function mailbox(request: AppRequest, env: Env): Promise<Response> {
  requireDevelopment(request);
  // ?to= keeps one recipient's emails (as typed, compared without case).
  const to = typeof request.query.to === "string" ? request.query.to.trim().toLowerCase() : "";
  const { results } = await env.DB.prepare(
    "SELECT key, recipient, subject, text, headers, captured_at FROM dev_mailbox WHERE ?1 = '' OR lower(recipient) = ?1 ORDER BY captured_at DESC, key DESC LIMIT 100",
  )
    .bind(to)
    .all<CapturedEmail>();
  const emails = results.map((email) => ({
    key: email.key,
    to: email.recipient,
    subject: email.subject,
    text: email.text,
    // The footer names the contest's address; only the links that lead somewhere count.
    links: (email.text.match(/https?:\/\/\S*[^\s.,;:!?)]/g) ?? []).filter((link) => link !== request.config.publicUrl),
    headers: JSON.parse(email.headers) as Record<string, string>,
    capturedAt: new Date(email.captured_at).toISOString(),
  }));
  if (wantsJson(request)) return json({ emails });
  return renderPage(request, request.config, PAGES.mailbox, {
    title: "Development mailbox",
    fields: { to },
    show: { empty: emails.length === 0, filtered: to !== "" },
    html: { messages: emails.map(emailCard).join("\n") },
  });
}

function emailCard(email: { to: string; subject: string; text: string; links: string[]; headers: Record<string, string>; capturedAt: string }): string {
  const links = email.links.map((link) => `<li><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></li>`).join("");
  const headers = Object.entries(email.headers).map(([name, value]) => `<li><code>${escapeHtml(name)}: ${escapeHtml(value)}</code></li>`).join("");
  return `<article class="card wrap">
<h2>${escapeHtml(email.subject)}</h2>
<p class="hint">To <a href="/dev/mailbox?to=${encodeURIComponent(email.to)}">${escapeHtml(email.to)}</a> · <time datetime="${escapeHtml(email.capturedAt)}">${escapeHtml(email.capturedAt)}</time></p>
<ul>${links}</ul>
${headers ? `<details><summary>Headers</summary><ul>${headers}</ul></details>` : ""}
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
      tshirtSize: "M",
    },
    shipped: {
      template: "shipped",
      key: "preview-shipped",
      to: entrant.to,
      firstname: entrant.firstname,
      trackingUrl: "https://tracking.example.com/parcels/1Z999AA10123456784",
    },
    disqualified: { template: "disqualified", key: "preview-disqualified", to: entrant.to, firstname: entrant.firstname },
    prize_revoked: { template: "prize_revoked", key: "preview-prize-revoked", to: entrant.to, firstname: entrant.firstname, reason: "The project's repository was private, so the judges could not check the requirements." },
    waitlist_promoted: { template: "waitlist_promoted", key: "preview-waitlist-promoted", ...entrant, slot: 7, holdExpiresAt },
    announcement: {
      template: "announcement",
      key: "preview-announcement",
      to: entrant.to,
      firstname: entrant.firstname,
      subject: "One week left to submit",
      body: "Submissions close **in a week**. If you have not submitted yet, [open your link](https://example.com/link) and tell us what you built.\n\n- Workers plus one more product\n- a live demo and the code",
      unsubscribeUrl: `${config.publicUrl}/unsubscribe?id=${"0".repeat(64)}&sig=sample`,
    },
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
  const headers = EMAIL_PREVIEW_HEADERS;
  return part === "text"
    ? new Response(email.text, { headers: { ...headers, "content-type": "text/plain; charset=utf-8" } })
    : new Response(email.html, { headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}
