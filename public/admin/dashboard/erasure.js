// @ts-check
/** Erasing the open entrant, for a data-erasure request (organisers). */
import { api, asApiError } from "./api.js";
import { askFirst } from "./confirm.js";
import { el } from "./dom.js";
import { afterChange, opened, sections } from "./open-entry.js";
import { me } from "./profile.js";
import { say } from "./status.js";
import { fullName } from "./text.js";

export function renderErase() {
  if (me.role !== "organiser" || !sections.erase) return;
  const { entry } = opened().detail;
  const who = fullName(entry) || entry.email || "this entrant";
  const trigger = el("button", { type: "button", class: "secondary danger-text", "data-testid": "erase-button" }, "Erase entrant…");
  const yes = el("button", { type: "button", class: "danger small", "data-testid": "confirm-erase" }, "Yes, erase everything");
  const no = el("button", { type: "button", class: "secondary small", "data-testid": "cancel-erase" }, "Cancel");
  yes.addEventListener("click", () => eraseEntrant(yes, no));
  sections.erase.replaceChildren(
    el("h3", { id: "drawer-erase-heading" }, "Erase entrant"),
    el("p", { class: "hint" }, "For an entrant who asks to be forgotten. A prize not yet shipped goes back to the pool. This cannot be undone."),
    el("div", { class: "actions" }, trigger),
    askFirst({ id: "erase-confirm", trigger, question: `Erase ${who}? Their signup, submission, scores, emails and address go for good.`, yes, no }),
  );
}

/**
 * @param {HTMLButtonElement} yes
 * @param {HTMLButtonElement} no
 */
async function eraseEntrant(yes, no) {
  const { id } = opened();
  yes.disabled = no.disabled = true;
  try {
    await api(`/admin/api/entries/${encodeURIComponent(id)}`, { method: "DELETE" });
    say("The entrant is erased.", "good");
  } catch (error) {
    const failure = asApiError(error);
    if (failure.status !== 404) {
      say(`Could not erase the entrant: ${failure.message}`, "bad");
      yes.disabled = no.disabled = false;
      return;
    }
    say("That entry is gone already.", "bad");
  }
  await afterChange.erased(id);
}
