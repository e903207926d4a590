import { sameHash } from "../secrets";
import type { Sql } from "./sql";

/** Schema of a registrant's submission links; part of the Registrant's schema. */
export const LINK_CODE_SCHEMA = `
  CREATE TABLE link_code (
    number INTEGER PRIMARY KEY,
    code_hash BLOB NOT NULL,
    issued_at INTEGER NOT NULL,
    used_at INTEGER
  );
`;

/** Links that stay valid at once: the one last used and the newest ones not used yet. */
const VALID_LINKS = 3;

/** Which link a code was, when a page shows it. */
export interface LinkInfo {
  number: number;
  issuedAt: number;
  /** True for the newest link; otherwise a newer one was emailed at `newestIssuedAt`. */
  newest: boolean;
  newestIssuedAt: number;
}

type Row = { number: number; code_hash: ArrayBuffer; issued_at: number; used_at: number | null };

/**
 * A registrant's submission links, kept only as hashes. Asking for a new link adds one and
 * never retires the link the entrant is using: a link stops working only once a newer one
 * has been used (so someone who knows an entrant's address cannot keep killing their link
 * by asking for new ones), or when more than VALID_LINKS pile up unused (the oldest unused
 * go first; the one last used stays). Synchronous: the Registrant calls it inside its
 * transactions.
 */
export class LinkCodes {
  constructor(private readonly sql: Sql) {}

  /** Adds link `number` (its code's hash); trims the unused ones beyond VALID_LINKS. */
  issue(number: number, hash: ArrayBuffer, now: number): void {
    this.sql`INSERT INTO link_code (number, code_hash, issued_at) VALUES (${number}, ${hash}, ${now})`;
    const rows = this.rows();
    const lastUsed = rows.filter((row) => row.used_at !== null).sort((a, b) => b.used_at! - a.used_at!)[0];
    const unused = rows.filter((row) => row !== lastUsed).sort((a, b) => b.number - a.number);
    const kept = unused.slice(0, VALID_LINKS - (lastUsed ? 1 : 0));
    for (const row of unused.slice(kept.length)) this.sql`DELETE FROM link_code WHERE number = ${row.number}`;
  }

  /**
   * The link `presented` (a code's hash) is, compared with every valid one in constant time;
   * null when it is none. Using a link retires every older one.
   */
  use(presented: ArrayBuffer, now: number): LinkInfo | null {
    const rows = this.rows();
    let found: Row | undefined;
    // Every hash is compared, so the time taken does not say which one matched.
    for (const row of rows) if (sameHash(presented, row.code_hash) && !found) found = row;
    if (!found) return null;
    this.sql`UPDATE link_code SET used_at = ${now} WHERE number = ${found.number}`;
    this.sql`DELETE FROM link_code WHERE number < ${found.number}`;
    const newest = rows.reduce((latest, row) => (row.number > latest.number ? row : latest), found);
    return { number: found.number, issuedAt: found.issued_at, newest: newest === found, newestIssuedAt: newest.issued_at };
  }

  private rows(): Row[] {
    return this.sql<Row>`SELECT number, code_hash, issued_at, used_at FROM link_code ORDER BY number`.toArray();
  }
}
