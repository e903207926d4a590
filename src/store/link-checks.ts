/**
 * The judges' side of link checks in D1 (`link_checks`): each entry's latest check,
 * written only by the link-check consumer (and the dead-letter consumer when a check gave
 * up). A result is written only when its version is newer than the one held, and never for
 * an entrant erased since the check was asked for (the tombstone's version is above it).
 */
import type { Confirmation } from "../messages/topics";
import type { LinkCheckJob, LinkCheckResult } from "../schemas/link-check";

/** D1 binds at most 100 values in one statement. */
const IDS_PER_QUERY = 90;

/** An erased entrant's tombstone, versioned above every check they asked for, keeps a late write out. */
const NOT_ERASED = "NOT EXISTS (SELECT 1 FROM entries WHERE id = ?1 AND status = 'erased' AND version > ?2)";

/** What the entries list, the drawer and the CSV show of a check. */
export interface LinkCheckRow {
  check_version: number;
  checked_submission: number | null;
  checked_at: number | null;
  demo_status: string | null;
  demo_http: number | null;
  demo_detail: string | null;
  repo_status: string | null;
  repo_http: number | null;
  repo_detail: string | null;
  repo_created_at: number | null;
  repo_pushed_at: number | null;
  repo_fork: number | null;
  repo_before_contest: number | null;
  pending_version: number;
  pending_until: number;
}

/**
 * The statement recording a finished check, unless D1 holds a newer one or the entrant was
 * erased since. `contestOpens` marks a repository created before the contest opened.
 */
export function resultStatement(db: D1Database, job: LinkCheckJob, result: LinkCheckResult, contestOpens: number): D1PreparedStatement {
  const { demo, repo } = result;
  const fork = repo.fork === null ? null : repo.fork ? 1 : 0;
  const before = repo.createdAt === null ? null : repo.createdAt < contestOpens ? 1 : 0;
  return db
    .prepare(
      `INSERT INTO link_checks (entry_id, check_version, checked_submission, checked_at, demo_status, demo_http, demo_detail,
         repo_status, repo_http, repo_detail, repo_created_at, repo_pushed_at, repo_fork, repo_before_contest)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14 WHERE ${NOT_ERASED}
       ON CONFLICT (entry_id) DO UPDATE SET check_version = excluded.check_version, checked_submission = excluded.checked_submission,
         checked_at = excluded.checked_at, demo_status = excluded.demo_status, demo_http = excluded.demo_http,
         demo_detail = excluded.demo_detail, repo_status = excluded.repo_status, repo_http = excluded.repo_http,
         repo_detail = excluded.repo_detail, repo_created_at = excluded.repo_created_at, repo_pushed_at = excluded.repo_pushed_at,
         repo_fork = excluded.repo_fork, repo_before_contest = excluded.repo_before_contest
       WHERE excluded.check_version > link_checks.check_version`,
    )
    .bind(
      job.registrantId, job.version, job.submissionVersion, result.checkedAt,
      demo.status, demo.http, demo.detail?.slice(0, 500) ?? null,
      repo.status, repo.http, repo.detail?.slice(0, 500) ?? null, repo.createdAt, repo.pushedAt, fork, before,
    );
}

/**
 * The statement noting that a check waits (a forge's rate limit) until `until`: its
 * registrant's confirmation then reads "pending" rather than "lost", and does not send it again.
 */
export function leaseStatement(db: D1Database, job: LinkCheckJob, until: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO link_checks (entry_id, pending_version, pending_until) SELECT ?1, ?2, ?3 WHERE ${NOT_ERASED}
       ON CONFLICT (entry_id) DO UPDATE SET pending_version = excluded.pending_version, pending_until = excluded.pending_until
       WHERE excluded.pending_version >= link_checks.pending_version AND excluded.pending_version > link_checks.check_version`,
    )
    .bind(job.registrantId, job.version, until);
}

/** What became of a registrant's check, and, once done, what it found (for the review window). */
export interface CheckConfirmation {
  confirmation: Confirmation;
  /** The check D1 holds (its version at least the job's), once done. */
  found: { version: number; demo: string | null; repo: string | null } | null;
}

/**
 * Whether D1 holds each check a registrant handed to the queue (or a newer one): done;
 * pending while a lease says it waits out a rate limit; lost otherwise, to be sent again.
 */
export async function confirmLinkChecks(db: D1Database, jobs: readonly LinkCheckJob[], now = Date.now()): Promise<CheckConfirmation[]> {
  const rows = new Map<string, Pick<LinkCheckRow, "check_version" | "demo_status" | "repo_status" | "pending_version" | "pending_until">>();
  const ids = [...new Set(jobs.map((job) => job.registrantId))];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    const { results } = await db
      .prepare(`SELECT entry_id, check_version, demo_status, repo_status, pending_version, pending_until FROM link_checks
        WHERE entry_id IN (${chunk.map(() => "?").join(", ")})`)
      .bind(...chunk)
      .all<{ entry_id: string } & LinkCheckRow>();
    for (const row of results) rows.set(row.entry_id, row);
  }
  return jobs.map((job): CheckConfirmation => {
    const row = rows.get(job.registrantId);
    if (row && row.check_version >= job.version) {
      return { confirmation: { status: "done" }, found: { version: row.check_version, demo: row.demo_status, repo: row.repo_status } };
    }
    if (row && row.pending_version >= job.version && row.pending_until > now) {
      return { confirmation: { status: "pending", recheckAt: row.pending_until }, found: null };
    }
    return { confirmation: { status: "lost" }, found: null };
  });
}

/** The entry's latest check, or null when none was recorded. */
export function linkCheckOf(db: D1Database, id: string): Promise<LinkCheckRow | null> {
  return db.prepare("SELECT * FROM link_checks WHERE entry_id = ?").bind(id).first<LinkCheckRow>();
}

/** An erased entrant's checks go. */
export function eraseLinkChecksStatement(db: D1Database, id: string): D1PreparedStatement {
  return db.prepare("DELETE FROM link_checks WHERE entry_id = ?").bind(id);
}
