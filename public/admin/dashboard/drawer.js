// @ts-check
/** The entry drawer: a modal dialog with the open entry's sections. */
import { asApiError } from "./api.js";
import { $, el, setText } from "./dom.js";
import { renderHistory, renderScores, renderSummary } from "./entry-view.js";
import { renderEligibility } from "./eligibility.js";
import { renderChecks } from "./checks.js";
import { renderErase } from "./erasure.js";
import { fetchEntry, isOpen, opened, sections, setCurrent } from "./open-entry.js";
import { renderSkip } from "./next-entry.js";
import { renderNotes } from "./notes.js";
import { renderAward } from "./prize.js";
import { me, profileLoaded } from "./profile.js";
import { loadReview, renderReview } from "./review.js";
import { renderScoreForm } from "./scoring.js";
import { renderShipping } from "./shipping.js";
import { renderSharedAddress } from "./shared-address.js";
import { fullName } from "./text.js";

/**
 * Wires the dialog and returns how to open and close it.
 * @param {{ focusRow: (id: string) => boolean }} list  where focus goes back when it closes
 */
export function startDrawer(list) {
  const drawer = /** @type {HTMLDialogElement} */ ($("#drawer"));
  const drawerTitle = $("#drawer-title");
  const drawerBody = $("#drawer-body");
  /** @type {string | null} */
  let returnFocusTo = null;
  let ticket = 0;

  $("#drawer-close").addEventListener("click", () => drawer.close());
  // A click on the backdrop lands on the dialog itself; the panel's content fills it.
  drawer.addEventListener("click", (event) => {
    if (event.target === drawer) drawer.close();
  });
  drawer.addEventListener("close", () => {
    setCurrent(null);
    drawerBody.replaceChildren();
    const id = returnFocusTo;
    returnFocusTo = null;
    if (id) list.focusRow(id);
  });

  function renderDrawer() {
    const { entry } = opened().detail;
    if (entry.status === "erased") {
      drawerTitle.textContent = "Erased entrant";
      drawerBody.replaceChildren(el("section", { class: "card", "data-testid": "drawer-summary" },
        el("p", {}, "This entrant was erased: nothing of theirs is kept.")));
      return;
    }
    setText(drawerTitle, entry.title ?? `${fullName(entry) || "Entrant"} (no submission yet)`);
    sections.summary = el("section", { class: "card", "aria-labelledby": "drawer-summary-heading", "data-testid": "drawer-summary" });
    sections.checks = el("section", { class: "card", "aria-labelledby": "drawer-checks-heading", "data-testid": "checks-section" });
    sections.scores = el("section", { class: "card", "aria-labelledby": "drawer-scores-heading", "data-testid": "scores" });
    sections.scoreForm = el("section", { class: "card", "aria-labelledby": "drawer-form-heading" });
    sections.award = el("section", { class: "card", "aria-labelledby": "drawer-award-heading", "data-testid": "award-section" });
    sections.shipping = el("section", { class: "card", "aria-labelledby": "drawer-shipping-heading", "data-testid": "shipping-section" });
    sections.history = el("section", { class: "card", "aria-labelledby": "drawer-history-heading", "data-testid": "history" });
    sections.erase = el("section", { class: "card", "aria-labelledby": "drawer-erase-heading", "data-testid": "erase-section" });
    sections.review = el("section", { class: "card", "aria-labelledby": "drawer-review-heading", "data-testid": "review-section" }, el("p", { class: "hint" }, "Loading the review…"));
    sections.eligibility = el("section", { class: "card", "aria-labelledby": "drawer-eligibility-heading", "data-testid": "eligibility-section" });
    sections.sharedAddress = el("section", { class: "card", "aria-labelledby": "drawer-shared-address-heading", "data-testid": "shared-address-section", hidden: true });
    sections.skip = el("section", { class: "card", "aria-labelledby": "drawer-skip-heading", "data-testid": "skip-section" });
    sections.notes = el("section", { class: "card", "aria-labelledby": "drawer-notes-heading", "data-testid": "notes-section" });
    const parts = [sections.summary, sections.checks, sections.review, sections.scores, sections.scoreForm, sections.skip];
    if (me.role === "organiser") parts.push(sections.award, sections.notes, sections.eligibility, sections.sharedAddress);
    parts.push(sections.shipping, sections.history);
    if (me.role === "organiser") parts.push(sections.erase);
    drawerBody.replaceChildren(...parts);
    renderSummary();
    renderChecks();
    renderScores();
    renderScoreForm();
    renderSkip();
    renderAward();
    void renderNotes();
    renderShipping();
    renderHistory();
    renderErase();
    void refreshReview();
  }

  /** Loads the open entry's review state and draws the sections made from it. */
  async function refreshReview() {
    if (!(await loadReview())) return;
    renderReview();
    renderEligibility();
    renderSharedAddress();
  }


  return {
    /**
     * Opens entry `id`; when the drawer closes, focus goes back to its row.
     * @param {string} id
     */
    async open(id) {
      returnFocusTo = id;
      const mine = ++ticket;
      drawerTitle.textContent = "Loading the entry…";
      drawerBody.replaceChildren(el("p", { class: "hint" }, "Loading…"));
      if (!drawer.open) drawer.showModal();
      drawerTitle.focus();
      try {
        await profileLoaded();
        const detail = await fetchEntry(id);
        if (mine !== ticket || !drawer.open) return;
        setCurrent({ id, detail });
        renderDrawer();
        drawerTitle.focus();
      } catch (error) {
        if (mine !== ticket) return;
        drawerTitle.textContent = "Could not open the entry";
        drawerBody.replaceChildren(el("p", { class: "notice bad", role: "alert" }, asApiError(error).message));
      }
    },

    /**
     * Closes the drawer if entry `id` is the one open; focus stays where the caller puts it.
     * @param {string} id
     */
    closeWithoutFocus(id) {
      returnFocusTo = null;
      if (isOpen(id)) drawer.close();
    },

    /**
     * Draws entry `id`'s review sections again, if it is the one open.
     * @param {string} id
     */
    async refreshReview(id) {
      if (isOpen(id)) await refreshReview();
    },
  };
}
