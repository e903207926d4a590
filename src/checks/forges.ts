/**
 * What GitHub's and GitLab's public APIs say about a repository: whether it exists and is
 * public, when it was created and last pushed to, whether it is a fork. A rate limit is
 * never an answer about the repository: it throws RateLimited with the time to ask again.
 */
import * as v from "valibot";
import type { LinkResult, RepoFacts, RepoStatus } from "../schemas/link-check";
import { parseRetryAfter } from "../email/providers";
import { CheckerUnavailable, discard, OutOfBudget, RateLimited, type Forge, type Net } from "./net";

/** When a forge gives no time for its rate limit, ask again after this long. */
const RATE_LIMIT_FALLBACK_MS = 60_000;

export type RepoCheck = LinkResult<RepoStatus> & RepoFacts;

/** A repository on a forge with an API: which forge, and the API request that describes it. */
export interface ForgeRepository {
  forge: Forge;
  api: string;
}

/** The forge and API URL for a repository link, or null when its host has no API Swagbox asks. */
export function forgeRepository(url: string): ForgeRepository | null {
  const parsed = URL.parse(url);
  if (!parsed) return null;
  const host = parsed.hostname.replace(/^www\./, "");
  const segments = parsed.pathname.split("/").filter(Boolean);
  if (host === "github.com" && segments.length >= 2) {
    const [owner, name] = segments as [string, string];
    return { forge: "github", api: `https://api.github.com/repos/${owner}/${name.replace(/\.git$/i, "")}` };
  }
  // GitLab paths may have subgroups; "/-/" starts a page of the project (a file, a branch).
  const project = segments.slice(0, segments.includes("-") ? segments.indexOf("-") : undefined);
  if (host === "gitlab.com" && project.length >= 2) {
    const path = project.join("/").replace(/\.git$/i, "");
    return { forge: "gitlab", api: `https://gitlab.com/api/v4/projects/${encodeURIComponent(path)}` };
  }
  return null;
}

const GitHubRepository = v.object({
  private: v.boolean(),
  fork: v.boolean(),
  created_at: v.string(),
  pushed_at: v.nullable(v.string()),
});

const GitLabProject = v.object({
  visibility: v.optional(v.string(), "public"),
  created_at: v.string(),
  last_activity_at: v.nullish(v.string()),
  forked_from_project: v.optional(v.unknown()),
});

/**
 * Asks the repository's forge about it. `missing` covers a private repository too: to a
 * stranger (or a token without access) both are a 404. Throws RateLimited, or
 * CheckerUnavailable for the forge's own 5xx or timeout.
 */
export async function askForge(net: Net, repository: ForgeRepository, githubToken: string | undefined): Promise<RepoCheck> {
  const headers: Record<string, string> =
    repository.forge === "github"
      ? { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", ...(githubToken ? { authorization: `Bearer ${githubToken}` } : {}) }
      : { accept: "application/json" };
  let response = await ask(net, repository.api, headers);
  // A renamed GitHub repository answers with a redirect to its new API address.
  const moved = response.headers.get("location");
  if (response.status >= 300 && response.status < 400 && moved?.startsWith("https://api.github.com/")) response = await ask(net, moved, headers);
  const none = { createdAt: null, pushedAt: null, fork: null };
  if (response.status === 404 || response.status === 410) {
    discard(response);
    return { status: "missing", http: response.status, detail: "the forge does not show this repository to the public: it does not exist, or it is private", ...none };
  }
  const limited = rateLimitedUntil(response);
  if (limited !== null) {
    discard(response);
    throw new RateLimited(repository.forge, limited);
  }
  if (response.status >= 500) {
    discard(response);
    throw new CheckerUnavailable(`${repository.forge} answered ${response.status}`);
  }
  if (!response.ok) {
    discard(response);
    return { status: "error", http: response.status, detail: `${repository.forge} answered ${response.status}`, ...none };
  }
  const body: unknown = await response.json().catch(() => null);
  if (repository.forge === "github") {
    const repo = v.safeParse(GitHubRepository, body);
    if (!repo.success) throw new CheckerUnavailable("github answered something that is not a repository");
    const { private: hidden, fork, created_at, pushed_at } = repo.output;
    return { status: hidden ? "private" : "public", http: 200, detail: null, createdAt: time(created_at), pushedAt: time(pushed_at), fork };
  }
  const project = v.safeParse(GitLabProject, body);
  if (!project.success) throw new CheckerUnavailable("gitlab answered something that is not a project");
  const { visibility, created_at, last_activity_at, forked_from_project } = project.output;
  return {
    status: visibility === "public" ? "public" : "private",
    http: 200,
    detail: null,
    createdAt: time(created_at),
    pushedAt: time(last_activity_at ?? null),
    fork: forked_from_project !== undefined && forked_from_project !== null,
  };
}

async function ask(net: Net, url: string, headers: Record<string, string>): Promise<Response> {
  try {
    return await net.fetch(url, headers);
  } catch (error) {
    if (error instanceof OutOfBudget) throw error;
    throw new CheckerUnavailable(`the forge's API did not answer: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * When a forge's answer is a rate limit, the time to ask again: Retry-After first, then the
 * reset time GitHub (x-ratelimit-reset) or GitLab (ratelimit-reset) sends; null otherwise.
 * GitHub signals its limits with 403 as well as 429, but a 403 without those headers is
 * about the repository (blocked, say), not about us.
 */
function rateLimitedUntil(response: Response, now = Date.now()): number | null {
  const retryAfterS = parseRetryAfter(response.headers.get("retry-after"), now);
  const reset = Number(response.headers.get("x-ratelimit-reset") ?? response.headers.get("ratelimit-reset") ?? NaN);
  const exhausted = response.headers.get("x-ratelimit-remaining") === "0" || response.headers.get("ratelimit-remaining") === "0";
  const limited = response.status === 429 || (response.status === 403 && (exhausted || retryAfterS !== undefined));
  if (!limited) return null;
  if (retryAfterS !== undefined) return now + retryAfterS * 1000;
  if (Number.isFinite(reset) && reset * 1000 > now) return reset * 1000;
  return now + RATE_LIMIT_FALLBACK_MS;
}

function time(text: string | null): number | null {
  if (text === null) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
