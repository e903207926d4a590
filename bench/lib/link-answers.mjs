/**
 * What the provider stub answers in the Internet's place for Swagbox's network link checks,
 * which LINK_CHECK_STUB (development only) points at the stub: every request arrives as
 * `/<host><path>?<query>`. DNS over HTTPS gives every name one public address; GitHub's and
 * GitLab's APIs describe a public repository created in the contest; any other host is a
 * live page. Nothing here reaches a real host.
 */
const ADDRESS = "93.184.216.34";
const CREATED = "2026-12-05T10:00:00Z";
const PUSHED = "2027-01-10T10:00:00Z";

/** The answer for a link check's request, or null when `url` is not one (then the stub goes on). */
export function linkCheckAnswer(method, url) {
  const [, host = "", ...rest] = url.pathname.split("/");
  if (method !== "GET" || !host.includes(".")) return null;
  const path = `/${rest.join("/")}`;
  if (host === "cloudflare-dns.com") {
    const a = url.searchParams.get("type") === "1";
    return json({ Status: 0, Answer: a ? [{ type: 1, data: ADDRESS }] : [] });
  }
  if (host === "api.github.com") return json({ private: false, fork: false, created_at: CREATED, pushed_at: PUSHED });
  if (host === "gitlab.com" && path.startsWith("/api/v4/projects/")) return json({ visibility: "public", created_at: CREATED, last_activity_at: PUSHED });
  return { status: 200, type: "text/html", body: "<!doctype html><title>demo</title><p>A demo.</p>" };
}

function json(value) {
  return { status: 200, type: "application/json", body: JSON.stringify(value) };
}
