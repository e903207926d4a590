// @ts-check
/**
 * Judging progress (GET /admin/api/progress): a bar of the reviews given of those the
 * contest needs, and a table per judge (organisers see every judge, a judge their own).
 */
import { api, asApiError } from "./api.js";
import { $, el } from "./dom.js";
import { say } from "./status.js";
import { plural } from "./text.js";

/** @typedef {import("./types.js").Progress} Progress */

/**
 * The bar's share and its words; numbers that are not (or negative) count as none.
 * @param {Progress["overall"]} overall
 */
export function progressSummary(overall) {
  const count = (/** @type {unknown} */ value) => Math.max(Number(value) || 0, 0);
  const needed = count(overall.reviewsNeeded);
  const reviews = Math.min(count(overall.reviews), needed);
  const share = needed > 0 ? Math.floor((reviews / needed) * 100) : 0;
  const inReview = count(overall.inReview);
  return {
    share,
    text:
      `${count(overall.reviewed)} of ${plural(count(overall.entries), "entry", "entries")} fully reviewed ` +
      `(${count(overall.reviewsPerEntry)} reviews each); ${reviews} of ${plural(needed, "review")} given` +
      (inReview ? `; ${inReview} in review now` : "") + ".",
  };
}

/** Wires the panel; returns its loaders. */
export function startProgress() {
  const bar = /** @type {HTMLProgressElement} */ ($("#progress-bar"));
  const line = $("#progress-text");
  const rows = $("#progress-rows");
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  async function load() {
    /** @type {Progress} */
    let progress;
    try {
      progress = await api("/admin/api/progress");
    } catch (error) {
      const failure = asApiError(error);
      if (failure.status !== 401) say(`Could not load the judging progress: ${failure.message}`, "bad");
      return;
    }
    const { share, text } = progressSummary(progress.overall);
    bar.value = share;
    bar.setAttribute("aria-valuetext", `${share}%`);
    line.textContent = text;
    rows.replaceChildren(...progress.judges.map((judge) =>
      el("tr", { "data-testid": "progress-row", "data-judge": judge.judge },
        el("th", { scope: "row" }, judge.judge),
        el("td", { class: "num" }, Number(judge.scored)),
        el("td", { class: "num" }, Number(judge.skipped)),
        el("td", { class: "num" }, Number(judge.leased)),
        el("td", { class: "num" }, Number(judge.conflicted)))));
  }

  return {
    load,
    /** Loads the progress again shortly: several reviews in a row cost one request. */
    refreshSoon() {
      clearTimeout(timer);
      timer = setTimeout(load, 400);
    },
  };
}
