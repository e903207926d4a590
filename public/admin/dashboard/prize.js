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
  yes.addEventListener("click", () => changePrize(action, yes, no));
  sections.award.replaceChildren(heading, state, el("div", { class: "actions" }, trigger), askFirst({ id: "confirm", trigger, question, yes, no }));
}

/**
 * @param {"award" | "revoke"} action
 * @param {HTMLButtonElement} yes
 * @param {HTMLButtonElement} no
 */
async function changePrize(action, yes, no) {
  const { id } = opened();
  yes.disabled = no.disabled = true;
  try {
    /** @type {{ slot: number, remaining: number, already?: boolean }} */
    const result = await api(`/admin/api/entries/${encodeURIComponent(id)}/award`, { method: action === "award" ? "POST" : "DELETE" });
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
