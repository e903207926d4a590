// @ts-check
/** The judge's own score of the open entry: one number per criterion and a comment. */
import { api, asApiError } from "./api.js";
import { el } from "./dom.js";
import { renderScores, renderSummary } from "./entry-view.js";
import { afterChange, isOpen, opened, reloadEntry, sections } from "./open-entry.js";
import { me } from "./profile.js";
import { say } from "./status.js";
import { percent } from "./text.js";

export function renderScoreForm() {
  const { entry, myScore } = opened().detail;
  if (!sections.scoreForm) return;
  const heading = el("h3", { id: "drawer-form-heading" }, myScore ? "Your score (change it)" : "Your score");
  if (entry.submission_version == null) {
    sections.scoreForm.replaceChildren(heading, el("p", { class: "hint" }, "There is nothing to score until the entrant submits."));
    return;
  }
  const rubric = me.rubric || [];
  const formError = el("p", { class: "error", id: "score-form-error", role: "alert" });
  const grid = el("div", { class: "criteria" });
  for (const c of rubric) {
    const inputId = `score-${c.id}`;
    const errorId = `score-error-${c.id}`;
    const input = el("input", {
      type: "number", id: inputId, name: c.id, min: 0, max: Number(c.max), step: 1, inputmode: "numeric",
      "aria-describedby": errorId, "data-testid": "score-input", "data-criterion": c.id,
    });
    const mine = myScore?.criteria?.[c.id];
    if (typeof mine === "number") input.value = String(mine);
    grid.append(
      el("label", { for: inputId }, c.label, " ", el("span", { class: "hint" }, `0–${Number(c.max)}, weight ${Number(c.weight)}`)),
      input,
      el("p", { class: "error", id: errorId, "data-error-for": `criteria.${c.id}` }),
    );
  }
  const comment = el("textarea", { id: "score-comment", name: "comment", maxlength: 5000, "aria-describedby": "score-error-comment", "data-testid": "score-comment" });
  comment.value = myScore?.comment ?? "";
  const save = el("button", { type: "submit", "data-testid": "save-score" }, myScore ? "Update score" : "Save score");
  const scoreForm = el("form", { novalidate: true, "aria-labelledby": "drawer-form-heading" },
    grid,
    el("label", { for: "score-comment" }, "Comment ", el("span", { class: "hint" }, "optional; other judges see it")),
    comment,
    el("p", { class: "error", id: "score-error-comment", "data-error-for": "comment" }),
    formError,
    save,
  );
  scoreForm.addEventListener("submit", (event) => {
    event.preventDefault();
    saveScore(scoreForm, comment, save, formError);
  });
  sections.scoreForm.replaceChildren(heading, scoreForm);
}

/**
 * @param {HTMLFormElement} scoreForm
 * @param {HTMLTextAreaElement} comment
 * @param {HTMLButtonElement} button
 * @param {HTMLElement} formError
 */
async function saveScore(scoreForm, comment, button, formError) {
  const { id } = opened();
  /** @type {Record<string, number | null>} */
  const criteria = {};
  for (const input of scoreForm.querySelectorAll("input[data-criterion]")) {
    if (!(input instanceof HTMLInputElement)) continue;
    // Blank is sent as null, so the server names the criterion that needs a score.
    criteria[input.dataset.criterion ?? ""] = input.value.trim() === "" ? null : Number(input.value);
  }
  const errorSlots = /** @type {HTMLElement[]} */ ([...scoreForm.querySelectorAll("[data-error-for]")]);
  for (const node of errorSlots) node.textContent = "";
  for (const node of scoreForm.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  formError.textContent = "";
  button.disabled = true;
  try {
    /** @type {{ weighted: number }} */
    const saved = await api(`/admin/api/entries/${encodeURIComponent(id)}/score`, {
      method: "PUT",
      body: { criteria, comment: comment.value },
    });
    say(`Score saved: ${percent(saved.weighted)}.`, "good");
    button.textContent = "Update score";
    if (isOpen(id)) {
      await reloadEntry();
      renderScores();
      renderSummary();
    }
    afterChange.list();
    afterChange.reviewed(id);
  } catch (error) {
    const failure = asApiError(error);
    if (failure.status === 422) {
      /** @type {HTMLElement | null} */
      let first = null;
      for (const [field, message] of Object.entries(failure.fields)) {
        const slot = errorSlots.find((node) => node.dataset.errorFor === field);
        if (!slot) {
          formError.textContent = `${formError.textContent} ${message}`.trim();
          continue;
        }
        slot.textContent = message;
        const control = slot.previousElementSibling;
        if (control instanceof HTMLElement && control.matches("input, textarea")) {
          control.setAttribute("aria-invalid", "true");
          first ??= control;
        }
      }
      if (!formError.textContent) formError.textContent = "Please correct the scores marked above.";
      say(failure.message, "bad");
      (first || button).focus();
    } else {
      formError.textContent = failure.message;
      say(failure.message, "bad");
    }
  } finally {
    button.disabled = false;
  }
}
