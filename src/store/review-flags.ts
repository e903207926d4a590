/**
 * Judges' flags for organiser review, in D1: one per judge per entry, with a note, until an
 * organiser resolves them. Written by the judges' API, not by the Registrant's projection;
 * `entries.flags_open` counts an entry's open flags, changed in the same D1 batch.
 */
import type { AuditActor } from "./audit";
import { auditStatement } from "./audit";

export interface ReviewFlag {
  entry_id: string;
  judge: string;
  note: string;
  flagged_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
}

/** An open flag in the organisers' queue, with who the entry is. */
export type QueuedFlag = ReviewFlag & { firstname: string; lastname: string; email: string; title: string | null };

const RECOUNT = `UPDATE entries SET flags_open = (SELECT COUNT(*) FROM review_flags WHERE entry_id = ?1 AND resolved_at IS NULL) WHERE id = ?1`;

/** This judge's flag on the entry (replacing their earlier note, and opening it again if it was resolved), audited. */
export async function flagEntry(db: D1Database, judge: AuditActor, entryId: string, note: string, now = Date.now()): Promise<ReviewFlag> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO review_flags (entry_id, judge, note, flagged_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (entry_id, judge) DO UPDATE SET note = excluded.note, flagged_at = excluded.flagged_at,
           resolved_at = NULL, resolved_by = NULL`,
      )
      .bind(entryId, judge.name, note, now),
    db.prepare(RECOUNT).bind(entryId),
    auditStatement(db, judge, "flag", entryId, { note }, now),
  ]);
  return { entry_id: entryId, judge: judge.name, note, flagged_at: now, resolved_at: null, resolved_by: null };
}

/** Resolves every open flag on the entry, audited; how many there were. */
export async function resolveFlags(db: D1Database, organiser: AuditActor, entryId: string, now = Date.now()): Promise<number> {
  const [resolved] = await db.batch<{ judge: string }>([
    db.prepare("UPDATE review_flags SET resolved_at = ?, resolved_by = ? WHERE entry_id = ? AND resolved_at IS NULL RETURNING judge").bind(now, organiser.name, entryId),
    db.prepare(RECOUNT).bind(entryId),
  ]);
  const count = resolved?.results.length ?? 0;
  if (count > 0) await auditStatement(db, organiser, "resolve_flags", entryId, { flags: count }, now).run();
  return count;
}

/** Every flag on the entry, open ones first, newest first. */
export async function flagsFor(db: D1Database, entryId: string): Promise<ReviewFlag[]> {
  const { results } = await db
    .prepare("SELECT * FROM review_flags WHERE entry_id = ? ORDER BY resolved_at IS NOT NULL, flagged_at DESC")
    .bind(entryId)
    .all<ReviewFlag>();
  return results;
}

/** The organisers' queue: open flags, oldest first, a page after (`flagged_at`, entry, judge). */
export async function openFlags(db: D1Database, after: readonly [number, string, string] | null, limit: number): Promise<QueuedFlag[]> {
  const [at, entry, judge] = after ?? [-1, "", ""];
  const { results } = await db
    .prepare(
      `SELECT f.*, e.firstname, e.lastname, e.email, e.title FROM review_flags f JOIN entries e ON e.id = f.entry_id
       WHERE f.resolved_at IS NULL AND (f.flagged_at > ?1 OR (f.flagged_at = ?1 AND (f.entry_id > ?2 OR (f.entry_id = ?2 AND f.judge > ?3))))
       ORDER BY f.flagged_at, f.entry_id, f.judge LIMIT ?4`,
    )
    .bind(at, entry, judge, limit)
    .all<QueuedFlag>();
  return results;
}
