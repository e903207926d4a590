/**
 * How far judging has got: over the entries in the contest, and per judge. Reads only.
 */
import { allHold, IN_CONTEST } from "./contest-rules";

export interface JudgeProgress {
  judge: string;
  /** Entries scored, counted or not. */
  scored: number;
  /** Of those, scores a conflict of interest takes out of the rankings. */
  conflicted: number;
  skipped: number;
  /** Entries leased to the judge now. */
  leased: number;
}

export interface OverallProgress {
  reviewsPerEntry: number;
  /** Entries in the contest (with a submission). */
  entries: number;
  /** Entries with at least `reviewsPerEntry` reviews. */
  reviewed: number;
  /** Reviews given, counting at most `reviewsPerEntry` an entry. */
  reviews: number;
  /** Reviews the contest needs: entries × reviewsPerEntry. */
  reviewsNeeded: number;
  /** Entries leased to a judge now. */
  inReview: number;
}

/** Judging overall, and per judge (every judge with any activity, or only `judge`). */
export async function judgingProgress(
  db: D1Database,
  reviewsPerEntry: number,
  judge: string | null,
  now = Date.now(),
): Promise<{ overall: OverallProgress; judges: JudgeProgress[] }> {
  const contest = allHold(IN_CONTEST, 3);
  const [overall, judges] = await db.batch<Record<string, number | string | null>>([
    db
      .prepare(
        `SELECT COUNT(*) AS entries, COALESCE(SUM(e.scores_count >= ?1), 0) AS reviewed, COALESCE(SUM(MIN(e.scores_count, ?1)), 0) AS reviews,
           (SELECT COUNT(DISTINCT entry_id) FROM leases WHERE expires_at > ?2) AS in_review
         FROM entries e WHERE ${contest.sql}`,
      )
      .bind(reviewsPerEntry, now, ...contest.params),
    db
      .prepare(
        `SELECT judge, SUM(scored) AS scored, SUM(conflicted) AS conflicted, SUM(skipped) AS skipped, SUM(leased) AS leased FROM (
           SELECT judge, 1 AS scored, conflicted, 0 AS skipped, 0 AS leased FROM scores
           UNION ALL SELECT judge, 0, 0, 1, 0 FROM skips
           UNION ALL SELECT judge, 0, 0, 0, 1 FROM leases WHERE expires_at > ?1)
         WHERE ?2 IS NULL OR judge = ?2 GROUP BY judge ORDER BY judge`,
      )
      .bind(now, judge),
  ]);
  const row = overall!.results[0]!;
  const entries = Number(row.entries);
  return {
    overall: {
      reviewsPerEntry,
      entries,
      reviewed: Number(row.reviewed),
      reviews: Number(row.reviews),
      reviewsNeeded: entries * reviewsPerEntry,
      inReview: Number(row.in_review),
    },
    judges: judges!.results.map((r) => ({
      judge: String(r.judge),
      scored: Number(r.scored),
      conflicted: Number(r.conflicted),
      skipped: Number(r.skipped),
      leased: Number(r.leased),
    })),
  };
}
