// @ts-check
/** Resizing the prize pool (organisers), after a confirmation that says what changes. */
import { api, asApiError } from "./api.js";
import { askFirst } from "./confirm.js";
import { $, el } from "./dom.js";
import { say } from "./status.js";

/**
 * Wires the pool's size field and its confirmation.
 * @param {{ changed: () => void }} hooks  what else refreshes after a resize (the statistics)
 */
export function startPool({ changed }) {
  const size = /** @type {HTMLInputElement} */ ($("#pool-size"));
  const trigger = /** @type {HTMLButtonElement} */ ($("#pool-resize"));
  const total = $("[data-testid=prizes-total]");
  const yes = el("button", { type: "button", class: "small", "data-testid": "pool-confirm" }, "Yes, resize it");
  const no = el("button", { type: "button", class: "secondary small" }, "Cancel");
  const box = askFirst({ id: "pool-question", trigger, question: "", yes, no });
  $("#pool-confirm").append(box);
  // The question names both sizes, so it is written when the confirmation opens.
  trigger.addEventListener("click", () => {
    const wanted = Number(size.value);
    $("#pool-question-text").textContent = Number.isInteger(wanted) && wanted >= 0
      ? `Change the pool from ${total.textContent} to ${wanted} prizes? Pages show the new count within seconds.`
      : "Give the pool a whole number of prizes first.";
    yes.disabled = !(Number.isInteger(wanted) && wanted >= 0) || size.value === "";
  });
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    try {
      /** @type {{ total: number, remaining: number }} */
      const result = await api("/admin/api/pool", { method: "PUT", body: { total: Number(size.value) } });
      say(`The pool has ${result.total} prizes now; ${result.remaining} left.`, "good");
      box.hidden = true;
      changed();
    } catch (error) {
      say(`Could not resize the pool: ${asApiError(error).message}`, "bad");
    } finally {
      yes.disabled = false;
    }
  });
  // The field starts at the pool's size, once the live count has it.
  new MutationObserver(() => {
    if (size.value === "" && /^\d+$/.test(total.textContent ?? "")) size.value = total.textContent ?? "";
  }).observe(total, { childList: true, characterData: true, subtree: true });
}
