// @ts-check
/** The export links: with "For Excel" ticked, each asks for a UTF-8 byte order mark. */
import { $ } from "./dom.js";

/**
 * An export link with or without the byte order mark.
 * @param {string} href
 * @param {boolean} bom
 */
export function exportHref(href, bom) {
  const url = new URL(href, "https://dashboard.invalid");
  if (bom) url.searchParams.set("bom", "1");
  else url.searchParams.delete("bom");
  return `${url.pathname}${url.search}`;
}

/** Wires the "For Excel" box to every export link. */
export function startExports() {
  const bom = /** @type {HTMLInputElement} */ ($("#export-bom"));
  bom.addEventListener("change", () => {
    for (const link of document.querySelectorAll("a[href^='/admin/api/export.csv']")) {
      link.setAttribute("href", exportHref(link.getAttribute("href") ?? "", bom.checked));
    }
  });
}
