import { normaliseUrl } from "../links/normalise";
import { failsReview } from "../links/verdict";
import type { DemoStatus, LinkCheckJob, RepoStatus } from "../schemas/link-check";
import type { LinkClaim, LinkKind } from "../schemas/shared-link";
import type { Sql } from "./sql";

/** Schema of a registrant's link checks; part of the Registrant's schema. */
export const LINK_CHECK_SCHEMA = `
  CREATE TABLE link_check (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    version INTEGER NOT NULL,
    verdict_version INTEGER NOT NULL DEFAULT 0,
    failing INTEGER NOT NULL DEFAULT 0
  );
`;

/** A submission version's links, as the Registrant stores them. */
export interface Links {
  version: number;
  repo_url: string;
  demo_url: string;
}

/** How the collaborator hands its jobs to the Registrant's outbox. */
export interface LinkJobs {
  id: string;
  check(job: LinkCheckJob): void;
  claim(claim: LinkClaim): void;
}

/**
 * A registrant's submitted links, inside its storage: every new version (and every
 * organiser's re-run) queues a check of its links, and every change of a normalised link
 * tells that URL's object (which finds copies). The verdict of the newest check is kept for
 * the first-come review window. Synchronous, for the Registrant's transactions.
 */
export class SubmissionLinks {
  constructor(
    private readonly sql: Sql,
    private readonly jobs: LinkJobs,
  ) {}

  /**
   * Queues a check of `links` under a new check version (a clock reading, rising across
   * an erasure too), and a claim on each normalised URL whose role changed since `before`
   * (null: the first version). Returns the check version.
   */
  check(links: Links, before: Links | null, now: number): number {
    const version = this.sql<{ version: number }>`
      INSERT INTO link_check (singleton, version) VALUES (1, ${now})
      ON CONFLICT (singleton) DO UPDATE SET version = MAX(version + 1, ${now}) RETURNING version`.one().version;
    this.jobs.check({ registrantId: this.jobs.id, version, submissionVersion: links.version, repoUrl: links.repo_url, demoUrl: links.demo_url });
    const was = rolesOf(before);
    const is = rolesOf(links);
    for (const url of new Set([...was.keys(), ...is.keys()])) {
      const kinds = is.get(url) ?? [];
      if (JSON.stringify(kinds) !== JSON.stringify(was.get(url) ?? [])) this.jobs.claim({ url, registrantId: this.jobs.id, kinds, version });
    }
    return version;
  }

  /**
   * Takes what a finished check found, if it is the newest asked for; true when it now
   * shows the submission failing (the demo not live, or the repository not public).
   */
  found(check: { version: number; demo: string | null; repo: string | null }): boolean {
    const failing = failsReview(check.demo as DemoStatus, check.repo as RepoStatus);
    const taken = this.sql`UPDATE link_check SET verdict_version = ${check.version}, failing = ${failing ? 1 : 0}
      WHERE version <= ${check.version} AND verdict_version < ${check.version} RETURNING 1`.toArray().length > 0;
    return taken && failing;
  }

  /** Whether the newest check found the submission failing. */
  failing(): boolean {
    return (this.sql<{ failing: number }>`SELECT failing FROM link_check WHERE verdict_version >= version`.toArray()[0]?.failing ?? 0) === 1;
  }

  /** Whether a check was asked for whose verdict has not arrived. */
  awaitingVerdict(): boolean {
    return this.sql`SELECT 1 FROM link_check WHERE verdict_version < version`.toArray().length > 0;
  }

  /** The newest check version asked for (0: none), which an erasure's releases must outrank. */
  version(): number {
    return this.sql<{ version: number }>`SELECT version FROM link_check`.toArray()[0]?.version ?? 0;
  }
}

/** The normalised URLs of a version's links, each with the roles it plays there. */
export function rolesOf(links: Pick<Links, "repo_url" | "demo_url"> | null): Map<string, LinkKind[]> {
  const roles = new Map<string, LinkKind[]>();
  if (!links) return roles;
  for (const [kind, url] of [["repo", links.repo_url], ["demo", links.demo_url]] as const) {
    const normalised = normaliseUrl(url);
    if (normalised) roles.set(normalised, [...(roles.get(normalised) ?? []), kind]);
  }
  return roles;
}
