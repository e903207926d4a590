/**
 * The judges' index in D1: one row per registrant, projected from its Registrant object
 * through the changes queue. An upsert changes a row only when its version is newer, so
 * redelivered or reordered messages never move a row backwards.
 */
import type { Confirmation } from "../messages/topics";
import type { EntryRow } from "../schemas/entry-row";
import { rowsIn, type Lookup } from "./lookup";
import { rescoreStatement } from "./scores";

const COLUMNS = [
  "id",
  "version",
  "email",
  "firstname",
  "lastname",
  "status",
  "registered_at",
  "submitted_at",
  "amended_at",
  "submission_version",
  "title",
  "description",
  "repo_url",
  "demo_url",
  "products",
  "slot",
  "waitlist_position",
  "shipping_status",
  "hold_expires_at",
  "shipping_address",
  "tracking_url",
  "mailbox",
  "disqualified_at",
  "address_review",
  "address_peers",
  "provisional_until",
  "showcase",
] as const satisfies readonly (keyof EntryRow)[];

const OVERWRITE = `INSERT INTO entries (${COLUMNS.join(", ")})
  VALUES (${COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`).join(", ")}`;

const UPSERT = `${OVERWRITE} WHERE excluded.version > entries.version`;

/** Statements writing each row unless D1 holds a newer version of it: batch them (a transaction). */
export function upsertStatements(db: D1Database, rows: readonly EntryRow[]): D1PreparedStatement[] {
  const upsert = db.prepare(UPSERT);
  return rows.map((row) => upsert.bind(...COLUMNS.map((column) => row[column])));
}

/**
 * The rebuild's writes: each row as its object holds it now, replacing whatever D1 has
 * (a damaged row is repaired whatever its version); a row D1 lost comes back with its
 * judges' score recomputed. A newer row on its way meanwhile is not lost: its object keeps
 * it until D1 holds it, and sends it again when a check finds the older one there.
 */
export function refreshStatements(db: D1Database, rows: readonly EntryRow[]): D1PreparedStatement[] {
  const refresh = db.prepare(OVERWRITE);
  const recountFlags = db.prepare(
    "UPDATE entries SET flags_open = (SELECT COUNT(*) FROM review_flags WHERE entry_id = ?1 AND resolved_at IS NULL) WHERE id = ?1 AND status != 'erased'",
  );
  return rows.flatMap((row) => [
    refresh.bind(...COLUMNS.map((column) => row[column])),
    rescoreStatement(db, "id = ? AND status != 'erased'", [row.id]),
    recountFlags.bind(row.id),
  ]);
}

/** Whether D1 holds each row a Registrant sent (or a newer one): done, or lost. */
export function indexConfirmations(db: D1Database, rows: readonly EntryRow[]): Lookup<Confirmation[]> {
  const lookup = rowsIn<{ id: string; version: number }>(db, (placeholders) => `SELECT id, version FROM entries WHERE id IN (${placeholders})`, [...new Set(rows.map((row) => row.id))]);
  return {
    statements: lookup.statements,
    answer(results) {
      const versions = new Map(lookup.answer(results).map((row) => [row.id, row.version]));
      return rows.map((row): Confirmation => ((versions.get(row.id) ?? 0) >= row.version ? { status: "done" } : { status: "lost" }));
    },
  };
}

/**
 * Replaces an erased registrant's row by a tombstone (the id and "erased", nothing
 * personal) at `version`, above every version the object sent, so a row still on its way
 * cannot bring data back; deletes their scores, organisers' notes, leases, skips and email log,
 * and takes them off the registry.
 */
export async function eraseFromIndex(db: D1Database, id: string, email: string | null, version: number): Promise<void> {
  const tombstone: EntryRow = {
    id,
    version,
    email: "",
    firstname: "",
    lastname: "",
    status: "erased",
    registered_at: 0,
    submitted_at: null,
    amended_at: null,
    submission_version: null,
    title: null,
    description: null,
    repo_url: null,
    demo_url: null,
    products: "[]",
    slot: null,
    waitlist_position: null,
    shipping_status: null,
    hold_expires_at: null,
    shipping_address: null,
    tracking_url: null,
    mailbox: "",
    disqualified_at: null,
    address_review: null,
    address_peers: "[]",
    provisional_until: null,
    showcase: 0,
  };
  await db.batch([
    db.prepare(OVERWRITE).bind(...COLUMNS.map((column) => tombstone[column])),
    db.prepare("UPDATE entries SET score = NULL, scores_count = 0, flags_open = 0 WHERE id = ?").bind(id),
    db.prepare("DELETE FROM scores WHERE entry_id = ?").bind(id),
    db.prepare("DELETE FROM review_flags WHERE entry_id = ?").bind(id),
    // What judges and organisers kept about the entrant goes with them.
    db.prepare("DELETE FROM entry_notes WHERE entry_id = ?").bind(id),
    db.prepare("DELETE FROM leases WHERE entry_id = ?").bind(id),
    db.prepare("DELETE FROM skips WHERE entry_id = ?").bind(id),
    db.prepare("DELETE FROM email_log WHERE recipient = ?").bind(email ?? ""),
    db.prepare("DELETE FROM dev_mailbox WHERE recipient = ?").bind(email ?? ""),
    // The registry lists living registrants; one who signs up again is listed again.
    db.prepare("DELETE FROM registrants WHERE id = ?").bind(id),
    // Their choice about announcements, and which announcements went to them.
    db.prepare("DELETE FROM unsubscribes WHERE registrant_id = ?").bind(id),
    db.prepare("DELETE FROM announcement_recipients WHERE registrant_id = ?").bind(id),
  ]);
}

/**
 * Who may take a prize released under the judged policy, best first: submissions with no
 * prize and no hold, by score (unscored last), then by submission time. The PrizeCounter
 * awards the first that never won. Read from the index, which may lag by seconds: the
 * counter, not this list, decides.
 */
export async function reofferCandidates(db: D1Database, exclude: string, limit = 25): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT id FROM entries WHERE status = 'submitted' AND shipping_status IS NULL AND disqualified_at IS NULL AND id != ?
       ORDER BY score IS NULL, score DESC, submitted_at LIMIT ?`,
    )
    .bind(exclude, limit)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}
