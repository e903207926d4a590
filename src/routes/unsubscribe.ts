/**
 * Unsubscribing from announcements with the signed link each one carries: no login, and a
 * link made for one entrant cannot unsubscribe another. Opening the link asks first (mail
 * scanners open links); the form, or a mail client's one-click POST (RFC 8058, body
 * `List-Unsubscribe=One-Click` to the same address), unsubscribes. Transactional emails
 * about the entrant's own entry are not affected.
 */
import * as v from "valibot";
import { validUnsubscribe } from "../announcements/announcements";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json, wantsJson } from "../http/negotiate";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import { RegistrantId } from "../schemas/prizes";
import { unsubscribe } from "../store/announcements";
import type { AppRequest } from "./context";

const INVALID = "This unsubscribe link is not valid. Use the link from the bottom of the latest announcement.";

const UnsubscribeLink = v.object({ id: RegistrantId, sig: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/)) });

/** The link's entrant, if its signature is Swagbox's; else 404. */
async function signedEntrant(request: AppRequest, fields: Record<string, unknown>): Promise<string> {
  const secret = request.config.unsubscribeSecret;
  const link = v.safeParse(UnsubscribeLink, { id: fields.id, sig: fields.sig });
  if (!secret || !link.success || !(await validUnsubscribe(secret, link.output.id, link.output.sig))) {
    throw new HttpError(404, "not_found", INVALID);
  }
  return link.output.id;
}

/** GET /unsubscribe?id=…&sig=… — asks before unsubscribing. */
export async function unsubscribePage(request: AppRequest): Promise<Response> {
  const id = await signedEntrant(request, request.query);
  return renderPage(request, request.config, PAGES.unsubscribe, {
    title: "Stop the announcements",
    text: { heading: "Stop the announcements?", message: `You will get no more announcements from ${request.config.contestName}.` },
    fields: { id, sig: request.query.sig },
    show: { ask: true },
  });
}

/** POST /unsubscribe — from the page's form, or a mail client's one-click request (id and sig in the address). */
export async function confirmUnsubscribe(request: AppRequest, env: Env): Promise<Response> {
  const body = request.body ? await readFields(request, request.config.maxBodyBytes) : {};
  const id = await signedEntrant(request, { id: body.id ?? request.query.id, sig: body.sig ?? request.query.sig });
  await unsubscribe(env.DB, id);
  if (wantsJson(request)) return json({ unsubscribed: true });
  return renderPage(request, request.config, PAGES.unsubscribe, {
    title: "Unsubscribed",
    text: { heading: "You are unsubscribed", message: `You will get no more announcements from ${request.config.contestName}.` },
    show: { ask: false },
  });
}
