/**
 * The judges' index in D1: one row per registrant, projected from its Registrant object
 * through the `index` queue. An upsert changes a row only when its version is newer, so
 * redelivered or reordered messages never move a row backwards.
 */
import type { EntryRow } from "../schemas/entry-row";

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
] as const satisfies readonly (keyof EntryRow)[];

const OVERWRITE = `INSERT INTO entries (${COLUMNS.join(", ")})
  VALUES (${COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`).join(", ")}`;

const UPSERT = `${OVERWRITE} WHERE excluded.version > entries.version`;

/**
 * Writes rows in one D1 batch (a transaction); throws if D1 refuses, so the caller retries.
 * `overwrite` (the rebuild) replaces a row whatever its version.
 */
export async function upsertEntries(db: D1Database, rows: EntryRow[], options: { overwrite?: boolean } = {}): Promise<void> {
  if (rows.length === 0) return;
  const statement = options.overwrite ? OVERWRITE : UPSERT;
  await db.batch(rows.map((row) => db.prepare(statement).bind(...COLUMNS.map((column) => row[column]))));
}

/**
 * Replaces an erased registrant's row by a tombstone (the id and "erased", nothing
 * personal) at `version`, above every version the object sent, so a row still on its way
 * cannot bring data back; deletes their scores and email log.
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
  };
  await db.batch([
    db.prepare(OVERWRITE).bind(...COLUMNS.map((column) => tombstone[column])),
    db.prepare("UPDATE entries SET score = NULL, scores_count = 0 WHERE id = ?").bind(id),
    db.prepare("DELETE FROM scores WHERE entry_id = ?").bind(id),
    db.prepare("DELETE FROM email_log WHERE recipient = ?").bind(email ?? ""),
    db.prepare("DELETE FROM dev_mailbox WHERE recipient = ?").bind(email ?? ""),
  ]);
}
