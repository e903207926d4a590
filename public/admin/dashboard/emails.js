// @ts-check
/** The email log: every email sent or tried, filtered by status; organisers retry failures. */
import { api, asApiError } from "./api.js";
import { showBidi } from "./bidi.js";
import { $, el } from "./dom.js";
import { me } from "./profile.js";
import { statusPanel } from "./status-panel.js";
import { say } from "./status.js";
import { plural } from "./text.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").EmailLogRow} EmailLogRow */

/** @type {Record<string, string>} */
const TEMPLATE_LABELS = {
  registration: "Sign-up link",
  link_resent: "Link sent again",
  submission_received: "Submission received",
  prize_won: "Prize won",
  shipping_reminder: "Shipping reminder",
  hold_expired: "Hold expired",
  shipping_confirmed: "Address confirmed",
  shipped: "Shipped",
  disqualified: "Disqualified",
};

/** @type {Record<string, string>} */
const EMAIL_STATUSES = { sending: "Sending", retrying: "Retrying", sent: "Sent", failed: "Failed", dead: "Dead", retried: "Sent again" };

/**
 * @param {EmailLogRow} email
 */
function emailRow(email) {
  const status = Object.hasOwn(EMAIL_STATUSES, email.status) ? email.status : "";
  const template = TEMPLATE_LABELS[email.template] || String(email.template ?? "");
  const attempts = Number(email.attempts) || 0;
  const row = el("tr", { "data-email-key": String(email.key), "data-status": status, "data-testid": "email-row" },
    el("td", {}, template, el("span", { class: "sub" }, email.provider ?? "")),
    el("td", { class: "recipient" }, email.recipient ?? ""),
    el("td", { class: "status-cell" }, el("span", { class: `badge ${status}` }, EMAIL_STATUSES[status] || String(email.status ?? "")),
      el("span", { class: "sub" }, plural(attempts, "attempt"))),
    el("td", { class: "error-cell" }, email.last_error || "—"),
    el("td", {}, when(email.updated_at)),
  );
  if (me.role === "organiser") {
    const cell = el("td", {});
    if (status === "failed" || status === "dead") {
      const retry = el("button", { type: "button", class: "secondary small", "aria-label": showBidi(`Retry the ${template} email to ${email.recipient ?? ""}`), "data-testid": "retry-email" }, "Retry");
      retry.addEventListener("click", () => retryEmail(email, template, retry));
      cell.append(retry);
    }
    row.append(cell);
  }
  return row;
}

/**
 * @param {EmailLogRow} email
 * @param {string} template
 * @param {HTMLButtonElement} button
 */
async function retryEmail(email, template, button) {
  button.disabled = true;
  try {
    /** @type {{ kind?: string }} */
    const result = await api(`/admin/api/emails/${encodeURIComponent(email.key)}/retry`, { method: "POST", body: {} });
    const fresh = result.kind === "link" || result.kind === "shipping_link" ? ", with a fresh link" : "";
    say(`The ${template} email to ${email.recipient} is queued again${fresh}. Refresh to see how it went.`, "good");
    button.replaceWith(el("span", { class: "hint" }, "Queued again"));
    $("[data-testid=emails-refresh]").focus();
  } catch (error) {
    const failure = asApiError(error);
    button.disabled = false;
    if (failure.code === "nothing_to_resend") say(failure.message, "bad");
    else if (failure.status === 404) say("That email is no longer in the log.", "bad");
    else say(`Could not retry the email: ${failure.message}`, "bad");
  }
}

/** Wires the email log's panel; it loads when first opened, not with every visit. */
export function startEmails() {
  const summary = $("summary", $("#emails-details"));
  const panel = statusPanel({
    name: "emails",
    rows: "#email-rows",
    path: "/admin/api/emails",
    key: "emails",
    noun: { one: "email", many: "emails" },
    what: "the email log",
    row: emailRow,
    onToggle: (open) => void (summary.textContent = open ? "Hide the email log" : "Show the email log"),
  });
  return {
    /** Loads the log again if it is open (an entrant's emails went with an erasure). */
    refreshIfOpen: panel.refreshIfOpen,
  };
}
