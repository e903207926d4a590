// @ts-check
/**
 * Dead letters: every job, on any topic, that ran out of retries or was refused for good,
 * with its reason; organisers retry them (an email goes out again, an index row is rebuilt,
 * a task carries on).
 */
import { api, asApiError } from "./api.js";
import { showBidi } from "./bidi.js";
import { el } from "./dom.js";
import { me } from "./profile.js";
import { statusPanel } from "./status-panel.js";
import { say } from "./status.js";
import { plural } from "./text.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").DeadLetter} DeadLetter */

/** What each topic's jobs are, in words. @type {Record<string, string>} */
export const TOPIC_LABELS = {
  email: "Email",
  index: "Judges' index row",
  task: "Task step",
  registry: "Registry entry",
  prize_claim: "First-come claim",
  prize_release: "Prize release",
  prize_update: "Prize update to an entrant",
  audit: "Audit entry",
  reindex: "Index rebuild of one entrant",
  retention: "Erasure by the retention sweep",
  flush: "Re-sending one entrant's work",
  eligibility: "Disqualification news to an entrant",
  address_peers: "Shared-address news to a winner",
  address_release: "Giving back an address claim",
};

/** @param {string} topic */
export function topicLabel(topic) {
  return Object.hasOwn(TOPIC_LABELS, topic) ? TOPIC_LABELS[topic] ?? topic : topic;
}

/** @param {DeadLetter} letter */
function letterRow(letter) {
  const open = letter.status === "open";
  const label = topicLabel(String(letter.topic));
  const row = el("tr", { "data-testid": "dead-letter-row", "data-status": open ? "open" : "retried" },
    el("td", {}, label, el("span", { class: "sub" }, String(letter.key ?? ""))),
    el("td", { class: "error-cell" }, String(letter.reason ?? "")),
    el("td", {}, el("span", { class: `badge ${open ? "dead" : "sent"}` }, open ? "Open" : "Retried"),
      el("span", { class: "sub" }, plural(Number(letter.attempts) || 0, "attempt"))),
    el("td", {}, when(letter.updated_at)),
  );
  if (me.role === "organiser") {
    const cell = el("td", {});
    if (open) {
      const retry = el("button", { type: "button", class: "secondary small", "aria-label": showBidi(`Retry the ${label} ${letter.key}`), "data-testid": "retry-dead-letter" }, "Retry");
      retry.addEventListener("click", () => retryLetter(letter, label, retry));
      cell.append(retry);
    }
    row.append(cell);
  }
  return row;
}

/**
 * @param {DeadLetter} letter
 * @param {string} label
 * @param {HTMLButtonElement} button
 */
async function retryLetter(letter, label, button) {
  button.disabled = true;
  try {
    await api(`/admin/api/dead-letters/${encodeURIComponent(String(letter.id))}/retry`, { method: "POST", body: {} });
    say(`The ${label.toLowerCase()} is on its way again. Refresh to see how it went.`, "good");
    button.replaceWith(el("span", { class: "hint" }, "Retried"));
  } catch (error) {
    const failure = asApiError(error);
    button.disabled = false;
    say(`Could not retry it: ${failure.message}`, "bad");
  }
}

/** Wires the dead letters' panel; it loads when first opened. */
export function startDeadLetters() {
  statusPanel({
    name: "dead",
    rows: "#dead-rows",
    path: "/admin/api/dead-letters",
    key: "deadLetters",
    noun: { one: "dead letter", many: "dead letters" },
    what: "the dead letters",
    row: letterRow,
  });
}
