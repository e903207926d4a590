import type { BanRequest, BanSnapshot } from "../schemas/bans";
import type { Disqualification } from "../schemas/eligibility";
import type { Sql } from "./sql";

/**
 * Schema of the PrizeCounter's eligibility ledger: who is disqualified (a row stays when
 * the entrant is reinstated, as the record of both), and the ban list. Part of the
 * counter's schema.
 */
export const ELIGIBILITY_SCHEMA = `
  CREATE TABLE disqualification (
    registrant_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    reinstated_by TEXT,
    reinstated_at INTEGER,
    seq INTEGER NOT NULL
  );
  CREATE TABLE ban (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('mailbox', 'domain')),
    value TEXT NOT NULL,
    registrant_id TEXT,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (kind, value)
  );
`;

/** One entry of the ban list, as organisers see it: a mailbox only as its hash. */
export interface Ban {
  id: number;
  kind: "mailbox" | "domain";
  /** The SHA-256 of the canonical mailbox, or the domain. */
  value: string;
  /** The banned mailbox's registrant (disqualified with the ban). */
  registrantId: string | null;
  reason: string;
  actor: string;
  at: number;
}

type DisqualificationRow = {
  reason: string;
  actor: string;
  at: number;
  reinstated_by: string | null;
  reinstated_at: number | null;
};

/**
 * The counter's word on who may hold a prize: the disqualified entrants and the ban list.
 * Synchronous, for the PrizeCounter to call inside its transactions, so that a
 * disqualification and every award, claim and re-offer are serialised by one object.
 */
export class EligibilityLedger {
  constructor(private readonly sql: Sql) {}

  isDisqualified(id: string): boolean {
    return this.sql`SELECT 1 FROM disqualification WHERE registrant_id = ${id} AND reinstated_at IS NULL`.toArray().length > 0;
  }

  /** Disqualifies `id`; the change's sequence number, or null when `id` already is. */
  disqualify(id: string, actor: string, reason: string, now: number): number | null {
    if (this.isDisqualified(id)) return null;
    const seq = this.nextSeq();
    this.sql`INSERT INTO disqualification (registrant_id, reason, actor, at, seq)
      VALUES (${id}, ${reason}, ${actor}, ${now}, ${seq})
      ON CONFLICT (registrant_id) DO UPDATE SET reason = excluded.reason, actor = excluded.actor, at = excluded.at,
        reinstated_by = NULL, reinstated_at = NULL, seq = excluded.seq`;
    return seq;
  }

  /** Lifts `id`'s disqualification; the change's sequence number, or null when `id` is not disqualified. */
  reinstate(id: string, actor: string, now: number): number | null {
    if (!this.isDisqualified(id)) return null;
    const seq = this.nextSeq();
    this.sql`UPDATE disqualification SET reinstated_by = ${actor}, reinstated_at = ${now}, seq = ${seq} WHERE registrant_id = ${id}`;
    return seq;
  }

  /** The record of `id`'s disqualification (and reinstatement), if any. */
  get(id: string): Disqualification | null {
    const row = this.sql<DisqualificationRow>`
      SELECT reason, actor, at, reinstated_by, reinstated_at FROM disqualification WHERE registrant_id = ${id}`.toArray()[0];
    if (!row) return null;
    return {
      disqualified: row.reinstated_at === null,
      reason: row.reason,
      by: row.actor,
      at: row.at,
      reinstatedBy: row.reinstated_by,
      reinstatedAt: row.reinstated_at,
    };
  }

  /** Adds a ban; its id and whether it was new. */
  ban(request: BanRequest, actor: string, now: number): { id: number; added: boolean } {
    const value = request.kind === "mailbox" ? request.hash : request.domain;
    const registrantId = request.kind === "mailbox" ? request.registrantId : null;
    const added = this.sql<{ id: number }>`
      INSERT INTO ban (kind, value, registrant_id, reason, actor, at)
      VALUES (${request.kind}, ${value}, ${registrantId}, ${request.reason}, ${actor}, ${now})
      ON CONFLICT (kind, value) DO NOTHING RETURNING id`.toArray()[0];
    if (added) return { id: added.id, added: true };
    return { id: this.sql<{ id: number }>`SELECT id FROM ban WHERE kind = ${request.kind} AND value = ${value}`.one().id, added: false };
  }

  /** Lifts a ban; false when there is no such ban. A disqualification made with it stays. */
  unban(id: number): boolean {
    return this.sql`DELETE FROM ban WHERE id = ${id} RETURNING id`.toArray().length > 0;
  }

  /** The ban list, newest first. */
  bans(): Ban[] {
    return this.sql<{ id: number; kind: "mailbox" | "domain"; value: string; registrant_id: string | null; reason: string; actor: string; at: number }>`
      SELECT id, kind, value, registrant_id, reason, actor, at FROM ban ORDER BY id DESC`
      .toArray()
      .map((row) => ({ id: row.id, kind: row.kind, value: row.value, registrantId: row.registrant_id, reason: row.reason, actor: row.actor, at: row.at }));
  }

  /** What the KV snapshot publishes: hashes and domains only. */
  snapshot(now: number): BanSnapshot {
    const rows = this.sql<{ kind: string; value: string }>`SELECT kind, value FROM ban ORDER BY id`.toArray();
    return {
      mailboxes: rows.filter((row) => row.kind === "mailbox").map((row) => row.value),
      domains: rows.filter((row) => row.kind === "domain").map((row) => row.value),
      updatedAt: new Date(now).toISOString(),
    };
  }

  /** Rows are updated, never deleted but by erasure, so the largest sequence number only grows for everyone else. */
  private nextSeq(): number {
    return (this.sql<{ seq: number | null }>`SELECT MAX(seq) AS seq FROM disqualification`.one().seq ?? 0) + 1;
  }
}
