// @ts-check
/** The contest at a glance: counts by status, prizes left, products, and the chart. */
import { api, asApiError } from "./api.js";
import { drawChart } from "./chart.js";
import { $ } from "./dom.js";
import { say } from "./status.js";

/**
 * Wires the counts and returns their loaders.
 * @param {{ products: (byProduct: Record<string, number>) => void }} show  where the product counts go
 */
export function startStats({ products }) {
  const prizesLeft = $("[data-testid=prizes-left]");
  const prizesTotal = $("[data-testid=prizes-total]");
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  /** Loads and shows the statistics; a failure is announced (unless the session ended). */
  async function load() {
    /** @type {import("./types.js").Stats} */
    let stats;
    try {
      stats = await api("/admin/api/stats");
    } catch (error) {
      const failure = asApiError(error);
      if (failure.status !== 401) say(`Could not load the statistics: ${failure.message}`, "bad");
      return;
    }
    for (const node of document.querySelectorAll("[data-stat]")) {
      if (node instanceof HTMLElement) node.textContent = String(Number(stats.byStatus?.[node.dataset.stat ?? ""] ?? 0));
    }
    // The live socket normally fills these first; this covers the moment before it does.
    if (stats.prizes && prizesLeft.textContent === "…") prizesLeft.textContent = String(Number(stats.prizes.remaining));
    if (stats.prizes && prizesTotal.textContent === "…") prizesTotal.textContent = String(Number(stats.prizes.total));
    products(stats.byProduct || {});
    drawChart($("#chart"), Array.isArray(stats.perDay) ? stats.perDay : []);
  }

  return {
    load,
    /** Loads the statistics again shortly: several changes in a row cost one request. */
    refreshSoon() {
      clearTimeout(timer);
      timer = setTimeout(load, 400);
    },
    /** Calls `changed` whenever the live number of prizes left changes (another judge's award). */
    onPrizesChange(/** @type {() => void} */ changed) {
      new MutationObserver(changed).observe(prizesLeft, { childList: true, characterData: true, subtree: true });
    },
  };
}
