import { vi } from "vitest";

/**
 * A stand-in for the Internet as link checks see it, inside the test runtime (outbound
 * fetch is replaced, so nothing leaves the machine): DNS over HTTPS, web sites by host, and
 * the GitHub and GitLab APIs. Anything else is a stray, recorded and answered with an error.
 */
export type SiteAnswer =
  | { status: number; location?: string }
  /** No answer within the checker's timeout. */
  | "timeout";

export interface Site {
  /** The host's A and AAAA records; none: NXDOMAIN. */
  addresses: string[];
  answer?: SiteAnswer;
}

export type RepoAnswer =
  | { kind: "public" | "private" | "fork"; createdAt?: string; pushedAt?: string }
  | { kind: "missing" }
  | { kind: "server-error" }
  | { kind: "rate-limited"; retryAfterS?: number; resetAt?: number };

export interface LinkWorld {
  sites: Record<string, Site>;
  /** GitHub repositories by `owner/name`, GitLab projects by their path. */
  github: Record<string, RepoAnswer>;
  gitlab: Record<string, RepoAnswer>;
}

export interface LinkStub {
  world: LinkWorld;
  /** Every URL fetched, in order (DNS queries included). */
  readonly fetched: string[];
  /** URLs fetched that are not part of the world: a test must leave none. */
  readonly strays: string[];
  /** The URLs fetched on `host` itself (not DNS queries about it). */
  hits(host: string): string[];
}

const DOH = "https://cloudflare-dns.com/dns-query";

/** Installs the stub as the runtime's fetch; `vi.restoreAllMocks()` removes it. */
export function installLinkStub(world: Partial<LinkWorld> = {}): LinkStub {
  const stub: LinkStub = {
    world: { sites: {}, github: {}, gitlab: {}, ...world },
    fetched: [],
    strays: [],
    hits: (host) => stub.fetched.filter((url) => new URL(url).host === host),
  };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    stub.fetched.push(url);
    const parsed = new URL(url);
    if (url.startsWith(DOH)) return dns(stub.world, parsed);
    // GitHub's API, like GitHub, does not mind the case of an owner or a name.
    if (parsed.host === "api.github.com") return repo(stub.world.github[parsed.pathname.replace(/^\/repos\//, "").toLowerCase()], "github");
    if (parsed.host === "gitlab.com" && parsed.pathname.startsWith("/api/v4/projects/")) {
      return repo(stub.world.gitlab[decodeURIComponent(parsed.pathname.slice("/api/v4/projects/".length))], "gitlab");
    }
    const site = stub.world.sites[parsed.hostname];
    if (!site?.answer) {
      stub.strays.push(url);
      throw new TypeError(`tests never reach the network (${url})`);
    }
    // As the checker's own timeout would end it, without waiting for it.
    if (site.answer === "timeout") throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    const headers = site.answer.location ? { location: site.answer.location } : undefined;
    return new Response(site.answer.status >= 300 && site.answer.status < 400 ? null : "<html>demo</html>", { status: site.answer.status, headers });
  });
  return stub;
}

function dns(world: LinkWorld, url: URL): Response {
  const name = url.searchParams.get("name") ?? "";
  const type = Number(url.searchParams.get("type"));
  const site = world.sites[name];
  if (!site || site.addresses.length === 0) return Response.json({ Status: 3, Answer: [] });
  const records = site.addresses.filter((address) => (type === 28) === address.includes(":"));
  return Response.json({ Status: 0, Answer: records.map((data) => ({ type, data })) });
}

function repo(answer: RepoAnswer | undefined, forge: "github" | "gitlab"): Response {
  if (!answer || answer.kind === "missing") return Response.json({ message: "Not Found" }, { status: 404 });
  if (answer.kind === "server-error") return Response.json({ message: "Server Error" }, { status: 502 });
  if (answer.kind === "rate-limited") {
    const headers: Record<string, string> = {};
    if (answer.retryAfterS !== undefined) headers["retry-after"] = String(answer.retryAfterS);
    if (answer.resetAt !== undefined) headers[forge === "github" ? "x-ratelimit-reset" : "ratelimit-reset"] = String(Math.floor(answer.resetAt / 1000));
    headers[forge === "github" ? "x-ratelimit-remaining" : "ratelimit-remaining"] = "0";
    return Response.json({ message: "API rate limit exceeded" }, { status: forge === "github" ? 403 : 429, headers });
  }
  const createdAt = answer.createdAt ?? "2026-12-05T10:00:00Z";
  const pushedAt = answer.pushedAt ?? "2027-01-10T10:00:00Z";
  if (forge === "github") {
    return Response.json({ private: answer.kind === "private", fork: answer.kind === "fork", created_at: createdAt, pushed_at: pushedAt });
  }
  return Response.json({
    visibility: answer.kind === "private" ? "private" : "public",
    created_at: createdAt,
    last_activity_at: pushedAt,
    ...(answer.kind === "fork" ? { forked_from_project: { id: 1 } } : {}),
  });
}
