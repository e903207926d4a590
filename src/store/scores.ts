/**
 * The judges' scores as the index shows them: an entry's `score` (the mean of its judges'
 * weighted scores) and `scores_count` (its reviews) count only scores that are not
 * `conflicted`, so a judge's conflict of interest takes their score out of both.
 */

/** Recomputes `score` and `scores_count` of the index rows `where` selects (bound with `params`). */
export function rescoreStatement(db: D1Database, where: string, params: readonly unknown[]): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE entries SET score = (SELECT AVG(weighted) FROM scores WHERE entry_id = entries.id AND conflicted = 0),
         scores_count = (SELECT COUNT(*) FROM scores WHERE entry_id = entries.id AND conflicted = 0) WHERE ${where}`,
    )
    .bind(...params);
}
