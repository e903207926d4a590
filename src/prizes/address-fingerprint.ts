/**
 * A postal address's fingerprint, for one box per address (invariant 7): the country, the
 * postal code and the first address line, normalised so that spellings of one door meet,
 * then hashed with a secret key (HMAC-SHA-256), so the fingerprint tells nothing about
 * the address to anyone without the key.
 */

import { hex } from "../secrets";

/** Common words of a first address line and the one spelling each is folded into. */
const ABBREVIATIONS: Record<string, string> = {
  street: "st",
  str: "st",
  strasse: "st",
  road: "rd",
  avenue: "ave",
  av: "ave",
  boulevard: "blvd",
  drive: "dr",
  lane: "ln",
  court: "ct",
  place: "pl",
  square: "sq",
  terrace: "ter",
  highway: "hwy",
  parkway: "pkwy",
  crescent: "cres",
  close: "cl",
  apartment: "apt",
  suite: "ste",
  building: "bldg",
  floor: "fl",
  number: "no",
  north: "n",
  south: "s",
  east: "e",
  west: "w",
};

/**
 * Text for comparing: compatibility-decomposed, accents and case dropped, "ß" as "ss",
 * punctuation as spaces, and letters glued to a number split from it ("12b", "no12").
 */
function words(text: string): string[] {
  const plain = text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .replace(/[^\p{L}\p{N}]+/gu, " ");
  return plain.replace(/(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/gu, " ").split(" ").filter(Boolean);
}

/**
 * "12 Analytical Row", "12, analytical row." and "12 ANALYTICAL  ROW" are one line; so are
 * "Main Street" and "Main St.", and "Hauptstraße 5" and "Hauptstr. 5".
 */
export function normaliseLine(line: string): string {
  return words(line)
    .map((word) => ABBREVIATIONS[word] ?? word.replace(/^(\p{L}{2,})(?:strasse|str)$/u, "$1 st"))
    .join(" ");
}

/** "SW1A 1AA", "sw1a1aa" and "SW1A-1AA" are one postal code. */
export function normalisePostalCode(code: string): string {
  return words(code).join("").toUpperCase();
}

/** What the fingerprint is made of, each part normalised; a line break between parts keeps them apart. */
export function fingerprintInput(address: { country: string; postal_code: string; address_line1: string }): string {
  return [address.country.trim().toUpperCase(), normalisePostalCode(address.postal_code), normaliseLine(address.address_line1)].join("\n");
}

/** The address's fingerprint: HMAC-SHA-256 of its normalised parts under `key`, in hex. */
export async function addressFingerprint(key: string, address: { country: string; postal_code: string; address_line1: string }): Promise<string> {
  const secret = await crypto.subtle.importKey("raw", new TextEncoder().encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", secret, new TextEncoder().encode(fingerprintInput(address)));
  return hex(mac);
}
