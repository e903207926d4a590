import type { DemoStatus, RepoStatus } from "../schemas/link-check";

/** A demo that is not live: down, unreachable, or refused. */
export const DEMO_FAILS: readonly DemoStatus[] = ["error", "unreachable", "refused"];
/** A repository that is not shown to be public: missing, private, down, unreachable, or refused. */
export const REPO_FAILS: readonly RepoStatus[] = ["private", "missing", "error", "unreachable", "refused"];

/**
 * True when a check showed the submission's basic requirement unmet: the demo is not live,
 * or the repository is not public. A link that was not checked (network checks off, or the
 * check gave up) proves nothing either way, so it never fails a submission.
 */
export function failsReview(demo: DemoStatus, repo: RepoStatus): boolean {
  return DEMO_FAILS.includes(demo) || REPO_FAILS.includes(repo);
}
