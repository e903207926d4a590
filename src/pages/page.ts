import type { Config } from "../config";
import { render, type RenderOptions, type View } from "./render";

/**
 * Renders a page with what every page shows (the contest's name) and the visitor's time
 * zone where Cloudflare knows it. Pages never let a referrer carry a link code away.
 */
export function renderPage(
  request: Request,
  config: Config | null,
  template: string,
  view: View,
  options: Omit<RenderOptions, "timeZone"> = {},
): Response {
  const contestName = config?.contestName ?? "Swagbox";
  const headers = new Headers(options.headers);
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  headers.set("referrer-policy", "no-referrer");
  headers.set("x-content-type-options", "nosniff");
  headers.set("x-frame-options", "DENY");
  return render(
    template,
    {
      ...view,
      title: view.title === contestName ? contestName : `${view.title} · ${contestName}`,
      text: { contestName, ...view.text },
    },
    { ...options, headers, timeZone: visitorTimeZone(request) },
  );
}

function visitorTimeZone(request: Request): string | undefined {
  const timezone = (request as { cf?: { timezone?: unknown } }).cf?.timezone;
  return typeof timezone === "string" ? timezone : undefined;
}
