/**
 * Links entrants share, in D1: who holds each normalised repository or demo URL
 * (`link_owners`), one row per URL and registrant, written by that URL's SharedLink object
 * as it takes each claim. The object decides; D1 only shows it to the judges.
 */
import type { LinkClaim, LinkKind } from "../schemas/shared-link";

/** SQL true for the entry `e` when another entry holds one of its URLs. */
export const SHARES_A_LINK = `EXISTS (SELECT 1 FROM link_owners mine JOIN link_owners other
  ON other.url = mine.url AND other.entry_id != mine.entry_id AND other.kinds != '[]'
  WHERE mine.entry_id = e.id AND mine.kinds != '[]')`;

/**
 * Statements recording claims the URLs' objects took (batch them), each unless D1 holds a
 * newer claim of that registrant on that URL, or the registrant was erased since (its
 * tombstone is versioned at or above the erasure's own letting go).
 */
export function ownerStatements(db: D1Database, claims: readonly LinkClaim[]): D1PreparedStatement[] {
  const upsert = db.prepare(
    `INSERT INTO link_owners (url, entry_id, kinds, version)
     SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM entries WHERE id = ?2 AND status = 'erased' AND version >= ?4)
     ON CONFLICT (url, entry_id) DO UPDATE SET kinds = excluded.kinds, version = excluded.version
     WHERE excluded.version > link_owners.version`,
  );
  return claims.map((claim) => upsert.bind(claim.url, claim.registrantId, JSON.stringify(claim.kinds), claim.version));
}

/** Another entry that holds one of an entry's links, and which. */
export interface SharedWith {
  id: string;
  firstname: string | null;
  lastname: string | null;
  title: string | null;
  /** The normalised URLs they share, each with what it is to them. */
  links: { url: string; kind: LinkKind }[];
}

/** The entries sharing a link with entry `id` (at most 100), with the links they share. */
export async function sharedWith(db: D1Database, id: string): Promise<SharedWith[]> {
  const { results } = await db
    .prepare(
      `SELECT other.entry_id AS id, other.url, other.kinds, e.firstname, e.lastname, e.title
       FROM link_owners mine JOIN link_owners other ON other.url = mine.url AND other.entry_id != mine.entry_id AND other.kinds != '[]'
       LEFT JOIN entries e ON e.id = other.entry_id
       WHERE mine.entry_id = ? AND mine.kinds != '[]' ORDER BY other.entry_id, other.url LIMIT 200`,
    )
    .bind(id)
    .all<{ id: string; url: string; kinds: string; firstname: string | null; lastname: string | null; title: string | null }>();
  const byEntry = new Map<string, SharedWith>();
  for (const row of results) {
    const entry = byEntry.get(row.id) ?? { id: row.id, firstname: row.firstname, lastname: row.lastname, title: row.title, links: [] };
    for (const kind of JSON.parse(row.kinds) as LinkKind[]) entry.links.push({ url: row.url, kind });
    byEntry.set(row.id, entry);
  }
  return [...byEntry.values()].slice(0, 100);
}

/** An erased entrant holds no link any more. */
export function eraseLinkOwnersStatement(db: D1Database, id: string): D1PreparedStatement {
  return db.prepare("DELETE FROM link_owners WHERE entry_id = ?").bind(id);
}
