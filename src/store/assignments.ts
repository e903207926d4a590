/**
 * Who reviews what: GET /admin/api/next leases a judge the entry that most needs a review
 * from them, and a judge may skip an entry. A lease counts as a review in progress until
 * it is scored, skipped or expires, so judges asking at the same moment are spread over
 * different entries and no entry is sent to more judges than it needs.
 */
import { allHold, IN_CONTEST } from "./contest-rules";
import { conflictExists } from "./conflicts";

/** How long an entry stays with the judge it was given to. */
export const LEASE_MS = 10 * 60_000;

export interface Lease {
  entry_id: string;
  expires_at: number;
}

const ACTIVE_LEASES = "(SELECT COUNT(*) FROM leases l WHERE l.entry_id = e.id AND l.expires_at > ?2)";

/**
 * Leases `judge` the entry in the contest with the fewest reviews and leases, which they
 * have not scored, skipped or been given already and are not in conflict with, and which
 * has fewer than `reviewsPerEntry` reviews and leases together; ties go to the oldest
 * submission. Null when no entry needs this judge. One statement: D1 runs a database's
 * statements one at a time, so the check and the lease cannot be split by another judge's.
 *
 * The inner query walks the entries by reviews so far (an index) and stops after one more
 * entry than there are leased entries: the first unleased entry it meets is as good as any
 * after it, so the best is among those.
 */
export async function leaseNext(db: D1Database, judge: string, reviewsPerEntry: number, now = Date.now()): Promise<Lease | null> {
  const contest = allHold(IN_CONTEST, 5);
  return db
    .prepare(
      `INSERT INTO leases (entry_id, judge, leased_at, expires_at)
       SELECT id, ?1, ?2, ?3 FROM (
         SELECT e.id, e.submitted_at, e.scores_count + ${ACTIVE_LEASES} AS pending FROM entries e
         WHERE ${contest.sql}
           AND NOT EXISTS (SELECT 1 FROM scores s WHERE s.entry_id = e.id AND s.judge = ?1)
           AND NOT EXISTS (SELECT 1 FROM skips k WHERE k.entry_id = e.id AND k.judge = ?1)
           AND NOT EXISTS (SELECT 1 FROM leases mine WHERE mine.entry_id = e.id AND mine.judge = ?1 AND mine.expires_at > ?2)
           AND NOT ${conflictExists("?1")}
           AND e.scores_count + ${ACTIVE_LEASES} < ?4
         ORDER BY e.scores_count, e.submitted_at, e.id
         LIMIT (SELECT COUNT(DISTINCT entry_id) FROM leases WHERE expires_at > ?2) + 1
       ) WHERE true
       ORDER BY pending, submitted_at, id LIMIT 1
       ON CONFLICT (entry_id, judge) DO UPDATE SET leased_at = excluded.leased_at, expires_at = excluded.expires_at
       RETURNING entry_id, expires_at`,
    )
    .bind(judge, now, now + LEASE_MS, reviewsPerEntry, ...contest.params)
    .first<Lease>();
}

/** Ends the judge's lease on an entry (they scored or skipped it). */
export function endLeaseStatement(db: D1Database, judge: string, entryId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM leases WHERE entry_id = ? AND judge = ?").bind(entryId, judge);
}

/** The judge is not given this entry again; their lease on it ends. Skipping again updates the reason. */
export function skipStatements(db: D1Database, judge: string, entryId: string, reason: string, now = Date.now()): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT INTO skips (entry_id, judge, reason, skipped_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (entry_id, judge) DO UPDATE SET reason = excluded.reason, skipped_at = excluded.skipped_at`,
      )
      .bind(entryId, judge, reason, now),
    endLeaseStatement(db, judge, entryId),
  ];
}
