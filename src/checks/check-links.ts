/**
 * One submission's links checked: static checks always, network checks when the
 * configuration turns them on (LINK_CHECKS). The repository is asked about first, so that a
 * forge's rate limit defers the whole check before anything else is fetched.
 */
import { refusal } from "../links/static-check";
import type { DemoStatus, LinkCheckJob, LinkCheckResult, LinkResult } from "../schemas/link-check";
import { fetchLink } from "./fetch-link";
import { askForge, forgeRepository, type RepoCheck } from "./forges";
import { RateLimited, type Forge, type Net } from "./net";

export interface Checker {
  /** Network checks on; without them, links that pass the static checks are `unchecked`. */
  network: boolean;
  net: Net;
  githubToken: string | undefined;
  /** Until when each forge asked us to wait (a shared pause); absent: not paused. */
  pausedUntil: Partial<Record<Forge, number>>;
}

const NOT_CHECKED = "network checks are off (LINK_CHECKS)";
const NONE = { createdAt: null, pushedAt: null, fork: null };

/**
 * The check's result. Throws RateLimited (a forge paused or limiting: check again then),
 * OutOfBudget (this invocation's subrequests are used up) or CheckerUnavailable (our own
 * tools failed); never because of anything the links themselves did.
 */
export async function checkLinks(job: LinkCheckJob, checker: Checker, now = Date.now()): Promise<LinkCheckResult> {
  if (!checker.network) return staticResult(job, NOT_CHECKED, now);
  const demoRefused = refusal(job.demoUrl);
  const repoRefused = refusal(job.repoUrl);
  const repo: RepoCheck = repoRefused ? { ...refused(repoRefused), ...NONE } : await checkRepository(job.repoUrl, checker, now);
  const demo: LinkResult<DemoStatus> = demoRefused ? refused(demoRefused) : await fetchLink(checker.net, job.demoUrl);
  return { demo, repo, checkedAt: now };
}

/**
 * What the static checks alone say: refused links are refused, the others `unchecked`,
 * with `why` they were not fetched (network checks off; the check gave up).
 */
export function staticResult(job: LinkCheckJob, why: string, now = Date.now()): LinkCheckResult {
  const demoRefused = refusal(job.demoUrl);
  const repoRefused = refusal(job.repoUrl);
  const unchecked = { status: "unchecked" as const, http: null, detail: why };
  return {
    demo: demoRefused ? refused(demoRefused) : unchecked,
    repo: { ...(repoRefused ? refused(repoRefused) : unchecked), ...NONE },
    checkedAt: now,
  };
}

function refused(detail: string) {
  return { status: "refused" as const, http: null, detail };
}

/** A forge's word on a repository it hosts; for any other host, whether the page answers. */
async function checkRepository(url: string, checker: Checker, now: number): Promise<RepoCheck> {
  const repository = forgeRepository(url);
  if (!repository) {
    const page = await fetchLink(checker.net, url);
    const status = page.status === "live" ? "reachable" : page.status === "error" && (page.http === 404 || page.http === 410) ? "missing" : page.status;
    return { ...page, status, ...NONE };
  }
  const paused = checker.pausedUntil[repository.forge];
  if (paused !== undefined && paused > now) throw new RateLimited(repository.forge, paused);
  return askForge(checker.net, repository, checker.githubToken);
}
