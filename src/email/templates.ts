import type { Config } from "../config";
import { escapeHtml } from "../html";
import type { EmailJob } from "../schemas/email-job";

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

interface Body {
  subject: string;
  /** Paragraphs of plain text; each becomes a <p> in the HTML part. */
  paragraphs: string[];
  action: { label: string; url: string };
}

/** Renders a job into the text and HTML parts of its email. Every value is escaped in HTML. */
export function renderEmail(job: EmailJob, config: Config): RenderedEmail {
  const body = compose(job, config);
  const greeting = `Hi ${job.firstname},`;
  const footer = `You get this email because you signed up for ${config.contestName} at ${config.publicUrl}. It is a transactional message about your entry.`;
  const text = [greeting, ...body.paragraphs, `${body.action.label}: ${body.action.url}`, "—", footer].join("\n\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1d1d1f;max-width:560px;margin:auto;padding:24px">
<p>${escapeHtml(greeting)}</p>
${body.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
<p><a href="${escapeHtml(body.action.url)}" style="display:inline-block;background:#f6821f;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(body.action.label)}</a></p>
<p style="font-size:13px;color:#555">Or paste this link into your browser: ${escapeHtml(body.action.url)}</p>
<hr><p style="font-size:12px;color:#777">${escapeHtml(footer)}</p>
</body></html>`;
  return { subject: body.subject, text, html };
}

function compose(job: EmailJob, config: Config): Body {
  const submitUrl = `${config.publicUrl}/submit?code=${encodeURIComponent(job.code)}`;
  const closes = new Date(config.submission.closes).toUTCString();
  switch (job.template) {
    case "registration":
      return {
        subject: `Your ${config.contestName} submission link`,
        paragraphs: [
          `Thanks for signing up for ${config.contestName}. This link is yours alone: use it to submit your project, and to amend it until submissions close (${closes}).`,
          `Keep this email. If you lose the link, ask for a new one at ${config.publicUrl}/link with this email address.`,
        ],
        action: { label: "Submit your project", url: submitUrl },
      };
    case "link_resent":
      return {
        subject: `Your new ${config.contestName} submission link`,
        paragraphs: [
          "Someone (hopefully you) asked for your submission link again. Here is a new one; any earlier link no longer works.",
          "If you did not ask for it, you can ignore this email: your entry is unchanged.",
        ],
        action: { label: "Open your submission", url: submitUrl },
      };
    case "submission_received":
      return {
        subject:
          job.version === 1
            ? `We received your ${config.contestName} submission`
            : `Your ${config.contestName} submission was amended (version ${job.version})`,
        paragraphs: [
          job.version === 1
            ? `We received "${job.title}". Good luck!`
            : `Your submission "${job.title}" is now at version ${job.version}. Judges see the latest version.`,
          `You can amend it with the same link until submissions close (${closes}).`,
        ],
        action: { label: "Review your submission", url: submitUrl },
      };
  }
}
