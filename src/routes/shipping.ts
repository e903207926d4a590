import * as v from "valibot";
import type { Env } from "../env";
import { escapeHtml } from "../html";
import { readFields, type Fields } from "../http/body";
import { HttpError, type FieldErrors } from "../http/errors";
import { json, wantsJson } from "../http/negotiate";
import { invalidFields } from "../http/respond";
import type { Profile } from "../objects/registrant";
import type { ShippingState } from "../objects/prize-hold";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import { fieldErrors } from "../schemas/fields";
import type { LinkCode } from "../schemas/link-code";
import { COUNTRY_CODES, shippingForm, type ShippingAddress } from "../schemas/shipping";
import type { Config } from "../config";
import { addressFingerprint } from "../prizes/address-fingerprint";
import type { AddressPlace } from "../schemas/address-claim";
import type { AppRequest } from "./context";
import { parseLinkCode, registrantFor } from "./link-codes";

const UNKNOWN = "This shipping link is not valid. It may be mistyped, or replaced by the newer link in your reminder email.";
const ADDRESS_TAKEN =
  "Another winner has already given this address, and this contest sends one box to each address. Give another address, or write to the organisers if you share it with another winner.";

/**
 * Where the address is claimed under ONE_BOX_PER_ADDRESS: the AddressClaim named by its
 * keyed fingerprint, and the rule; null when the rule is off. The fingerprint itself goes
 * no further than this function.
 */
async function addressPlace(env: Env, config: Config, address: ShippingAddress): Promise<AddressPlace | null> {
  if (config.oneBoxPerAddress === "off" || !config.addressFingerprintKey) return null;
  const fingerprint = await addressFingerprint(config.addressFingerprintKey, address);
  return { claim: env.ADDRESS_CLAIM.idFromName(fingerprint).toString(), mode: config.oneBoxPerAddress };
}

/** GET /shipping?code=… — the winner's address form, filled with what they gave. */
export async function showShipping(request: AppRequest, env: Env): Promise<Response> {
  const code = parseLinkCode(request.query.code, UNKNOWN);
  const found = await registrantFor(env, code, UNKNOWN).describeShipping(code.secret);
  if (!found) throw new HttpError(404, "unknown_code", UNKNOWN);
  if (wantsJson(request)) return json({ shipping: found.shipping });
  return renderForm(request, found, code, { ...found.shipping.address }, {}, 200);
}

/** POST /shipping — stores or corrects the address while the hold lasts. */
export async function giveAddress(request: AppRequest, env: Env): Promise<Response> {
  const { config } = request;
  const body = await readFields(request, config.maxBodyBytes);
  const code = parseLinkCode(body.code, UNKNOWN);
  const registrant = registrantFor(env, code, UNKNOWN);
  const parsed = v.safeParse(shippingForm(config.tshirtSizes), body);
  if (!parsed.success) {
    const found = await registrant.describeShipping(code.secret);
    if (!found) throw new HttpError(404, "unknown_code", UNKNOWN);
    return invalidFields(request, fieldErrors(parsed.issues), (errors) => renderForm(request, found, code, body, errors, 422));
  }
  const result = await registrant.giveAddress(code.secret, parsed.output, await addressPlace(env, config, parsed.output));
  if (!result.ok && result.reason === "unknown_code") throw new HttpError(404, "unknown_code", UNKNOWN);
  if (!result.ok && result.reason === "address_taken") {
    // The hold stays open: the winner may give another address.
    const fields = { address_line1: ADDRESS_TAKEN };
    if (wantsJson(request)) throw new HttpError(409, "address_taken", ADDRESS_TAKEN, fields);
    const found = await registrant.describeShipping(code.secret);
    if (!found) throw new HttpError(404, "unknown_code", UNKNOWN);
    return renderForm(request, found, code, body, fields, 409);
  }
  if (!result.ok) {
    throw new HttpError(409, result.reason === "expired" ? "hold_expired" : "already_shipped",
      result.reason === "expired" ? "The hold on this prize ran out before an address arrived." : "This prize has shipped; the address can no longer change.");
  }
  if (wantsJson(request)) return json({ shipping: result.shipping });
  const found = await registrant.describeShipping(code.secret);
  return renderForm(request, found!, code, { ...result.shipping.address }, {}, 200);
}

function renderForm(
  request: AppRequest,
  { profile, shipping }: { profile: Profile; shipping: ShippingState },
  code: LinkCode,
  fields: Fields,
  errors: FieldErrors,
  status: number,
): Response {
  const { config } = request;
  const chosen = typeof fields.country === "string" ? fields.country.toUpperCase() : "";
  const size = typeof fields.tshirt_size === "string" ? fields.tshirt_size : "";
  const editable = shipping.status === "awaiting" || shipping.status === "ready";
  return renderPage(
    request,
    config,
    PAGES.shipping,
    {
      title: "Your prize",
      text: { firstname: profile.firstname, slot: shipping.slot },
      href: { trackingUrl: shipping.trackingUrl ?? "#" },
      times: { holdExpiresAt: shipping.holdExpiresAt },
      fields: { ...fields, code: `${code.registrantId}.${code.secret}` },
      errors,
      html: { countries: options(COUNTRY_CODES, chosen, countryName), sizes: options(config.tshirtSizes, size, (s) => s) },
      show: {
        awaiting: shipping.status === "awaiting",
        ready: shipping.status === "ready",
        shipped: shipping.status === "shipped",
        tracked: shipping.trackingUrl !== null,
        expired: shipping.status === "expired",
        editable,
        tshirt: config.tshirtSizes.length > 0,
      },
    },
    { status },
  );
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

function countryName(code: string): string {
  return regionNames.of(code) ?? code;
}

/** <option> elements, escaped, with the chosen one selected and an empty prompt first. */
function options(values: readonly string[], chosen: string, label: (value: string) => string): string {
  const sorted = [...values].sort((a, b) => label(a).localeCompare(label(b)));
  return [`<option value="">Choose…</option>`]
    .concat(sorted.map((value) => `<option value="${escapeHtml(value)}"${value === chosen ? " selected" : ""}>${escapeHtml(label(value))}</option>`))
    .join("");
}
