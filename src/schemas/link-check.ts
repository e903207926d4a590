import * as v from "valibot";
import { RegistrantId } from "./prizes";

const Version = v.pipe(v.number(), v.integer(), v.minValue(1));
const Url = v.pipe(v.string(), v.maxLength(2048));

/**
 * A check of one submission version's links: the `link_check` queue message. `version`
 * rises with every check a registrant asks for (a clock reading, like index versions), so a
 * late result of an older check never replaces a newer one.
 */
export const LinkCheckJob = v.object({
  registrantId: RegistrantId,
  version: Version,
  submissionVersion: Version,
  repoUrl: Url,
  demoUrl: Url,
});

export type LinkCheckJob = v.InferOutput<typeof LinkCheckJob>;

/**
 * What a demo link came to: `live` (2xx or 3xx), `error` (another status, in `http`),
 * `unreachable` (DNS, timeout, TLS), `refused` (never fetched: a static check or its
 * address said no), `unchecked` (network checks are off, or the check gave up).
 */
export const DEMO_STATUSES = ["live", "error", "unreachable", "refused", "unchecked"] as const;

/**
 * What a repository link came to: GitHub and GitLab say `public`, `private` or `missing`
 * (a 404, which is also what a private repository shows to strangers); another host's page
 * is `reachable`, `missing` (404 or 410) or `error`; and as for demos `unreachable`,
 * `refused`, `unchecked`.
 */
export const REPO_STATUSES = ["public", "private", "missing", "reachable", "error", "unreachable", "refused", "unchecked"] as const;

export type DemoStatus = (typeof DEMO_STATUSES)[number];
export type RepoStatus = (typeof REPO_STATUSES)[number];

export interface LinkResult<Status> {
  status: Status;
  /** The HTTP status of the last answer, when there was one. */
  http: number | null;
  /** Why, in words: the refusal's reason, the network error, where a redirect led. */
  detail: string | null;
}

export interface RepoFacts {
  /** When the forge says the repository was created, and last pushed to (ms). */
  createdAt: number | null;
  pushedAt: number | null;
  fork: boolean | null;
}

/** A finished check of a submission's two links. */
export interface LinkCheckResult {
  demo: LinkResult<DemoStatus>;
  repo: LinkResult<RepoStatus> & RepoFacts;
  checkedAt: number;
}
