import type { Config } from "../config";
import { contentSecurityPolicy, type Widget } from "./content-security";
import { render, type RenderOptions, type View } from "./render";
import type { Page } from "./templates";

export interface PageOptions extends Omit<RenderOptions, "timeZone"> {
  /** A third-party widget this response shows (the Turnstile challenge): its origins are allowed. */
  widget?: Widget;
  /**
   * For the pages people share (/, /rules, /winners): the meta description and Open Graph
   * tags, with the organisers' prize picture (https) as the preview image, whose origin
   * the page may then load it from.
   */
  social?: { description: string; image?: string };
}

/**
 * Renders a page with what every page shows (the contest's name) and the visitor's time
 * zone where Cloudflare knows it. Pages never let a referrer carry a link code away, and
 * run no script but their own (docs/decisions.md: "A strict Content-Security-Policy").
 */
export function renderPage(
  request: Request,
  config: Config | null,
  page: Page,
  view: View,
  options: PageOptions = {},
): Response {
  const contestName = config?.contestName ?? "Swagbox";
  const { widget, social, ...renderOptions } = options;
  const headers = new Headers(options.headers);
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  const image = social?.image ? URL.parse(social.image) : null;
  const title = view.title === contestName ? contestName : `${view.title} · ${contestName}`;
  headers.set("content-security-policy", contentSecurityPolicy(page.security, request.url, widget, image ? [image.origin] : []));
  headers.set("referrer-policy", "no-referrer");
  headers.set("x-frame-options", "DENY");
  return render(
    page.html,
    {
      ...view,
      title,
      text: { contestName, ...view.text },
      show: { headerName: true, social: social !== undefined, ogImage: image !== null, ...view.show },
      attributes: {
        ...(social && {
          description: { content: social.description },
          ogTitle: { content: title },
          ogUrl: { content: `${config?.publicUrl ?? new URL(request.url).origin}${new URL(request.url).pathname}` },
          ...(image && { ogImage: { content: image.href } }),
        }),
        ...view.attributes,
      },
    },
    { ...renderOptions, headers, timeZone: visitorTimeZone(request) },
  );
}

function visitorTimeZone(request: Request): string | undefined {
  const timezone = (request as { cf?: { timezone?: unknown } }).cf?.timezone;
  return typeof timezone === "string" ? timezone : undefined;
}
