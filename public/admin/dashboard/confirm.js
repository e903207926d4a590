// @ts-check
/** Asking before a change that matters (an award, a revocation, an erasure), in the page. */
import { el } from "./dom.js";

/**
 * Makes `trigger` open a confirmation: `question`, then `yes` (which does the change) or
 * `no` (which closes it and gives focus back to the trigger). Returns the confirmation,
 * hidden, to place after the trigger.
 * @param {{ id: string, trigger: HTMLButtonElement, question: string, yes: HTMLButtonElement, no: HTMLButtonElement }} parts
 * @returns {HTMLElement}
 */
export function askFirst({ id, trigger, question, yes, no }) {
  const box = el("div", { class: "confirm", id, role: "group", "aria-labelledby": `${id}-text`, hidden: true },
    el("p", { id: `${id}-text` }, question),
    el("div", { class: "actions" }, yes, no));
  trigger.setAttribute("aria-expanded", "false");
  trigger.setAttribute("aria-controls", id);
  trigger.addEventListener("click", () => {
    box.hidden = false;
    trigger.setAttribute("aria-expanded", "true");
    yes.focus();
  });
  no.addEventListener("click", () => {
    box.hidden = true;
    trigger.setAttribute("aria-expanded", "false");
    trigger.focus();
  });
  return box;
}
