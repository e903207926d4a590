import type { Judge } from "../schemas/judges";
import { auditStatement } from "../store/audit";
import { weightedScore, type Rubric } from "../schemas/rubric";

export interface Score {
  judge: string;
  criteria: Record<string, number>;
  weighted: number;
  comment: string;
  updated_at: number;
}

/**
 * Stores this judge's score for the entry (replacing their earlier one), refreshes the
 * entry's mean score and records the action, in one D1 batch.
 */
export async function putScore(
  db: D1Database,
  rubric: Rubric,
  judge: Judge,
  entryId: string,
  score: { criteria: Record<string, number>; comment: string },
): Promise<Score> {
  const weighted = weightedScore(rubric, score.criteria);
  const now = Date.now();
  await db.batch([
    db
      .prepare(
        `INSERT INTO scores (entry_id, judge, criteria, weighted, comment, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (entry_id, judge) DO UPDATE SET criteria = excluded.criteria, weighted = excluded.weighted,
           comment = excluded.comment, updated_at = excluded.updated_at`,
      )
      .bind(entryId, judge.name, JSON.stringify(score.criteria), weighted, score.comment, now),
    db
      .prepare(
        `UPDATE entries SET score = (SELECT AVG(weighted) FROM scores WHERE entry_id = ?1),
           scores_count = (SELECT COUNT(*) FROM scores WHERE entry_id = ?1) WHERE id = ?1`,
      )
      .bind(entryId),
    auditStatement(db, judge, "score", entryId, { weighted, criteria: score.criteria }),
  ]);
  return { judge: judge.name, criteria: score.criteria, weighted, comment: score.comment, updated_at: now };
}

export async function scoresFor(db: D1Database, entryId: string): Promise<Score[]> {
  const { results } = await db
    .prepare("SELECT judge, criteria, weighted, comment, updated_at FROM scores WHERE entry_id = ? ORDER BY judge")
    .bind(entryId)
    .all<Omit<Score, "criteria"> & { criteria: string }>();
  return results.map((row) => ({ ...row, criteria: JSON.parse(row.criteria) as Record<string, number> }));
}
