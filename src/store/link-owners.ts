/**
 * Links entrants share, in D1: who holds each normalised repository or demo URL
 * (`link_owners`), as that URL's SharedLink object last wrote it (`link_versions.seq`).
 * The object decides; D1 only shows it to the judges.
 */
import type { LinkKind, LinkOwners } from "../schemas/shared-link";

/** Owners written per URL: a template repository everyone links stays one bounded statement. */
export const OWNERS_SHOWN = 500;

/** SQL true for the entry `e` when another entry holds one of its URLs. */
export const SHARES_A_LINK = `EXISTS (SELECT 1 FROM link_owners mine JOIN link_owners other
  ON other.url = mine.url AND other.entry_id != mine.entry_id WHERE mine.entry_id = e.id)`;

/**
 * Statements replacing a URL's owners with `snapshot`, unless D1 already holds a newer one
 * (batch them: a transaction). An owner erased since their claim is left out.
 */
export function ownersStatements(db: D1Database, snapshot: LinkOwners): D1PreparedStatement[] {
  const current = "(SELECT seq FROM link_versions WHERE url = ?1) = ?2";
  const owners = snapshot.owners.slice(0, OWNERS_SHOWN).map((owner) => ({ id: owner.registrantId, kinds: owner.kinds, version: owner.version }));
  return [
    db
      .prepare(
        `INSERT INTO link_versions (url, seq) VALUES (?1, ?2)
         ON CONFLICT (url) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > link_versions.seq`,
      )
      .bind(snapshot.url, snapshot.seq),
    db.prepare(`DELETE FROM link_owners WHERE url = ?1 AND ${current}`).bind(snapshot.url, snapshot.seq),
    db
      .prepare(
        `INSERT OR IGNORE INTO link_owners (url, entry_id, kind)
         SELECT ?1, json_extract(owner.value, '$.id'), kind.value FROM json_each(?3) AS owner, json_each(json_extract(owner.value, '$.kinds')) AS kind
         WHERE ${current} AND NOT EXISTS (SELECT 1 FROM entries WHERE id = json_extract(owner.value, '$.id')
           AND status = 'erased' AND version > json_extract(owner.value, '$.version'))`,
      )
      .bind(snapshot.url, snapshot.seq, JSON.stringify(owners)),
  ];
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
      `SELECT other.entry_id AS id, other.url, other.kind, e.firstname, e.lastname, e.title
       FROM link_owners mine JOIN link_owners other ON other.url = mine.url AND other.entry_id != mine.entry_id
       LEFT JOIN entries e ON e.id = other.entry_id
       WHERE mine.entry_id = ? GROUP BY other.entry_id, other.url, other.kind ORDER BY other.entry_id, other.url LIMIT 300`,
    )
    .bind(id)
    .all<{ id: string; url: string; kind: LinkKind; firstname: string | null; lastname: string | null; title: string | null }>();
  const byEntry = new Map<string, SharedWith>();
  for (const row of results) {
    const entry = byEntry.get(row.id) ?? { id: row.id, firstname: row.firstname, lastname: row.lastname, title: row.title, links: [] };
    entry.links.push({ url: row.url, kind: row.kind });
    byEntry.set(row.id, entry);
  }
  return [...byEntry.values()].slice(0, 100);
}

/** An erased entrant holds no link any more. */
export function eraseLinkOwnersStatement(db: D1Database, id: string): D1PreparedStatement {
  return db.prepare("DELETE FROM link_owners WHERE entry_id = ?").bind(id);
}
