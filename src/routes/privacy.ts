import * as v from "valibot";
import { isOpen } from "../config";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json, wantsJson } from "../http/negotiate";
import { seeOther } from "../http/respond";
import { systemAuditStatement } from "../store/audit";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import { Consent } from "../schemas/fields";
import type { AppRequest } from "./context";
import { parseLinkCode, registrantFor } from "./link-codes";

const UNKNOWN = "This link is not valid. Use the newest link we emailed you, or ask for a new one.";

const EraseForm = v.object({ confirm: Consent("Tick the box to confirm that everything should be erased") });

/**
 * POST /privacy/erase — an entrant erases everything Swagbox holds about them, with their
 * submission link's code. A prize not yet shipped goes back to the pool.
 */
export async function eraseMyData(request: AppRequest, env: Env): Promise<Response> {
  const body = await readFields(request, request.config.maxBodyBytes);
  const code = parseLinkCode(body.code, UNKNOWN);
  const parsed = v.safeParse(EraseForm, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "Confirm the erasure.", { confirm: parsed.issues[0].message });
  const erased = await registrantFor(env, code, UNKNOWN).eraseWithCode(code.secret);
  if (!erased) throw new HttpError(404, "unknown_code", UNKNOWN);
  await systemAuditStatement(env.DB, { action: "erase", target: code.registrantId, detail: { by: "entrant" } }).run();
  if (wantsJson(request)) return json({ erased: true });
  return seeOther("/privacy/erased");
}

/** GET /privacy/erased — where a browser lands after erasing (it names nobody: anyone may open it). */
export function erasedPage(request: AppRequest): Response {
  return renderPage(request, request.config, PAGES.error, {
    title: "Your data is erased",
    text: {
      heading: "Your data is erased",
      message: "Your registration, submission and any shipping details are gone, and your links no longer work.",
      hint: isOpen(request.config.registration) ? "You can sign up again at any time while registration is open." : "",
    },
  });
}
