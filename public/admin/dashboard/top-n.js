// @ts-check
/**
 * Awarding the top N (organisers): a dry-run preview of who would win by the chosen
 * ranking, and who is passed over and why; then the award of exactly that list, with a
 * report of who won and who did not.
 */
import { api, asApiError } from "./api.js";
import { askFirst } from "./confirm.js";
import { $, el } from "./dom.js";
import { me } from "./profile.js";
import { say } from "./status.js";
import { fullName, percent, plural } from "./text.js";

/** @typedef {import("./types.js").AwardPreview} AwardPreview */

/** @type {Record<string, string>} */
export const REASONS = {
  already_winner: "already a winner",
  below_min_reviews: "too few reviews",
  no_submission: "no submission",
  disqualified: "disqualified",
  flagged: "flagged for review",
  not_found: "not in the index",
  no_prizes_left: "no prizes left",
};

/**
 * A reason in words; one this dashboard does not know is shown as it is.
 * @param {string} reason
 */
export const reasonText = (reason) => (Object.hasOwn(REASONS, reason) && REASONS[reason]) || reason;

/**
 * Wires the panel (once the profile, with the product catalogue, is loaded).
 * @param {{ awarded: () => void }} after  what the dashboard does once prizes were awarded
 */
export function startTopN(after) {
  const form = /** @type {HTMLFormElement} */ ($("#top-n-form"));
  const result = $("#top-n-result");
  $("#top-n-product").append(...(me.products || []).map((product) => el("option", { value: product.id }, product.label)));

  /** @param {import("./types.js").Entry} entry */
  const who = (entry) => fullName(entry) || entry.email || entry.id;

  /** @param {AwardPreview} preview */
  function showPreview(preview) {
    const winners = preview.candidates.filter((entry) => entry.outcome === "award").length;
    const table = el("table", { "data-testid": "top-n-preview" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Rank"), el("th", { scope: "col" }, "Entrant"), el("th", { scope: "col" }, "Title"),
        el("th", { scope: "col", class: "num" }, "Ranked by"), el("th", { scope: "col" }, "Would"))),
      el("tbody", {}, preview.candidates.map((entry, i) =>
        el("tr", { "data-testid": "top-n-candidate", "data-entry-id": entry.id },
          el("td", { class: "num" }, i + 1), el("td", {}, who(entry)), el("td", { class: "title-cell" }, entry.title ?? "—"),
          el("td", { class: "num" }, typeof entry.rank_value === "number" ? entry.rank_value.toFixed(2) : percent(entry.score)),
          el("td", {}, entry.outcome === "award" ? "win" : reasonText(entry.outcome))))));
    const passed = preview.passedOverCount
      ? el("details", {}, el("summary", {}, `Passed over: ${plural(preview.passedOverCount, "entry", "entries")} ranked higher`),
          el("ul", {}, preview.passedOver.map((entry) => el("li", {}, `${who(entry)}${entry.title ? ` (${entry.title})` : ""}: ${reasonText(entry.reason)}`))))
      : null;
    const trigger = el("button", { type: "button", "data-testid": "top-n-award", disabled: winners === 0 }, `Award these ${plural(winners, "prize")}…`);
    const yes = el("button", { type: "button", class: "small", "data-testid": "top-n-confirm" }, "Yes, award them");
    const no = el("button", { type: "button", class: "secondary small" }, "Cancel");
    yes.addEventListener("click", () => awardBatch(preview, yes, no));
    result.replaceChildren(
      el("p", {}, `${plural(preview.candidates.length, "entry", "entries")} by this ranking; ${preview.remaining} prizes left.` +
        (preview.complete ? "" : " The walk stopped early: too many entries ranked higher may not win.")),
      el("div", { class: "table-wrap" }, table),
      ...(passed ? [passed] : []),
      el("div", { class: "actions" }, trigger),
      askFirst({ id: "top-n-confirm-box", trigger, question: `Award ${plural(winners, "prize")} now, to exactly the entries listed? Each winner is emailed.`, yes, no }),
    );
  }

  /**
   * @param {AwardPreview} preview
   * @param {HTMLButtonElement} yes
   * @param {HTMLButtonElement} no
   */
  async function awardBatch(preview, yes, no) {
    yes.disabled = no.disabled = true;
    try {
      /** @type {import("./types.js").AwardReport} */
      const report = await api("/admin/api/awards", { method: "POST", body: { batch: preview.batch, ids: preview.ids, token: preview.token } });
      const names = new Map(preview.candidates.map((entry) => [entry.id, who(entry)]));
      result.replaceChildren(
        el("p", { "data-testid": "top-n-report" }, `${report.replayed ? "This batch was awarded already: " : ""}${plural(report.awarded.length, "prize")} awarded; ${report.remaining} left.`),
        el("ul", {}, report.awarded.map((prize) => el("li", { "data-testid": "top-n-won" }, `${names.get(prize.id) ?? prize.id}: prize #${Number(prize.slot)}`)),
          report.refused.map((refusal) => el("li", { "data-testid": "top-n-refused" }, `${names.get(refusal.id) ?? refusal.id}: not awarded, ${reasonText(refusal.reason)}`))),
      );
      say(`${plural(report.awarded.length, "prize")} awarded.`, "good");
      after.awarded();
    } catch (failure) {
      say(`Could not award the batch: ${asApiError(failure).message}`, "bad");
      yes.disabled = no.disabled = false;
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (String(value).trim()) params.set(name, String(value).trim());
    try {
      showPreview(await api(`/admin/api/awards/preview?${params}`));
    } catch (failure) {
      const problem = asApiError(failure);
      result.replaceChildren(el("p", { class: "error", role: "alert" }, Object.values(problem.fields).join(" ") || problem.message));
    }
  });
}
