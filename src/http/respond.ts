import type { Config } from "../config";
import { PAGES } from "../pages/templates";
import { renderPage } from "../pages/page";
import { HttpError, type FieldErrors } from "./errors";
import { json, wantsJson } from "./negotiate";

const HINTS: Partial<Record<HttpError["code"], string>> = {
  unknown_code:
    "Links are personal, and a new link replaces the old one. Ask for a new link with the email address you signed up with.",
  window_closed: "Check the dates on the landing page.",
  too_large: "Shorten the text you entered and try again.",
  malformed: "Go back and send the form again.",
  unsupported_media_type: "Send the form from the contest's pages, or as JSON.",
  not_found: "Check the address, or start again from the landing page.",
  misconfigured: "The organisers have been told; please try again later.",
  rate_limited: "Wait a minute, then send the form again. Nothing you sent before was lost.",
};

const HEADINGS: Partial<Record<HttpError["code"], string>> = {
  unknown_code: "This link does not work",
  window_closed: "Not open right now",
  not_found: "Page not found",
  misconfigured: "Swagbox is not configured yet",
  rate_limited: "Too many requests",
};

/**
 * The one error path: an HttpError answers with its status, code and message (JSON or an
 * HTML page); anything else is logged with its stack and answered with a 500 that reveals
 * nothing.
 */
export function respondToError(error: unknown, request: Request, config: Config | null): Response {
  const known =
    error instanceof HttpError
      ? error
      : new HttpError(500, "internal", "Something went wrong on our side. Please try again in a minute.");
  if (!(error instanceof HttpError)) console.error("unhandled error", request.method, new URL(request.url).pathname, error);
  // API routes answer JSON whatever the client asked for.
  if (wantsJson(request) || /^(\/admin)?\/api\//.test(new URL(request.url).pathname)) {
    return json({ error: known.code, message: known.message, ...(known.fields && { fields: known.fields }) }, known.status, known.headers);
  }
  return renderPage(
    request,
    config,
    PAGES.error,
    {
      title: HEADINGS[known.code] ?? "Something went wrong",
      text: {
        heading: HEADINGS[known.code] ?? "Something went wrong",
        message: known.message,
        hint: HINTS[known.code] ?? "",
      },
      show: { linkHint: known.code === "unknown_code" },
    },
    { status: known.status, headers: known.headers },
  );
}

/**
 * Answers invalid fields: JSON clients get 422 with every field's message; browsers get
 * the form again, filled in, with each message next to its field.
 */
export function invalidFields(
  request: Request,
  fields: FieldErrors,
  renderForm: (errors: FieldErrors) => Response | Promise<Response>,
): Response | Promise<Response> {
  if (wantsJson(request)) {
    return json({ error: "invalid", message: "Some fields need correcting.", fields }, 422);
  }
  return renderForm(fields);
}
