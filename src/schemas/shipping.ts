import * as v from "valibot";
import { Text } from "./fields";

/** ISO 3166-1 alpha-2 codes; names come from Intl.DisplayNames in the visitor's page. */
export const COUNTRY_CODES = (
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
  "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
  "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO " +
  "JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR " +
  "MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO " +
  "RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV " +
  "TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
).split(" ") as [string, ...string[]];

const Optional = (label: string, max: number) =>
  v.pipe(v.optional(v.string(`${label} must be text`), ""), v.trim(), v.maxLength(max, `${label} must be at most ${max} characters`));

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** "France" for "FR" (the code itself where the runtime has no name for it). */
export function countryName(code: string): string {
  return regionNames.of(code) ?? code;
}

/** Where prizes ship, in one sentence, for the rules, the shipping form and the prize email. */
export function whereShipped(shipsTo: readonly string[]): string {
  if (shipsTo.length === COUNTRY_CODES.length) return "Prizes ship to every country.";
  const excluded = COUNTRY_CODES.filter((code) => !shipsTo.includes(code));
  const names = (codes: readonly string[]) => codes.map(countryName).sort((a, b) => a.localeCompare(b)).join(", ");
  return shipsTo.length <= excluded.length ? `Prizes ship only to: ${names(shipsTo)}.` : `Prizes ship to every country except: ${names(excluded)}.`;
}

/**
 * POST /shipping, without the code. `tshirtSizes` from the configuration (none asks no
 * size); `shipsTo`, the countries prizes go to (SHIP_TO / SHIP_NOT_TO).
 */
export function shippingForm(tshirtSizes: readonly string[], shipsTo: readonly string[] = COUNTRY_CODES) {
  return v.object({
    // Each message names the field as the form labels it.
    name: Text("Full name", 100),
    address_line1: Text("Address", 200),
    address_line2: Optional("Address line 2", 200),
    city: Text("City", 100),
    region: Optional("Region or state", 100),
    postal_code: Optional("Postal code", 20),
    country: v.pipe(
      v.optional(v.string(), ""),
      v.trim(),
      v.toUpperCase(),
      v.picklist(COUNTRY_CODES, "Choose a country from the list"),
      v.check((code) => shipsTo.includes(code), (issue) => `Prizes cannot be shipped to ${countryName(String(issue.input))}; the rules list the countries they go to`),
    ),
    phone: v.pipe(Optional("Phone", 30), v.regex(/^[0-9 +()./-]*$/, "Phone may have digits, spaces and + ( ) - . / only")),
    tshirt_size: tshirtSizes.length
      ? v.pipe(v.optional(v.string(), ""), v.picklist(tshirtSizes as [string, ...string[]], "Choose a T-shirt size"))
      : v.optional(v.literal(""), ""),
  });
}

export type ShippingAddress = v.InferOutput<ReturnType<typeof shippingForm>>;

/** One line for emails and exports: "Ada Lovelace, 12 Analytical Row, London, GB". */
export function addressSummary(address: ShippingAddress): string {
  return [address.name, address.address_line1, address.address_line2, address.city, address.region, address.postal_code, address.country]
    .filter(Boolean)
    .join(", ");
}
