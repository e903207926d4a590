// @ts-check
/** Instants as the judge reads them: in their own locale and time zone. */
import { el } from "./dom.js";

const dateTime = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/**
 * A <time> for an instant in ms, or "—" when there is none.
 * @param {unknown} ms
 * @returns {HTMLTimeElement | string}
 */
export function when(ms) {
  return typeof ms === "number" ? el("time", { datetime: new Date(ms).toISOString() }, dateTime.format(new Date(ms))) : "—";
}
