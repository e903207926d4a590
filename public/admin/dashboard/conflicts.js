// @ts-check
/**
 * Conflicts of interest: a judge declares their own (an entrant's email address, a domain,
 * an entry id) and sees them; an organiser may record one for any judge, sees everyone's
 * and removes one.
 */
import { api, asApiError } from "./api.js";
import { $, el } from "./dom.js";
import { me } from "./profile.js";
import { say } from "./status.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").Conflict} Conflict */

/** @type {Record<string, string>} */
const KIND_LABELS = { email: "Email address", domain: "Domain", entry: "Entry id" };

/** Wires the panel; returns its loader. */
export function startConflicts() {
  const form = /** @type {HTMLFormElement} */ ($("#conflict-form"));
  const rows = $("#conflict-rows");
  const count = $("#conflicts-count");
  const error = $("#conflict-error");

  async function load() {
    try {
      /** @type {{ conflicts: Conflict[] }} */
      const { conflicts } = await api("/admin/api/conflicts");
      rows.replaceChildren(...conflicts.map(conflictRow));
      count.textContent = conflicts.length ? "" : "No conflicts declared.";
    } catch (failure) {
      const problem = asApiError(failure);
      if (problem.status !== 401) say(`Could not load the conflicts: ${problem.message}`, "bad");
    }
  }

  /** @param {Conflict} conflict */
  function conflictRow(conflict) {
    const cells = [
      el("td", {}, conflict.judge),
      el("td", {}, KIND_LABELS[conflict.kind] ?? conflict.kind),
      el("td", { class: "wrap" }, conflict.value),
      el("td", { class: "wrap" }, conflict.reason || "—"),
      el("td", {}, conflict.declared_by, el("span", { class: "sub" }, when(conflict.created_at))),
    ];
    if (me.role === "organiser") {
      const remove = el("button", { type: "button", class: "secondary small", "data-testid": "remove-conflict" }, "Remove");
      remove.addEventListener("click", async () => {
        remove.disabled = true;
        try {
          await api(`/admin/api/conflicts/${Number(conflict.id)}`, { method: "DELETE" });
          say(`Conflict removed: ${conflict.judge}'s scores of those entries count again.`, "good");
        } catch (failure) {
          say(`Could not remove the conflict: ${asApiError(failure).message}`, "bad");
        }
        await load();
      });
      cells.push(el("td", {}, remove));
    }
    return el("tr", { "data-testid": "conflict-row" }, ...cells);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const judge = String(data.get("judge") ?? "").trim();
    error.textContent = "";
    try {
      await api("/admin/api/conflicts", {
        method: "POST",
        body: { kind: data.get("kind"), value: data.get("value"), reason: data.get("reason"), ...(judge ? { judge } : {}) },
      });
      say("Conflict recorded: that judge will not be given those entries, and cannot score them.", "good");
      form.reset();
      await load();
    } catch (failure) {
      const problem = asApiError(failure);
      error.textContent = Object.values(problem.fields).join(" ") || problem.message;
      say(problem.message, "bad");
    }
  });

  return { load };
}
