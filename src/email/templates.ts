import type { Config } from "../config";
import { escapeHtml } from "../html";
import { renderMarkdown } from "../markdown";
import type { EmailJob } from "../schemas/email-job";
import { whereShipped } from "../schemas/shipping";

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** Headers beyond the provider's own: List-Unsubscribe on announcements, none on the rest. */
  headers: Record<string, string>;
}

/** What one template says; the layout (greeting, button, footer) is the same for all. */
interface Body {
  subject: string;
  /** Paragraphs of plain text; each becomes a <p> in the HTML part. */
  paragraphs: string[];
  /** An organiser's Markdown after the paragraphs: as written in the text part, rendered (safely) in HTML. */
  markdown?: string;
  /** The one thing to do next: a button in HTML, a labelled link in text. */
  action?: { label: string; url: string };
  /** Not about the entrant's own entry (an announcement): the footer offers this unsubscribe link. */
  unsubscribeUrl?: string;
}

/**
 * Renders a job into the text and HTML parts of its email, in the contest's name and brand
 * colour. Every value is escaped in the HTML part; links are built only from the public
 * URL and an encoded code, or are an http(s) URL.
 */
export function renderEmail(job: EmailJob, config: Config): RenderedEmail {
  const body = compose(job, config);
  const firstname = job.firstname.trim();
  const greeting = firstname ? `Hi ${firstname},` : "Hi,";
  const signedUp = `You get this email because you signed up for ${config.contestName} at ${config.publicUrl}.`;
  // Transactional: sent because of the entrant's own entry, so there is nothing to unsubscribe from.
  const footer = body.unsubscribeUrl
    ? `${signedUp} It is an announcement to entrants; emails about your own entry come whatever you choose. Stop the announcements: ${body.unsubscribeUrl}`
    : `${signedUp} It is a transactional message about your entry.`;
  return {
    subject: body.subject,
    text: textPart(greeting, body, footer),
    html: htmlPart(greeting, body, footer, config),
    // One-click unsubscribe (RFC 8058): mail clients POST "List-Unsubscribe=One-Click" to the link.
    headers: body.unsubscribeUrl ? { "List-Unsubscribe": `<${body.unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : {},
  };
}

function textPart(greeting: string, body: Body, footer: string): string {
  const action = body.action ? [`${body.action.label}: ${body.action.url}`] : [];
  return [greeting, ...body.paragraphs, ...(body.markdown ? [body.markdown] : []), ...action, "—", footer].join("\n\n");
}

const FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** Table layout and inline styles: what mail clients (Outlook, Gmail) render alike. */
function htmlPart(greeting: string, body: Body, footer: string, config: Config): string {
  const brand = escapeHtml(config.brandColor);
  const paragraph = (text: string) => `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;
  const action = body.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(body.action.url)}" style="display:inline-block;background:${brand};color:${readableOn(config.brandColor)};padding:12px 20px;border-radius:6px;font-weight:600;text-decoration:none">${escapeHtml(body.action.label)}</a></p>
<p style="margin:0;font-size:13px;color:#55555a">Or paste this link into your browser: <a href="${escapeHtml(body.action.url)}" style="color:#1d1d1f;word-break:break-all">${escapeHtml(body.action.url)}</a></p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${escapeHtml(body.subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f5">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="background:#f4f4f5">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="max-width:560px;background:#ffffff;border-top:4px solid ${brand};border-radius:6px">
<tr><td style="padding:24px 28px 0;${FONT};font-size:14px;font-weight:700;color:#1d1d1f">${escapeHtml(config.contestName)}</td></tr>
<tr><td style="padding:16px 28px 28px;${FONT};font-size:16px;line-height:1.5;color:#1d1d1f">
${[greeting, ...body.paragraphs].map(paragraph).join("\n")}
${body.markdown ? renderMarkdown(body.markdown, 2) : ""}
${action}
</td></tr>
</table>
<p style="max-width:560px;margin:16px auto 0;${FONT};font-size:12px;line-height:1.5;color:#6b6b70">${escapeHtml(footer)}</p>
${body.unsubscribeUrl ? `<p style="max-width:560px;margin:8px auto 0;${FONT};font-size:12px"><a href="${escapeHtml(body.unsubscribeUrl)}" style="color:#6b6b70">Unsubscribe from announcements</a></p>` : ""}
</td></tr>
</table>
</body>
</html>`;
}

function compose(job: EmailJob, config: Config): Body {
  const contest = config.contestName;
  const submitLink = (code: string) => `${config.publicUrl}/submit?code=${encodeURIComponent(code)}`;
  const shippingAction = (code: string) => ({
    label: "Give your shipping address",
    url: `${config.publicUrl}/shipping?code=${encodeURIComponent(code)}`,
  });
  const closes = formatUtc(config.submission.closes);
  switch (job.template) {
    case "registration":
      return {
        subject: `Your ${contest} submission link`,
        paragraphs: [
          `Thanks for signing up for ${contest}. This link is yours alone: use it to submit your project, and to amend it until submissions close (${closes}).`,
          `Keep this email. If you lose the link, ask for a new one at ${config.publicUrl}/link with this email address.`,
        ],
        action: { label: "Submit your project", url: submitLink(job.code) },
      };
    case "link_resent":
      return {
        subject: `Your new ${contest} submission link`,
        paragraphs: [
          "Someone (hopefully you) asked for your submission link again. Here is a new one. Your earlier link keeps working until you open this one.",
          "If you did not ask for it, you can ignore this email: your entry is unchanged.",
        ],
        action: { label: "Open your submission", url: submitLink(job.code) },
      };
    case "submission_received":
      return {
        subject:
          job.version === 1
            ? `We received your ${contest} submission`
            : `Your ${contest} submission was amended (version ${job.version})`,
        paragraphs: [
          job.version === 1
            ? `We received "${job.title}". Good luck!`
            : `Your submission "${job.title}" is now at version ${job.version}. Judges see the latest version.`,
          `You can amend it with the same link until submissions close (${closes}).`,
        ],
        action: { label: "Review your submission", url: submitLink(job.code) },
      };
    case "prize_won":
    case "waitlist_promoted":
      return {
        subject: job.template === "prize_won" ? `You won a ${contest} prize` : `You moved up from the ${contest} waitlist: a prize is yours`,
        paragraphs: [
          job.template === "prize_won"
            ? `Congratulations! Your entry won a ${contest} prize (prize number ${job.slot}).`
            : `Good news: a prize was given back, and you were next on the waitlist. Prize number ${job.slot} is yours now.`,
          `We hold it for you until ${formatUtc(job.holdExpiresAt)}. Tell us where to send it before then; after that the prize is released.`,
          whereShipped(config.shipsTo),
          "The link below is yours alone, so please do not forward this email.",
        ],
        action: shippingAction(job.code),
      };
    case "shipping_reminder":
      return {
        subject: `Reminder: your ${contest} prize needs a shipping address`,
        paragraphs: [
          `Your prize is still waiting for a shipping address. We hold it until ${formatUtc(job.holdExpiresAt)}; after that the prize is released.`,
        ],
        action: shippingAction(job.code),
      };
    case "hold_expired":
      return {
        subject: `Your ${contest} prize hold has ended`,
        paragraphs: [
          "We held a prize for you, but no shipping address arrived before the hold ended, so the prize has been released.",
          `Thank you for taking part in ${contest}.`,
        ],
      };
    case "shipping_confirmed":
      return {
        subject: `We have your ${contest} shipping address`,
        paragraphs: [
          `Thank you! Your prize will be sent to: ${job.summary}.`,
          ...(job.tshirtSize ? [`T-shirt size: ${job.tshirtSize}.`] : []),
          "Something wrong? Open the link in your prize email again and correct it: you can until the prize ships.",
          "We will email you again when it ships.",
        ],
      };
    case "prize_revoked":
      return {
        subject: `About your ${contest} prize`,
        paragraphs: [
          "We are sorry to tell you that the prize we awarded to your entry has been withdrawn, and your shipping link no longer works.",
          job.reason ? `The organisers' reason: ${job.reason}` : "The organisers gave no further reason.",
          `If you think this is a mistake, please get in touch with the organisers of ${contest}. Thank you for taking part.`,
        ],
      };
    case "announcement":
      return { subject: job.subject, paragraphs: [], markdown: job.body, unsubscribeUrl: job.unsubscribeUrl };
    case "shipped": {
      const tracking = httpUrl(job.trackingUrl);
      return {
        subject: `Your ${contest} prize is on its way`,
        paragraphs: [
          tracking
            ? "Your prize has shipped. You can follow the parcel with the carrier's tracking link."
            : "Your prize has shipped. The carrier gave no tracking link for this parcel.",
        ],
        ...(tracking && { action: { label: "Track your parcel", url: tracking } }),
      };
    }
    case "disqualified":
      return {
        subject: `About your ${contest} entry`,
        paragraphs: [
          `The organisers of ${contest} have reviewed your entry and found that it does not meet the contest's rules, so it has been disqualified and cannot win a prize.`,
          "If you think this is a mistake, reply to this email and tell the organisers why; they can look at it again.",
          `Thank you for your interest in ${contest}.`,
        ],
        action: { label: "Read the rules", url: `${config.publicUrl}/rules` },
      };
  }
}

const UTC_PARTS = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "Sunday 28 February 2027, 23:59 UTC": entrants live in every time zone, so the zone is named. */
export function formatUtc(instant: number): string {
  // Assembled from parts: the punctuation of a whole formatted date varies between ICU versions.
  const part = Object.fromEntries(UTC_PARTS.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${part.weekday} ${part.day} ${part.month} ${part.year}, ${part.hour}:${part.minute} UTC`;
}

/** The URL if it is http(s), else null: a tracking link never becomes a javascript: link. */
export function httpUrl(value: string | null): string | null {
  const url = value === null ? null : URL.parse(value.trim());
  return url && /^https?:$/.test(url.protocol) ? url.href : null;
}

/** Black or white text on `hex` (#rrggbb), whichever contrasts more (WCAG relative luminance). */
function readableOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const channel = parseInt(hex.slice(i, i + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with white is 1.05 / (L + 0.05), with black (L + 0.05) / 0.05; they are equal at L ≈ 0.179.
  return luminance > 0.179 ? "#000000" : "#ffffff";
}
