/** Organisers' private notes on an entry, with author and time; erased with the entrant. */
import { auditStatement, type AuditActor } from "./audit";

export interface Note {
  id: number;
  entry_id: string;
  author: string;
  body: string;
  created_at: number;
}

/** Adds a note and its audit entry (which names the note, not its text) in one D1 batch. */
export async function addNote(db: D1Database, author: AuditActor, entryId: string, body: string, now = Date.now()): Promise<Note> {
  const [inserted] = await db.batch<Note>([
    db.prepare("INSERT INTO entry_notes (entry_id, author, body, created_at) VALUES (?, ?, ?, ?) RETURNING *").bind(entryId, author.name, body, now),
    auditStatement(db, author, "note", entryId, { length: body.length }, now),
  ]);
  return inserted!.results[0]!;
}

/** The entry's notes, newest first (at most 500). */
export async function notesOn(db: D1Database, entryId: string): Promise<Note[]> {
  const { results } = await db.prepare("SELECT * FROM entry_notes WHERE entry_id = ? ORDER BY id DESC LIMIT 500").bind(entryId).all<Note>();
  return results;
}
