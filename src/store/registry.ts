import type { EntryRow } from "../schemas/entry-row";

/**
 * The registry of registrants in D1: every living registrant's opaque id. Background tasks
 * walk it in id order. It is its own table, kept beside the judges' index rather than read
 * from it, so a rebuild or a damaged index never loses anyone: each row a Registrant sends
 * lists it (the object keeps the row until D1 holds it), and an erasure takes it off.
 */
export function registerStatements(db: D1Database, rows: readonly EntryRow[]): D1PreparedStatement[] {
  // A row still on its way after an erasure must not list the erased registrant again.
  const insert = db.prepare(
    `INSERT OR IGNORE INTO registrants (id, registered_at)
     SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM entries WHERE id = ?1 AND status = 'erased' AND version > ?3)`,
  );
  return rows.filter((row) => row.status !== "erased").map((row) => insert.bind(row.id, row.registered_at, row.version));
}

/** Up to `limit` registrant ids after `after` (null: from the first), in id order. */
export async function registrantsAfter(db: D1Database, after: string | null, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT id FROM registrants WHERE id > ? ORDER BY id LIMIT ?")
    .bind(after ?? "", limit)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

export async function countRegistrants(db: D1Database): Promise<number> {
  return (await db.prepare("SELECT COUNT(*) AS n FROM registrants").first<{ n: number }>())?.n ?? 0;
}
