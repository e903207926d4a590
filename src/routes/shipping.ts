import * as v from "valibot";
import type { Env } from "../env";
import { escapeHtml } from "../html";
import { readFields, type Fields } from "../http/body";
import { HttpError, type FieldErrors } from "../http/errors";
import { json, wantsJson } from "../http/negotiate";
import { invalidFields, seeOther } from "../http/respond";
import { readContent } from "../pages/content";
import { publishedResults } from "./winners";
import type { Profile } from "../objects/registrant";
import type { ShippingState } from "../objects/prize-hold";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import { fieldErrors } from "../schemas/fields";
import type { LinkCode } from "../schemas/link-code";
import { countryName, shippingForm, whereShipped, type ShippingAddress } from "../schemas/shipping";
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
  if (wantsJson(request)) return json({ shipping: found.shipping, showcase: found.showcase });
  // ?saved=address|consent: the winner lands here after saving (post/redirect/get).
  const saved = request.query.saved === "address" || request.query.saved === "consent" ? request.query.saved : null;
  return renderForm(request, env, found, code, { ...found.shipping.address, showcase: found.showcase }, {}, 200, saved);
}

/** POST /shipping — stores or corrects the address while the hold lasts. */
export async function giveAddress(request: AppRequest, env: Env): Promise<Response> {
  const { config } = request;
  const body = await readFields(request, config.maxBodyBytes);
  const code = parseLinkCode(body.code, UNKNOWN);
  const registrant = registrantFor(env, code, UNKNOWN);
  const parsed = v.safeParse(shippingForm(config.tshirtSizes, config.shipsTo), body);
  if (!parsed.success) {
    const found = await registrant.describeShipping(code.secret);
    if (!found) throw new HttpError(404, "unknown_code", UNKNOWN);
    return invalidFields(request, fieldErrors(parsed.issues), (errors) => renderForm(request, env, found, code, { ...body, showcase: found.showcase }, errors, 422));
  }
  const result = await registrant.giveAddress(code.secret, parsed.output, await addressPlace(env, config, parsed.output));
  if (!result.ok && result.reason === "unknown_code") throw new HttpError(404, "unknown_code", UNKNOWN);
  if (!result.ok && result.reason === "address_taken") {
    // The hold stays open: the winner may give another address.
    const fields = { address_line1: ADDRESS_TAKEN };
    if (wantsJson(request)) throw new HttpError(409, "address_taken", ADDRESS_TAKEN, fields);
    const found = await registrant.describeShipping(code.secret);
    if (!found) throw new HttpError(404, "unknown_code", UNKNOWN);
    return renderForm(request, env, found, code, { ...body, showcase: found.showcase }, fields, 409);
  }
  if (!result.ok) {
    throw new HttpError(409, result.reason === "expired" ? "hold_expired" : "already_shipped",
      result.reason === "expired" ? "The hold on this prize ran out before an address arrived." : "This prize has shipped; the address can no longer change.");
  }
  if (wantsJson(request)) return json({ shipping: result.shipping });
  return seeOther(`${shippingPath(code)}&saved=address`);
}

const ShowcaseForm = v.object({
  /** The checkbox: ticked is consent; absent (unticked) is none. */
  showcase: v.pipe(v.optional(v.unknown(), false), v.transform((value) => value === true || value === "on" || value === "true")),
});

/**
 * POST /shipping/showcase — the winner agrees (or no longer agrees) to be listed on the
 * winners page. The page is a snapshot taken when the organisers publish, so a change
 * after that shows when they publish again.
 */
export async function setShowcase(request: AppRequest, env: Env): Promise<Response> {
  const body = await readFields(request, request.config.maxBodyBytes);
  const code = parseLinkCode(body.code, UNKNOWN);
  const { showcase } = v.parse(ShowcaseForm, body);
  if (!(await registrantFor(env, code, UNKNOWN).setShowcase(code.secret, showcase))) throw new HttpError(404, "unknown_code", UNKNOWN);
  if (wantsJson(request)) return json({ showcase });
  return seeOther(`${shippingPath(code)}&saved=consent`);
}

function shippingPath(code: LinkCode): string {
  return `/shipping?code=${encodeURIComponent(`${code.registrantId}.${code.secret}`)}`;
}

async function renderForm(
  request: AppRequest,
  env: Env,
  { profile, shipping }: { profile: Profile; shipping: ShippingState },
  code: LinkCode,
  fields: Fields,
  errors: FieldErrors,
  status: number,
  saved: "address" | "consent" | null = null,
): Promise<Response> {
  const { config } = request;
  const chosen = typeof fields.country === "string" ? fields.country.toUpperCase() : "";
  const size = typeof fields.tshirt_size === "string" ? fields.tshirt_size : "";
  const editable = shipping.status === "awaiting" || shipping.status === "ready";
  const [results, content] = await Promise.all([publishedResults(env), readContent(env)]);
  const published = results !== null;
  const listed = results?.winners.some((winner) => winner.slot === shipping.slot) ?? false;
  const contact = content.fields.contact;
  return renderPage(
    request,
    config,
    PAGES.shipping,
    {
      title: "Your prize",
      text: {
        heading: shipping.status === "shipped" ? "Your prize is on its way" : shipping.status === "expired" ? "Your prize hold has ended" : "Your prize: where should we send it?",
        firstname: profile.firstname,
        slot: shipping.slot,
        shipsTo: whereShipped(config.shipsTo),
        consentChange: contact ? `To change that, write to the organisers at ${contact}.` : "To change that, write to the organisers.",
      },
      href: { trackingUrl: shipping.trackingUrl ?? "#" },
      times: { holdExpiresAt: shipping.holdExpiresAt },
      fields: { ...fields, code: `${code.registrantId}.${code.secret}` },
      errors,
      html: {
        // Countries by name, in the visitor's language order; sizes in the order the organisers set.
        countries: options([...config.shipsTo].sort((a, b) => countryName(a).localeCompare(countryName(b))), chosen, countryName),
        sizes: options(config.tshirtSizes, size, (s) => s),
      },
      attributes: { formAction: { action: shippingPath(code) } },
      show: {
        savedAddress: saved === "address",
        savedConsent: saved === "consent",
        awaiting: shipping.status === "awaiting",
        ready: shipping.status === "ready",
        shipped: shipping.status === "shipped",
        tracked: shipping.trackingUrl !== null,
        expired: shipping.status === "expired",
        editable,
        tshirt: config.tshirtSizes.length > 0,
        consentOpen: !published && shipping.status !== "expired",
        consentClosed: published && shipping.status !== "expired",
        listed,
      },
    },
    { status },
  );
}

/** <option> elements in the order given, escaped, with the chosen one selected and an empty prompt first. */
function options(values: readonly string[], chosen: string, label: (value: string) => string): string {
  return [`<option value="">Choose…</option>`]
    .concat(values.map((value) => `<option value="${escapeHtml(value)}"${value === chosen ? " selected" : ""}>${escapeHtml(label(value))}</option>`))
    .join("");
}
