/**
 * One spelling for every way of writing the same link, so that copies are found: the
 * scheme, `www.`, the query, the fragment, a trailing slash and `.git` do not count, hosts
 * are lower case, and a GitHub repository is its owner and name in lower case whatever page
 * of it was linked. What remains is compared as text.
 */

/** Hosts whose repository paths are case-insensitive and name a repository by two segments. */
const GITHUB_HOSTS = new Set(["github.com"]);

/**
 * The normalised form of an http(s) URL: host (lower case, without `www.` or a trailing
 * dot, with a port only if it is not the scheme's default) and path; null for anything that
 * is not an http(s) URL. `https://www.GitHub.com/Ada/Edge-Chess.git/?tab=readme#top` and
 * `http://github.com/ada/edge-chess/tree/main` are both `github.com/ada/edge-chess`.
 */
export function normaliseUrl(text: string): string | null {
  const url = URL.parse(text);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") return null;
  const host = url.hostname.replace(/\.$/, "").replace(/^www\./, "");
  const port = url.port === "" || url.port === "80" || url.port === "443" ? "" : `:${url.port}`;
  let segments = url.pathname.split("/").filter((segment) => segment !== "");
  if (GITHUB_HOSTS.has(host) && segments.length >= 2) segments = segments.slice(0, 2).map((segment) => segment.toLowerCase());
  const path = segments.join("/").replace(/\.git$/i, "");
  return `${host}${port}${path ? `/${path}` : ""}`;
}
