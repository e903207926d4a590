/**
 * Judges' conflicts of interest in D1. A conflict names an entrant's email address, an
 * email domain (its subdomains too) or an entry id. A judge in conflict with an entry is
 * never sent to it, cannot score it, and any score they gave it earlier is kept but flagged
 * `conflicted`, which takes it out of the mean, the z-scores and the review count.
 */
import { auditStatement, type AuditActor } from "./audit";
import { rescoreStatement } from "./scores";

export type ConflictKind = "email" | "domain" | "entry";

export interface Conflict {
  id: number;
  judge: string;
  kind: ConflictKind;
  value: string;
  reason: string;
  declared_by: string;
  created_at: number;
}

/**
 * SQL, true when the judge named by the SQL expression `judge` has a conflict with the
 * index row aliased `e` (email addresses in the index are lower-case, as conflicts are).
 */
export function conflictExists(judge: string): string {
  return `EXISTS (SELECT 1 FROM conflicts c WHERE c.judge = ${judge} AND ${MATCHES_ENTRY})`;
}

const DOMAIN = "substr(e.email, instr(e.email, '@') + 1)";

const MATCHES_ENTRY = `(
    (c.kind = 'entry' AND c.value = e.id)
    OR (c.kind = 'email' AND c.value = e.email)
    OR (c.kind = 'domain' AND (${DOMAIN} = c.value OR substr(${DOMAIN}, -length(c.value) - 1) = '.' || c.value)))`;

/** The judge's conflicts with one entry, oldest first (empty when there is none). */
export async function conflictsWith(db: D1Database, judge: string, entryId: string): Promise<Conflict[]> {
  const { results } = await db
    .prepare(`SELECT c.* FROM conflicts c JOIN entries e ON e.id = ?2 WHERE c.judge = ?1 AND ${MATCHES_ENTRY} ORDER BY c.id`)
    .bind(judge, entryId)
    .all<Conflict>();
  return results;
}

/**
 * After the judge's conflicts changed: each of their scores flagged anew, the means of the
 * entries they scored recomputed, and their leases on entries now in conflict ended.
 */
function judgeRefreshStatements(db: D1Database, judge: string): D1PreparedStatement[] {
  return [
    db
      .prepare(`UPDATE scores SET conflicted = (SELECT ${conflictExists("scores.judge")} FROM entries e WHERE e.id = scores.entry_id) WHERE judge = ?`)
      .bind(judge),
    rescoreStatement(db, "id IN (SELECT entry_id FROM scores WHERE judge = ?)", [judge]),
    db.prepare(`DELETE FROM leases WHERE judge = ?1 AND EXISTS (SELECT 1 FROM entries e WHERE e.id = leases.entry_id AND ${conflictExists("?1")})`).bind(judge),
  ];
}

/**
 * Records a conflict (declaring it again changes nothing) with its effects and its audit
 * entry, in one D1 batch. Returns the conflict, and whether it is new.
 */
export async function declareConflict(
  db: D1Database,
  actor: AuditActor,
  conflict: Pick<Conflict, "judge" | "kind" | "value" | "reason">,
  now = Date.now(),
): Promise<{ conflict: Conflict; created: boolean }> {
  const [inserted] = await db.batch<Conflict>([
    db
      .prepare(
        `INSERT INTO conflicts (judge, kind, value, reason, declared_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (judge, kind, value) DO NOTHING RETURNING *`,
      )
      .bind(conflict.judge, conflict.kind, conflict.value, conflict.reason, actor.name, now),
    // Audited only when the statement before stored a new conflict (changes() counts its rows).
    db
      .prepare(
        `INSERT INTO audit_log (at, actor, role, action, target, detail)
         SELECT ?1, ?2, ?3, 'conflict', NULL, json_object('id', id, 'judge', judge, 'kind', kind, 'value', value)
         FROM conflicts WHERE judge = ?4 AND kind = ?5 AND value = ?6 AND changes() = 1`,
      )
      .bind(now, actor.name, actor.role, conflict.judge, conflict.kind, conflict.value),
    ...judgeRefreshStatements(db, conflict.judge),
  ]);
  const created = inserted!.results[0];
  if (created) return { conflict: created, created: true };
  const existing = await db
    .prepare("SELECT * FROM conflicts WHERE judge = ? AND kind = ? AND value = ?")
    .bind(conflict.judge, conflict.kind, conflict.value)
    .first<Conflict>();
  return { conflict: existing!, created: false };
}

/** Removes a conflict, its effects undone, audited; null when there is no such conflict. */
export async function removeConflict(db: D1Database, actor: AuditActor, id: number): Promise<Conflict | null> {
  const conflict = await db.prepare("SELECT * FROM conflicts WHERE id = ?").bind(id).first<Conflict>();
  if (!conflict) return null;
  await db.batch([
    db.prepare("DELETE FROM conflicts WHERE id = ?").bind(id),
    ...judgeRefreshStatements(db, conflict.judge),
    auditStatement(db, actor, "conflict_removed", null, { id, judge: conflict.judge, kind: conflict.kind, value: conflict.value }),
  ]);
  return conflict;
}

/** Conflicts, newest first: one judge's, or everyone's. */
export async function listConflicts(db: D1Database, judge: string | null): Promise<Conflict[]> {
  const { results } = await db
    .prepare("SELECT * FROM conflicts WHERE ?1 IS NULL OR judge = ?1 ORDER BY id DESC LIMIT 1000")
    .bind(judge)
    .all<Conflict>();
  return results;
}
