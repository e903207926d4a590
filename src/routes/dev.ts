import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { escapeHtml } from "../html";
import { json, wantsJson } from "../http/negotiate";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
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
  if (request.config.environment !== "development") throw new HttpError(404, "not_found", "There is no page here.");
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
