import type { Judge } from "../schemas/judges";
import { endLeaseStatement } from "../store/assignments";
import { auditStatement } from "../store/audit";
import { conflictExists } from "../store/conflicts";
import { rescoreStatement } from "../store/scores";
import { weightedScore, type Rubric } from "../schemas/rubric";

export interface Score {
  judge: string;
  criteria: Record<string, number>;
  weighted: number;
  comment: string;
  updated_at: number;
  /** Given by a judge now in conflict with the entry: kept, but counted nowhere. */
  conflicted?: boolean;
}

/**
 * Stores this judge's score for the entry (replacing their earlier one), ends their lease on
 * it, refreshes the entry's mean score and records the action, in one D1 batch. A score
 * racing a new conflict of interest is stored flagged as conflicted, counting nowhere.
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
        `INSERT INTO scores (entry_id, judge, criteria, weighted, comment, updated_at, conflicted)
         SELECT e.id, ?2, ?3, ?4, ?5, ?6, ${conflictExists("?2")} FROM entries e WHERE e.id = ?1
         ON CONFLICT (entry_id, judge) DO UPDATE SET criteria = excluded.criteria, weighted = excluded.weighted,
           comment = excluded.comment, updated_at = excluded.updated_at, conflicted = excluded.conflicted`,
      )
      .bind(entryId, judge.name, JSON.stringify(score.criteria), weighted, score.comment, now),
    endLeaseStatement(db, judge.name, entryId),
    rescoreStatement(db, "id = ?", [entryId]),
    auditStatement(db, judge, "score", entryId, { weighted, criteria: score.criteria }),
  ]);
  return { judge: judge.name, criteria: score.criteria, weighted, comment: score.comment, updated_at: now };
}

/** Every judge's score of the entry, by judge; a conflicted one is marked, as it counts nowhere. */
export async function scoresFor(db: D1Database, entryId: string): Promise<Score[]> {
  const { results } = await db
    .prepare("SELECT judge, criteria, weighted, comment, updated_at, conflicted FROM scores WHERE entry_id = ? ORDER BY judge")
    .bind(entryId)
    .all<Omit<Score, "criteria" | "conflicted"> & { criteria: string; conflicted: number }>();
  return results.map((row) => ({ ...row, criteria: JSON.parse(row.criteria) as Record<string, number>, conflicted: row.conflicted === 1 }));
}
