// @ts-check
/** Publishing the results (organisers): the public winners page, and taking it down. */
import { api, asApiError } from "./api.js";
import { askFirst } from "./confirm.js";
import { $, el } from "./dom.js";
import { say } from "./status.js";
import { plural } from "./text.js";

/** @typedef {{ published: boolean, publishedAt: string | null, listed: number, unlisted: number, winners: number, consenting: number }} Results */

/**
 * What the results panel says.
 * @param {Results} results
 */
export function resultsText(results) {
  const agreed = `${plural(Number(results.consenting) || 0, "winner")} of ${Number(results.winners) || 0} agreed to be listed.`;
  return results.published
    ? `Published ${results.publishedAt ? new Date(results.publishedAt).toLocaleString() : ""}: ${plural(Number(results.listed) || 0, "winner")} listed on /winners. Now ${agreed} Publishing again brings the page up to date.`
    : `Not published. ${agreed} Publishing lists them on /winners, once submissions have closed.`;
}

/** Wires the results panel. */
export function startResults() {
  const state = $("#results-state");
  const publish = /** @type {HTMLButtonElement} */ ($("#results-publish"));
  const withdraw = /** @type {HTMLButtonElement} */ ($("#results-withdraw"));

  async function load() {
    try {
      /** @type {Results} */
      const results = await api("/admin/api/results");
      state.textContent = resultsText(results);
      withdraw.hidden = !results.published;
    } catch (error) {
      const failure = asApiError(error);
      if (failure.status !== 401) say(`Could not load the results: ${failure.message}`, "bad");
    }
  }

  /**
   * @param {HTMLButtonElement} trigger
   * @param {string} question
   * @param {"POST" | "DELETE"} method
   * @param {string} done
   */
  function confirmed(trigger, question, method, done) {
    const id = `results-${method.toLowerCase()}`;
    const yes = el("button", { type: "button", class: method === "DELETE" ? "danger small" : "small", "data-testid": `${id}-confirm` }, "Yes");
    const no = el("button", { type: "button", class: "secondary small" }, "Cancel");
    const box = askFirst({ id, trigger, question, yes, no });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      try {
        await api("/admin/api/results", { method, body: method === "POST" ? {} : undefined });
        say(done, "good");
        box.hidden = true;
        await load();
      } catch (error) {
        say(asApiError(error).message, "bad");
      } finally {
        yes.disabled = false;
      }
    });
    $("#results-confirm").append(box);
  }

  confirmed(publish, "Publish the winners page now, with the winners who agreed to be listed?", "POST", "The winners page is published.");
  confirmed(withdraw, "Take the winners page down?", "DELETE", "The winners page is down.");
  load();
}
