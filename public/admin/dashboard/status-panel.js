// @ts-check
/**
 * A collapsible panel over a paged list filtered by its form (the email log and the dead
 * letters by status, the audit log by who, what and which entry): it loads when first
 * opened and again when the filters change, and (with `actions`) organisers get an Action
 * column. Its markup follows one naming scheme: `#<name>-details`, `-filters`, `-count`,
 * `-more`, `-head`, `-action`, and the table body given.
 */
import { $, el } from "./dom.js";
import { formQuery, pagedList } from "./paged-list.js";
import { me, profileLoaded } from "./profile.js";

/**
 * @template T
 * @param {{
 *   name: string,
 *   rows: string,
 *   path: string,
 *   key: string,
 *   noun: { one: string, many: string },
 *   what: string,
 *   row: (item: T) => HTMLTableRowElement,
 *   onToggle?: (open: boolean) => void,
 *   actions?: boolean,
 *   cursorParam?: string,
 * }} options
 */
export function statusPanel(options) {
  const { name } = options;
  const details = /** @type {HTMLDetailsElement} */ ($(`#${name}-details`));
  const form = $(`#${name}-filters`);
  const list = pagedList({
    path: options.path,
    key: options.key,
    noun: options.noun,
    what: options.what,
    rows: /** @type {HTMLTableSectionElement} */ ($(options.rows)),
    count: $(`#${name}-count`),
    more: /** @type {HTMLButtonElement} */ ($(`#${name}-more`)),
    // Every filter of the form that has a value (the status; the email log's recipient too).
    query: () => formQuery(/** @type {HTMLFormElement} */ (form)),
    cursorParam: options.cursorParam,
    row: options.row,
    // Organisers get a column of action buttons, once the profile says who is signed in.
    async prepare() {
      await profileLoaded();
      if ((options.actions ?? true) && me.role === "organiser" && !document.querySelector(`#${name}-action`)) {
        $(`#${name}-head`).append(el("th", { scope: "col", id: `${name}-action` }, "Action"));
      }
    },
  });
  details.addEventListener("toggle", () => {
    options.onToggle?.(details.open);
    if (details.open && !list.loaded) list.load();
  });
  form.addEventListener("change", () => list.load());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    list.load();
  });
  return {
    /** Loads the list again if the panel is open. */
    refreshIfOpen() {
      if (details.open) list.load();
    },
  };
}
