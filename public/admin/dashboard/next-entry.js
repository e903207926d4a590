// @ts-check
/**
 * Reviewing in turn: "Next entry" asks for the entry that most needs a review from this
 * judge (GET /admin/api/next) and opens it in the drawer; once it is scored or skipped the
 * next one opens by itself, until the judge closes the drawer or nothing is left. A judge
 * may skip an entry, with a reason, and is not given it again.
 */
import { api, asApiError } from "./api.js";
import { $, el } from "./dom.js";
import { afterChange, isOpen, opened, sections } from "./open-entry.js";
import { say } from "./status.js";

/** The entry "Next entry" opened, while the judge keeps going; null once they stop. */
let following = /** @type {string | null} */ (null);

/**
 * Wires the "Next entry" button.
 * @param {{ open: (id: string) => Promise<void> }} drawer
 */
export function startNextEntry(drawer) {
  const button = /** @type {HTMLButtonElement} */ ($("#next-entry"));
  // Closing the drawer is how a judge stops; opening the next entry does not close it.
  $("#drawer").addEventListener("close", () => void (following = null));

  async function openNext() {
    button.disabled = true;
    try {
      /** @type {{ entry: import("./types.js").Entry | null }} */
      const answer = await api("/admin/api/next");
      if (!answer.entry) {
        following = null;
        say("No entry needs a review from you now.", "good");
        return;
      }
      following = answer.entry.id;
      await drawer.open(answer.entry.id);
    } catch (error) {
      const failure = asApiError(error);
      if (failure.status !== 401) say(`Could not get the next entry: ${failure.message}`, "bad");
    } finally {
      button.disabled = false;
    }
  }

  button.addEventListener("click", () => void openNext());
  return {
    /**
     * After the judge scored or skipped entry `id`: the next one, if "Next entry" gave them `id`.
     * @param {string} id
     */
    async reviewed(id) {
      if (following === id && isOpen(id)) await openNext();
    },
  };
}

/** The drawer's "Skip" for an entry the judge has not scored: `next` will not give it to them again. */
export function renderSkip() {
  if (!sections.skip) return;
  const section = sections.skip;
  const { id, detail } = opened();
  section.hidden = detail.entry.submission_version == null || Boolean(detail.myScore);
  if (section.hidden) {
    section.replaceChildren();
    return;
  }
  const reason = el("input", { type: "text", id: "skip-reason", maxlength: 500, autocomplete: "off", "aria-describedby": "skip-error", "data-testid": "skip-reason" });
  const error = el("p", { class: "error", id: "skip-error", role: "alert" });
  const button = el("button", { type: "submit", class: "secondary small", "data-testid": "skip-entry" }, "Skip this entry");
  const form = el("form", { novalidate: true, "aria-labelledby": "drawer-skip-heading" },
    el("label", { for: "skip-reason" }, "Reason ", el("span", { class: "hint" }, "optional, e.g. a conflict you had not declared")),
    reason, error, el("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = "";
    try {
      await api(`/admin/api/entries/${encodeURIComponent(id)}/skip`, { method: "POST", body: { reason: reason.value } });
      say("Skipped: you will not be given this entry again.", "good");
      afterChange.reviewed(id);
    } catch (failure) {
      const problem = asApiError(failure);
      error.textContent = problem.fields.reason ?? problem.message;
      say(problem.message, "bad");
    } finally {
      button.disabled = false;
    }
  });
  section.replaceChildren(el("h3", { id: "drawer-skip-heading" }, "Not for you?"), form);
}
