// @ts-check
/**
 * A table filled a page at a time from a keyset-paged API (`{ <items>: [...], next }`):
 * the entries list and the email log. A new load replaces the one in flight; "Load more"
 * appends the next page.
 */
import { api, asApiError, isAbort } from "./api.js";
import { plural } from "./text.js";
import { say } from "./status.js";

/**
 * A filter form's fields that have a value, as a query.
 * @param {HTMLFormElement} form
 */
export function formQuery(form) {
  return new URLSearchParams([...new FormData(form)].flatMap(([name, value]) => (typeof value === "string" && value.trim() ? [[name, value.trim()]] : [])));
}

/** Rows a page asks for. */
const PAGE_SIZE = "50";

/**
 * How far a list has got: rows shown and the cursor of the next page. No DOM here.
 */
export class Pages {
  shown = 0;
  /** @type {string | null} */
  next = null;

  /**
   * The cursor to ask with: the next page's when appending, none for a fresh list.
   * @param {boolean} append
   */
  cursor(append) {
    return append ? this.next : null;
  }

  /**
   * Counts a page in (a fresh list starts again from zero) and keeps its cursor: a string,
   * or a positive id (the audit log pages by id); anything else means there is no next page.
   * @param {number} count
   * @param {unknown} next
   * @param {boolean} append
   */
  receive(count, next, append) {
    this.shown = (append ? this.shown : 0) + count;
    this.next = typeof next === "string" ? next : Number.isSafeInteger(next) && Number(next) > 0 ? String(next) : null;
  }

  /**
   * "No entries match." or "Showing 3 entries; more to load."
   * @param {{ one: string, many: string }} noun
   */
  summary(noun) {
    if (this.shown === 0) return `No ${noun.many} match.`;
    return `Showing ${plural(this.shown, noun.one, noun.many)}${this.next !== null ? "; more to load" : ""}.`;
  }
}

/**
 * @template T
 * @typedef {object} PagedListOptions
 * @property {string} path  the API path, without a query
 * @property {string} key  the answer's field that holds the items ("entries", "emails")
 * @property {{ one: string, many: string }} noun
 * @property {string} what  the list, as a failure names it ("the email log")
 * @property {HTMLTableSectionElement} rows  where the rows go
 * @property {HTMLElement} count  the line that says how many are shown
 * @property {HTMLButtonElement} more  "Load more"
 * @property {() => URLSearchParams} query  the list's filters
 * @property {string} [cursorParam]  the query parameter the next page's cursor goes in ("cursor")
 * @property {(item: T) => HTMLTableRowElement} row
 * @property {() => Promise<void>} [prepare]  awaited before each request
 * @property {() => void} [shown]  after new rows are in
 */

/**
 * Wires a paged list to its table, count line and "Load more" button, and returns its loader.
 * @template T
 * @param {PagedListOptions<T>} options
 */
export function pagedList(options) {
  const { rows, count, more, noun } = options;
  const pages = new Pages();
  /** @type {AbortController | null} */
  let inFlight = null;
  let loaded = false;

  /**
   * Loads the first page afresh, or with `append` the next one after the rows shown.
   * @param {{ append?: boolean }} [how]
   */
  async function load({ append = false } = {}) {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const params = options.query();
    params.set("limit", PAGE_SIZE);
    const cursor = pages.cursor(append);
    if (cursor !== null) params.set(options.cursorParam ?? "cursor", cursor);
    rows.setAttribute("aria-busy", "true");
    more.disabled = true;
    try {
      await options.prepare?.();
      /** @type {Record<string, unknown>} */
      const page = await api(`${options.path}?${params}`, { signal: controller.signal });
      const items = /** @type {T[]} */ (Array.isArray(page[options.key]) ? page[options.key] : []);
      if (!append) rows.replaceChildren();
      rows.append(...items.map(options.row));
      pages.receive(items.length, page.next, append);
      more.hidden = pages.next === null;
      count.textContent = pages.summary(noun);
      loaded = true;
      options.shown?.();
      if (append) say(`Loaded ${items.length} more ${items.length === 1 ? noun.one : noun.many}.`);
    } catch (error) {
      if (isAbort(error)) return;
      const failure = asApiError(error);
      if (failure.status !== 401) say(`Could not load ${options.what}: ${failure.message}`, "bad");
    } finally {
      if (inFlight === controller) {
        rows.removeAttribute("aria-busy");
        more.disabled = false;
      }
    }
  }

  more.addEventListener("click", () => load({ append: true }));
  return {
    load,
    /** True once a page has been shown. */
    get loaded() {
      return loaded;
    },
  };
}
