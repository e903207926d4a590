// @ts-check
/** Awarding the open entry a prize, or revoking it (organisers). */
import { api, asApiError, sleep } from "./api.js";
import { askFirst } from "./confirm.js";
import { $, el } from "./dom.js";
import { prizeText, renderSummary } from "./entry-view.js";
import { afterChange, isOpen, opened, reloadEntry, sections } from "./open-entry.js";
import { me } from "./profile.js";
import { renderShipping } from "./shipping.js";
import { say } from "./status.js";
import { fullName } from "./text.js";

export function renderAward() {
  if (me.role !== "organiser" || !sections.award) return;
  const { detail } = opened();
  const { entry, prize } = detail;
  const heading = el("h3", { id: "drawer-award-heading" }, "Prize");
  const state = el("p", { "data-testid": "prize-state" }, prizeText(detail));
  if (entry.submission_version == null) {
    sections.award.replaceChildren(heading, state, el("p", { class: "hint" }, "Only an entry with a submission can win."));
    return;
  }
  const awarded = prize?.status === "awarded";
  const action = awarded ? "revoke" : "award";
  const trigger = el("button", { type: "button", class: awarded ? "secondary" : "", "data-testid": `${action}-button` },
    awarded ? "Revoke the prize…" : "Award a prize…");
  const who = fullName(entry) || entry.email || "this entrant";
  const left = Number($("[data-testid=prizes-left]").textContent);
  const question = awarded
    ? `Revoke prize #${Number(prize?.slot)} from ${who}? The prize goes back to the pool.`
    : `Award a prize to ${who}${entry.title ? ` for “${entry.title}”` : ""}?${Number.isFinite(left) ? ` ${left} left before this one.` : ""}`;
  const yes = el("button", { type: "button", class: awarded ? "danger small" : "small", "data-testid": "confirm-action" }, awarded ? "Yes, revoke it" : "Yes, award it");
  const no = el("button", { type: "button", class: "secondary small", "data-testid": "cancel-action" }, "Cancel");
  // A revoke tells the entrant, with the reason given here, unless the box is unticked.
  const reason = el("textarea", { id: "revoke-reason", maxlength: "500", "data-testid": "revoke-reason" });
  const notify = el("input", { type: "checkbox", id: "revoke-notify", checked: true, "data-testid": "revoke-notify" });
  yes.addEventListener("click", () => changePrize(action, yes, no, awarded ? { reason: reason.value, notify: notify.checked } : undefined));
  const confirm = askFirst({ id: "confirm", trigger, question, yes, no });
  if (awarded) {
    confirm.insertBefore(el("div", {},
      el("label", { for: "revoke-reason" }, "Reason ", el("span", { class: "hint" }, "— told to the entrant; optional")), reason,
      el("label", { class: "check" }, notify, el("span", {}, "Tell the entrant (after a short undo window)"))), confirm.lastChild);
  }
  sections.award.replaceChildren(heading, state, pendingNotice(), el("div", { class: "actions" }, trigger), confirm);
}

/** A revoke's notice still in its undo window, with the way to call it off; nothing otherwise. */
function pendingNotice() {
  const { id, detail } = opened();
  const notice = detail.revokeNotice;
  if (!notice) return "";
  const stop = el("button", { type: "button", class: "secondary small", "data-testid": "cancel-notice" }, "Don't send it");
  stop.addEventListener("click", async () => {
    stop.disabled = true;
    try {
      await api(`/admin/api/entries/${encodeURIComponent(id)}/revoke-notice`, { method: "DELETE" });
      say("The entrant will not be told.", "good");
      if (isOpen(id)) {
        await reloadEntry();
        renderAward();
      }
    } catch (error) {
      stop.disabled = false;
      say(`Could not call it off: ${asApiError(error).message}`, "bad");
    }
  });
  return el("p", { class: "notice", "data-testid": "revoke-notice" },
    `The entrant is told at ${new Date(notice.dueAt).toLocaleTimeString()}${notice.reason ? `, with the reason: ${notice.reason}` : ""}. `, stop);
}

/**
 * @param {"award" | "revoke"} action
 * @param {HTMLButtonElement} yes
 * @param {HTMLButtonElement} no
 * @param {{ reason: string, notify: boolean }} [notice]  for a revoke: what the entrant is told
 */
async function changePrize(action, yes, no, notice) {
  const { id } = opened();
  yes.disabled = no.disabled = true;
  try {
    /** @type {{ slot: number, remaining: number, already?: boolean }} */
    const result = await api(`/admin/api/entries/${encodeURIComponent(id)}/award`, { method: action === "award" ? "POST" : "DELETE", body: notice });
    if (action === "award") {
      say(result.already ? `Already awarded: prize #${result.slot}.` : `Awarded prize #${result.slot}. ${result.remaining} left.`, "good");
    } else {
      say(`Prize #${result.slot} revoked. ${result.remaining} left.`, "good");
    }
    // The entry learns of its prize a moment after the counter decides; wait for it.
    const want = action === "award" ? "awarded" : "revoked";
    for (let attempt = 0; attempt < 10 && isOpen(id); attempt++) {
      const detail = await reloadEntry();
      if (detail?.prize?.status === want && (want !== "awarded" || detail.entry.status === "winner")) break;
      await sleep(250 * (attempt + 1));
    }
  } catch (error) {
    const failure = asApiError(error);
    const expected = failure.code === "no_prizes_left" || failure.code === "not_awarded" || failure.code === "no_submission";
    say(expected ? failure.message : `Could not ${action}: ${failure.message}`, "bad");
    if (isOpen(id)) await reloadEntry().catch(() => {});
  }
  if (isOpen(id)) {
    renderSummary();
    renderAward();
    renderShipping();
    sections.award?.querySelector("button")?.focus();
  }
  afterChange.list();
  afterChange.stats();
}
