// @ts-check
/**
 * The entries list: search and filters (kept in the page's address), a row per entry, a
 * roving tab stop with arrow keys, and Enter or a click to open one.
 */
import { checkBadges } from "./checks.js";
import { $, el } from "./dom.js";
import { pagedList } from "./paged-list.js";
import { BLIND_HINT } from "./entry-view.js";
import { me, productName, profileLoaded } from "./profile.js";
import { fullName, percent, reviewsText, STATUS_LABELS } from "./text.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").Entry} Entry */

/**
 * Wires the list to its filters and returns what the rest of the dashboard asks of it.
 * @param {{ open: (id: string) => void }} actions  what opening a row does
 */
export function startEntries({ open }) {
  const form = $("#filters");
  const search = /** @type {HTMLInputElement} */ ($("#filter-q"));
  const statusSelect = /** @type {HTMLSelectElement} */ ($("#filter-status"));
  const productSelect = /** @type {HTMLSelectElement} */ ($("#filter-product"));
  const reviewSelect = /** @type {HTMLSelectElement} */ ($("#filter-review"));
  const sortSelect = /** @type {HTMLSelectElement} */ ($("#filter-sort"));
  const checkSelect = /** @type {HTMLSelectElement} */ ($("#filter-check"));
  const normalise = /** @type {HTMLInputElement} */ ($("#filter-normalise"));
  const needsReviews = /** @type {HTMLInputElement} */ ($("#filter-needs-reviews"));
  const rows = /** @type {HTMLTableSectionElement} */ ($("#entry-rows"));

  const initial = Object.fromEntries(new URLSearchParams(location.search));
  search.value = initial.q || "";
  if (initial.status) statusSelect.value = initial.status;
  if (initial.review) reviewSelect.value = initial.review;
  if (initial.sort) sortSelect.value = initial.sort;
  if (initial.check) checkSelect.value = initial.check;
  normalise.checked = initial.normalise === "z";
  needsReviews.checked = initial.needs_reviews === "true";
  if (!statusSelect.value) statusSelect.value = "";
  if (!sortSelect.value) sortSelect.value = "created";
  // The product filter has no options until the stats arrive (fillProducts).
  const productFromAddress = initial.product || "";
  let productFromAddressApplied = false;

  function query() {
    const params = new URLSearchParams();
    if (search.value.trim()) params.set("q", search.value.trim());
    if (statusSelect.value) params.set("status", statusSelect.value);
    if (productSelect.value) params.set("product", productSelect.value);
    if (reviewSelect.value) params.set("review", reviewSelect.value);
    if (checkSelect.value) params.set("check", checkSelect.value);
    params.set("sort", sortSelect.value);
    if (normalised()) params.set("normalise", "z");
    if (needsReviews.checked) params.set("needs_reviews", "true");
    return params;
  }

  const normalised = () => sortSelect.value === "score" && normalise.checked;
  const syncNormalise = () => void (normalise.disabled = sortSelect.value !== "score");

  /** @param {Entry} entry */
  function entryRow(entry) {
    if (entry.status === "erased") return erasedRow(entry);
    const status = entry.status === "winner" && entry.provisional_until != null ? "provisional" : STATUS_LABELS[entry.status] ? entry.status : "registered";
    const place = status === "winner" || status === "provisional" ? (entry.slot != null ? ` #${Number(entry.slot)}` : "") : entry.status === "waitlisted" && entry.waitlist_position != null ? ` #${Number(entry.waitlist_position)}` : "";
    const scoreCell = el("td", { class: "num" }, percent(entry.score));
    if (entry.submission_version != null) scoreCell.append(el("span", { class: "sub", "data-testid": "reviews" }, reviewsText(Number(entry.scores_count ?? 0), me.reviewsPerEntry)));
    if (normalised() && typeof entry.rank_value === "number") {
      scoreCell.append(el("span", { class: "sub" }, `z ${entry.rank_value.toFixed(2)}`));
    }
    return el("tr", { tabindex: "-1", "data-entry-id": String(entry.id), "data-status": status, "data-testid": "entry-row" },
      el("td", {}, entry.blind ? el("span", { class: "hint" }, BLIND_HINT) : fullName(entry) || "—", el("span", { class: "sub narrow-hide" }, entry.email ?? "")),
      el("td", { class: "title-cell" }, entry.title == null ? el("span", { class: "hint" }, "No submission yet") : entry.title,
        el("span", { class: "badges" }, checkBadges({ ...entry, provisional_until: null }))),
      el("td", {}, el("span", { class: `badge ${status}` }, STATUS_LABELS[status] + place), reviewBadges(entry)),
      el("td", { class: "wide" }, el("ul", { class: "tags" }, (entry.products || []).map((p) => el("li", {}, productName(p))))),
      scoreCell,
      el("td", { class: "wide" }, when(entry.submitted_at)),
    );
  }

  /**
   * What needs an organiser's eye: disqualified, flagged by judges, an address another winner gave.
   * @param {Entry} entry
   */
  function reviewBadges(entry) {
    return [
      entry.disqualified_at != null && el("span", { class: "badge disqualified", "data-testid": "badge-disqualified" }, "Disqualified"),
      Number(entry.flags_open) > 0 && el("span", { class: "badge flagged", "data-testid": "badge-flagged" }, "Flagged"),
      entry.address_review === "pending" && el("span", { class: "badge duplicate", "data-testid": "badge-duplicate-address" }, "Same address"),
    ];
  }

  /**
   * An erased entrant keeps only a tombstone: no name, nothing to open.
   * @param {Entry} entry
   */
  function erasedRow(entry) {
    return el("tr", { tabindex: "-1", class: "erased", "aria-disabled": "true", "data-entry-id": String(entry.id), "data-status": "erased", "data-testid": "entry-row" },
      el("td", {}, "Erased entrant"),
      el("td", { class: "title-cell" }, "—"),
      el("td", {}, el("span", { class: "badge erased" }, STATUS_LABELS.erased)),
      el("td", { class: "wide" }),
      el("td", { class: "num" }, "—"),
      el("td", { class: "wide" }, "—"),
    );
  }

  /**
   * One row is the table's tab stop; arrow keys move between rows (a roving tab index).
   * @param {HTMLTableRowElement} [target]
   */
  function rovingStop(target) {
    const all = [...rows.rows];
    const stop = target || all.find((row) => row.tabIndex === 0) || all[0];
    for (const row of all) row.tabIndex = row === stop ? 0 : -1;
  }

  const list = pagedList({
    path: "/admin/api/entries",
    key: "entries",
    noun: { one: "entry", many: "entries" },
    what: "the entries",
    rows,
    count: $("#entries-count"),
    more: /** @type {HTMLButtonElement} */ ($("#load-more")),
    query,
    // Rows say "2 of 3 reviews": the number needed comes with the profile.
    prepare: profileLoaded,
    row: entryRow,
    shown: () => rovingStop(),
  });

  /**
   * Loads the list afresh (the address follows the filters), or with `append` its next page.
   * @param {{ append?: boolean }} [how]
   */
  function load(how = {}) {
    if (!how.append) history.replaceState(null, "", `${location.pathname}?${query()}`);
    return list.load(how);
  }

  /**
   * The row a click or key landed in, if it is an entry's.
   * @param {Event} event
   * @returns {HTMLTableRowElement | null}
   */
  const rowOf = (event) => (event.target instanceof Element ? event.target.closest("tr[data-entry-id]") : null);

  rows.addEventListener("click", (event) => {
    const row = rowOf(event);
    const onLink = event.target instanceof Element && event.target.closest("a");
    if (row && row.dataset.status !== "erased" && !onLink) open(row.dataset.entryId ?? "");
  });
  rows.addEventListener("focusin", (event) => {
    const row = rowOf(event);
    if (row) rovingStop(row);
  });
  rows.addEventListener("keydown", (event) => {
    const row = rowOf(event);
    if (!row || event.target !== row) return;
    const all = [...rows.rows];
    const index = all.indexOf(row);
    /** @type {Record<string, number>} */
    const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: all.length - 1 };
    const go = moves[event.key];
    if (go !== undefined) {
      event.preventDefault();
      all[Math.max(0, Math.min(all.length - 1, go))]?.focus();
    } else if ((event.key === "Enter" || event.key === " ") && row.dataset.status !== "erased") {
      event.preventDefault();
      open(row.dataset.entryId ?? "");
    }
  });

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let searchTimer;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => load(), 300);
  });
  form.addEventListener("change", (event) => {
    if (event.target === search) return;
    syncNormalise();
    load();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    load();
  });
  syncNormalise();

  return {
    load,

    /**
     * The product filter's options, with each product's count. A product named in the page's
     * address is chosen once it is among them; the first time, the list loads again with it.
     * @param {Record<string, number>} byProduct
     */
    fillProducts(byProduct) {
      const ids = Object.keys(byProduct);
      /** @param {string} id */
      const label = (id) => `${productName(id)} (${Number(byProduct[id])})`;
      const existing = [...productSelect.options].slice(1);
      if (existing.length === ids.length && existing.every((option, i) => option.value === ids[i])) {
        // Same products: only the counts change, so an open list is not rebuilt under the pointer.
        existing.forEach((option, i) => (option.textContent = label(ids[i] ?? "")));
      } else {
        const chosen = productSelect.value || productFromAddress;
        productSelect.replaceChildren(el("option", { value: "" }, "Any product"), ...ids.map((id) => el("option", { value: id }, label(id))));
        if (chosen && Object.hasOwn(byProduct, chosen)) productSelect.value = chosen;
      }
      if (productFromAddressApplied) return;
      productFromAddressApplied = true;
      if (productFromAddress && productSelect.value === productFromAddress) load();
    },

    /**
     * Focuses an entry's row; false when it is not in the list.
     * @param {string} id
     */
    focusRow(id) {
      const row = rows.querySelector(`tr[data-entry-id="${CSS.escape(id)}"]`);
      if (row instanceof HTMLElement) row.focus();
      return row instanceof HTMLElement;
    },

    focusSearch: () => search.focus(),

    /** Under blind judging a judge cannot rank by score: the option goes, and the list sorts by signup. */
    blind() {
      const byScore = [...sortSelect.options].find((option) => option.value === "score");
      if (!byScore) return;
      const wasChosen = byScore.selected;
      byScore.remove();
      syncNormalise();
      if (wasChosen) {
        sortSelect.value = "created";
        load();
      }
    },
  };
}
