// @ts-check
/**
 * A change that needs words from the organiser or judge (a reason, a note): a labelled text
 * box, a button that asks first (askFirst), and the call; the server's message for the
 * field shows under the box when it refuses.
 */
import { asApiError } from "./api.js";
import { askFirst } from "./confirm.js";
import { el } from "./dom.js";
import { say } from "./status.js";

/**
 * @typedef {object} ReasonedAction
 * @property {string} id  unique in the page: the box's id and the confirmation's
 * @property {string} label  the box's label
 * @property {string} hint  what the words are for, shown with the label
 * @property {string} field  the body field the server names in a 422
 * @property {number} maxlength
 * @property {string} trigger  the button's text
 * @property {() => string} question  the confirmation's question, asked when the button is pressed
 * @property {string} yes  the confirming button's text
 * @property {boolean} [danger]  a change that takes something away (red confirmation)
 * @property {string} testid  prefix of the test ids: -reason, -button, -confirm, -cancel
 * @property {(text: string) => Promise<void>} send  makes the change; rejects with the API's error
 */

/**
 * The box, the button and its confirmation, wired to `send`.
 * @param {ReasonedAction} spec
 * @returns {HTMLElement}
 */
export function reasonedAction(spec) {
  const boxId = `${spec.id}-text`;
  const errorId = `${spec.id}-error`;
  const box = el("textarea", { id: boxId, rows: 2, maxlength: spec.maxlength, "aria-describedby": errorId, "data-testid": `${spec.testid}-reason` });
  const error = el("p", { class: "error", id: errorId, "data-error-for": spec.field });
  const trigger = el("button", { type: "button", class: spec.danger ? "secondary danger-text" : "secondary", "data-testid": `${spec.testid}-button` }, spec.trigger);
  const yes = el("button", { type: "button", class: spec.danger ? "danger small" : "small", "data-testid": `${spec.testid}-confirm` }, spec.yes);
  const no = el("button", { type: "button", class: "secondary small", "data-testid": `${spec.testid}-cancel` }, "Cancel");
  const confirmation = askFirst({ id: `${spec.id}-confirm`, trigger, question: spec.question(), yes, no });
  // The question names what the box says now, so it is written when the button is pressed.
  trigger.addEventListener("click", () => {
    const text = confirmation.querySelector("p");
    if (text) text.textContent = spec.question();
  });
  yes.addEventListener("click", async () => {
    error.textContent = "";
    box.removeAttribute("aria-invalid");
    yes.disabled = no.disabled = true;
    try {
      await spec.send(box.value.trim());
    } catch (thrown) {
      const failure = asApiError(thrown);
      const message = failure.fields[spec.field] ?? failure.message;
      if (failure.status === 422) {
        error.textContent = message;
        box.setAttribute("aria-invalid", "true");
      }
      say(message, "bad");
      confirmation.hidden = true;
      trigger.setAttribute("aria-expanded", "false");
      (failure.status === 422 ? box : trigger).focus();
    } finally {
      yes.disabled = no.disabled = false;
    }
  });
  return el("div", { class: "reasoned" },
    el("label", { for: boxId }, spec.label, " ", el("span", { class: "hint" }, spec.hint)),
    box,
    error,
    el("div", { class: "actions" }, trigger),
    confirmation);
}
