// @ts-check
/** Turning API values into the words and links the dashboard shows; no DOM here. */

/** @type {Record<string, string>} */
export const STATUS_LABELS = { registered: "Signed up", submitted: "Submitted", winner: "Winner", provisional: "Provisional", waitlisted: "Waitlisted", erased: "Erased" };

/**
 * "12.3%" for a number, "—" for anything else.
 * @param {unknown} value
 */
export function percent(value) {
  return typeof value === "number" ? `${(Math.round(value * 10) / 10).toFixed(1)}%` : "—";
}

/**
 * "Ada Lovelace", or "" when the entrant has no name (erased, or not yet known).
 * @param {{ firstname?: string | null, lastname?: string | null }} person
 */
export function fullName(person) {
  return `${person.firstname ?? ""} ${person.lastname ?? ""}`.trim();
}

/**
 * `count` and the noun that goes with it: "1 score", "2 scores".
 * @param {number} count
 * @param {string} one
 * @param {string} [many]
 */
export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * An entry's reviews against the number it needs: "2 of 3 reviews"; just "2 reviews" when
 * the number needed is not known.
 * @param {number} done
 * @param {unknown} needed
 */
export function reviewsText(done, needed) {
  const count = Math.max(Number(done) || 0, 0);
  return typeof needed === "number" && needed > 0 ? `${count} of ${plural(needed, "review")}` : plural(count, "review");
}

/**
 * The link for an http(s) URL, normalised; null for anything else (javascript:, data:, text),
 * which is then shown as text. Only http(s) links leave the dashboard.
 * @param {unknown} value
 * @returns {string | null}
 */
export function safeUrl(value) {
  try {
    const url = new URL(String(value));
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * A mailto: link whose one recipient is exactly `address`. Every character that means
 * something in a URL (? & = # % , and the rest) is percent-encoded, so an address like
 * "a@example.com?cc=b@evil.test" cannot add a recipient, a subject or a body; the last
 * "@" stays readable.
 * @param {string} address
 */
export function mailtoHref(address) {
  const at = address.lastIndexOf("@");
  const local = at === -1 ? address : address.slice(0, at);
  const domain = at === -1 ? null : address.slice(at + 1);
  return `mailto:${encodeURIComponent(local)}${domain === null ? "" : `@${encodeURIComponent(domain)}`}`;
}

/**
 * A winner's address as lines to print, with the phone and T-shirt size apart; null when
 * there is none or it does not parse. `countryName` names an ISO code ("GB") where the
 * browser can.
 * @param {unknown} json  the address as the index stores it (a JSON object)
 * @param {(code: string) => string | undefined} [countryName]
 * @returns {{ lines: string[], phone: string, size: string } | null}
 */
export function addressLines(json, countryName) {
  if (typeof json !== "string") return null;
  /** @type {unknown} */
  let address;
  try {
    address = JSON.parse(json);
  } catch {
    return null;
  }
  if (!address || typeof address !== "object") return null;
  const fields = /** @type {Record<string, unknown>} */ (address);
  /** @param {string} name */
  const text = (name) => {
    const value = fields[name];
    return typeof value === "string" ? value.trim() : "";
  };
  let country = text("country");
  try {
    const name = /^[A-Z]{2}$/.test(country) ? countryName?.(country) : undefined;
    if (name) country = `${name} (${country})`;
  } catch {}
  return {
    lines: [
      text("name"),
      text("address_line1"),
      text("address_line2"),
      [text("city"), text("region"), text("postal_code")].filter(Boolean).join(", "),
      country,
    ].filter(Boolean),
    phone: text("phone"),
    size: text("tshirt_size"),
  };
}
