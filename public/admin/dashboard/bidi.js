// @ts-check
/**
 * Unicode's bidirectional controls reorder the text around them without being seen: a name
 * or URL with a right-to-left override reads differently from what it is
 * ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf"). The dashboard shows each one as a visible
 * marker instead, so a judge sees the text in its real order.
 */

/** Embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069). */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** @type {Record<string, string>} */
const NAMES = {
  "\u202A": "left-to-right embedding",
  "\u202B": "right-to-left embedding",
  "\u202C": "pop directional formatting",
  "\u202D": "left-to-right override",
  "\u202E": "right-to-left override",
  "\u2066": "left-to-right isolate",
  "\u2067": "right-to-left isolate",
  "\u2068": "first strong isolate",
  "\u2069": "pop directional isolate",
};

/**
 * A hidden control, as the marker shows it.
 * @typedef {object} BidiControl
 * @property {string} code  "U+202E"
 * @property {string} name  "right-to-left override"
 */

/**
 * The text cut where each bidi control was: its pieces in order, and a description of each
 * control in place of the character. Joined back (`showBidi`), nothing reorders any more.
 * @param {string} text
 * @returns {Array<string | BidiControl>}
 */
export function bidiSegments(text) {
  if (!BIDI_CONTROL.test(text)) return [text];
  /** @type {Array<string | BidiControl>} */
  const segments = [];
  let piece = "";
  for (const char of text) {
    if (!BIDI_CONTROL.test(char)) {
      piece += char;
      continue;
    }
    if (piece) segments.push(piece);
    piece = "";
    segments.push({ code: `U+${char.codePointAt(0)?.toString(16).toUpperCase()}`, name: NAMES[char] ?? "bidi control" });
  }
  if (piece) segments.push(piece);
  return segments;
}

/**
 * The text with each bidi control written out as "[U+202E]", for places that take plain
 * text only (attributes, <option>s).
 * @param {string} text
 * @returns {string}
 */
export function showBidi(text) {
  return bidiSegments(text)
    .map((segment) => (typeof segment === "string" ? segment : `[${segment.code}]`))
    .join("");
}
