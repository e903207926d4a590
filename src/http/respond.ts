import type { Config } from "../config";
import { PAGES } from "../pages/templates";
import { renderPage } from "../pages/page";
import { HttpError, type FieldErrors } from "./errors";
import { json, wantsJson } from "./negotiate";

const HINTS: Partial<Record<HttpError["code"], string>> = {
  unknown_code:
    "Links are personal, and opening a newer link retires the older ones. Ask for a new link with the email address you signed up with.",
  window_closed: "Check the dates on the landing page.",
  too_large: "Shorten the text you entered and try again.",
  malformed: "Go back and send the form again.",
  unsupported_media_type: "Send the form from the contest's pages, or as JSON.",
  not_found: "Check the address, or start again from the landing page.",
  misconfigured: "The organisers have been told; please try again later.",
  rate_limited: "Wait a minute, then send the form again. Nothing you sent before was lost.",
  banned: "The organisers' contact details are in the rules.",
};

const HEADINGS: Partial<Record<HttpError["code"], string>> = {
  unknown_code: "This link does not work",
  window_closed: "Not open right now",
  not_found: "Page not found",
  misconfigured: "Swagbox is not configured yet",
  rate_limited: "Too many requests",
  banned: "You cannot take part",
};

/**
 * The one error path: an HttpError answers with its status, code and message (JSON or an
 * HTML page); anything else is answered with a 500 that reveals nothing. Every 5xx and
 * every unexpected error is logged, with its private reason or stack and the request's id,
 * which the answer carries too (`x-request-id`) so that a report can be matched to the log.
 */
export function respondToError(error: unknown, request: Request, config: Config | null): Response {
  const known =
    error instanceof HttpError
      ? error
      : new HttpError(500, "internal", "Something went wrong on our side. Please try again in a minute.");
  const requestId = request.headers.get("cf-ray") ?? crypto.randomUUID();
  if (!(error instanceof HttpError) || known.status >= 500) {
    console.error(
      JSON.stringify({
        level: "error",
        requestId,
        method: request.method,
        path: new URL(request.url).pathname,
        status: known.status,
        code: known.code,
        reason: error instanceof HttpError ? (known.reason ?? known.message) : errorText(error),
      }),
    );
  }
  const headers = { ...known.headers, "x-request-id": requestId };
  // API routes answer JSON whatever the client asked for.
  if (wantsJson(request) || /^(\/admin)?\/api\//.test(new URL(request.url).pathname)) {
    return json({ error: known.code, message: known.message, ...(known.fields && { fields: known.fields }) }, known.status, headers);
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
    { status: known.status, headers },
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
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

/**
 * 303 See Other to `location`: a browser's form post answered with the page to show, so
 * that the address it ends on reloads that page rather than posting the form again.
 */
export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}
