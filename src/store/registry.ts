import type { RegistryEntry } from "../messages/topics";

/**
 * The registry of registrants in D1: every registrant's opaque id, written by its own
 * object when it is first registered. Background tasks walk it in id order; it does not
 * depend on the judges' index, so a registrant whose index row never arrived is found too.
 */
export function registerStatements(db: D1Database, entries: readonly RegistryEntry[]): D1PreparedStatement[] {
  const insert = db.prepare("INSERT OR IGNORE INTO registrants (id, registered_at) VALUES (?, ?)");
  return entries.map((entry) => insert.bind(entry.id, entry.registeredAt));
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
