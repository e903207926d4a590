import * as v from "valibot";
import type { Config } from "../config";
import { escapeHtml } from "../html";
import type { Widget } from "../pages/content-security";
import type { Fields } from "./body";
import type { FieldErrors } from "./errors";

/** The form field the Turnstile widget fills with its token. */
export const TURNSTILE_FIELD = "cf-turnstile-response";

const ORIGIN = "https://challenges.cloudflare.com";
const SITEVERIFY = `${ORIGIN}/turnstile/v0/siteverify`;
const SITEVERIFY_TIMEOUT_MS = 5_000;

/** What a page showing the widget must allow: Cloudflare's script, and the frame it draws. */
export const TURNSTILE_WIDGET: Widget = { scripts: [ORIGIN], frames: [ORIGIN] };

/** The widget's action: siteverify reports it, so a token solved for another form of the same site key is refused. */
const ACTION = "signup";

/** What siteverify answers, as far as Swagbox reads it. */
const Siteverify = v.object({ success: v.boolean(), hostname: v.optional(v.string()), action: v.optional(v.string()) });

/** The widget and Cloudflare's script, for the signup form; nothing when Turnstile is off. */
export function turnstileWidget(config: Config): string {
  if (!config.turnstile) return "";
  return `<div class="cf-turnstile" data-sitekey="${escapeHtml(config.turnstile.siteKey)}" data-action="${ACTION}"></div>
<script src="${ORIGIN}/turnstile/v0/api.js" async defer></script>`;
}

/**
 * Asks Cloudflare whether the form's Turnstile token is good (each token counts once) and
 * was solved on this contest's own pages (PUBLIC_URL's host) for the signup widget: a site
 * key may be shared by several sites, whose tokens would otherwise count here.
 * Null when it is, or when Turnstile is off; otherwise the error to show by the widget.
 * An unreachable siteverify fails closed: the visitor can simply try again.
 */
export async function challengeErrors(request: Request, fields: Fields, config: Config): Promise<FieldErrors | null> {
  if (!config.turnstile) return null;
  const token = fields[TURNSTILE_FIELD];
  if (typeof token !== "string" || !token.trim() || token.length > 2048) {
    return { [TURNSTILE_FIELD]: "Complete the check that you are a person" };
  }
  const ip = request.headers.get("cf-connecting-ip");
  try {
    const response = await fetch(SITEVERIFY, {
      method: "POST",
      body: new URLSearchParams({ secret: config.turnstile.secretKey, response: token.trim(), ...(ip ? { remoteip: ip } : {}) }),
      signal: AbortSignal.timeout(SITEVERIFY_TIMEOUT_MS),
    });
    const answer = v.safeParse(Siteverify, await response.json());
    if (answer.success && passed(answer.output, config)) return null;
  } catch (error) {
    console.warn("turnstile: siteverify did not answer", error instanceof Error ? error.message : String(error));
  }
  return { [TURNSTILE_FIELD]: "The check that you are a person did not pass; please do it again" };
}

function passed({ success, hostname, action }: v.InferOutput<typeof Siteverify>, config: Config): boolean {
  return success && hostname === new URL(config.publicUrl).hostname && action === ACTION;
}
