import { createHash } from "node:crypto";

/** What a page needs beyond its own inline scripts and styles, declared where it is composed. */
export interface PageNeeds {
  /** It shows the prizes left, so its script opens the /live WebSocket. */
  live?: boolean;
  /** Same-origin folders it loads module scripts from, such as "/admin/dashboard/". */
  scriptFolders?: readonly string[];
  /** Same-origin folders it loads stylesheets from. */
  styleFolders?: readonly string[];
}

/** A third-party widget one response turns on: the origins its script and frames come from. */
export interface Widget {
  scripts: readonly string[];
  frames: readonly string[];
}

/** Everything a page's policy is made of, computed once when the page is composed. */
export interface PageSecurity {
  scriptHashes: readonly string[];
  styleHashes: readonly string[];
  live: boolean;
  scriptFolders: readonly string[];
  styleFolders: readonly string[];
}

const INLINE = {
  script: /<script\b([^>]*)>([\s\S]*?)<\/script>/gi,
  style: /<style\b([^>]*)>([\s\S]*?)<\/style>/gi,
};

/**
 * The CSP sources ('sha256-…') of every inline <script> and <style> in a page's markup,
 * in order. A <script src> is not inline and is left to the page's folders or widgets.
 * The markup is the page's own template, so reading it with a pattern is enough.
 */
export function inlineHashes(html: string, tag: keyof typeof INLINE): string[] {
  const hashes: string[] = [];
  for (const [, attributes, body] of html.matchAll(INLINE[tag])) {
    if (tag === "script" && /\bsrc\s*=/i.test(attributes ?? "")) continue;
    hashes.push(`'sha256-${createHash("sha256").update(body ?? "", "utf8").digest("base64")}'`);
  }
  return hashes;
}

/** A page's security needs from its composed markup and what it declared. */
export function pageSecurity(html: string, needs: PageNeeds = {}): PageSecurity {
  return {
    scriptHashes: inlineHashes(html, "script"),
    styleHashes: inlineHashes(html, "style"),
    live: needs.live ?? false,
    scriptFolders: needs.scriptFolders ?? [],
    styleFolders: needs.styleFolders ?? [],
  };
}

/**
 * The Content-Security-Policy for one response of a page. Scripts run only if they are the
 * page's own inline scripts (by hash), come from its declared same-origin folders, or from
 * a widget turned on for this response; styles only by hash or from its declared folders,
 * so no style attribute applies.
 * Nothing else loads but same-origin images (and those of `imageOrigins`, the organisers'
 * prize picture) and connections (plus the page's WebSocket), forms post only here, and no
 * other site may frame the page.
 */
export function contentSecurityPolicy(security: PageSecurity, requestUrl: string, widget?: Widget, imageOrigins: readonly string[] = []): string {
  const origin = new URL(requestUrl);
  const directives: Record<string, string[]> = {
    "default-src": ["'none'"],
    "script-src": [
      ...security.scriptHashes,
      ...security.scriptFolders.map((folder) => new URL(folder, origin).href),
      ...(widget?.scripts ?? []),
    ],
    "style-src": [...security.styleHashes, ...security.styleFolders.map((folder) => new URL(folder, origin).href)],
    "img-src": ["'self'", ...imageOrigins],
    // 'self' covers ws: and wss: only in some browsers; the page's own socket is named.
    "connect-src": ["'self'", ...(security.live ? [`${origin.protocol === "https:" ? "wss" : "ws"}://${origin.host}`] : [])],
    "frame-src": [...(widget?.frames ?? [])],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.length ? sources.join(" ") : "'none'"}`)
    .join("; ");
}

/**
 * The headers of an email shown as it is (a preview): its own markup, nothing in it may run
 * or load but images; its inline styles are what mail clients need, so they are allowed
 * here and on no page of Swagbox's own.
 */
export const EMAIL_PREVIEW_HEADERS = {
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
} as const;
