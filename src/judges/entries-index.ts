/**
 * The judges' index in D1: one row per registrant, projected from its Registrant object
 * through the object's outbox. An upsert changes a row only when its version is newer, so
 * redelivered or reordered messages never move a row backwards.
 */
export interface EntryRow {
  id: string;
  version: number;
  email: string;
  firstname: string;
  lastname: string;
  status: "registered" | "submitted" | "winner" | "waitlisted";
  registered_at: number;
  submitted_at: number | null;
  amended_at: number | null;
  submission_version: number | null;
  title: string | null;
  description: string | null;
  repo_url: string | null;
  demo_url: string | null;
  /** JSON array of product ids. */
  products: string;
  slot: number | null;
  waitlist_position: number | null;
}

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
] as const satisfies readonly (keyof EntryRow)[];

const OVERWRITE = `INSERT INTO entries (${COLUMNS.join(", ")})
  VALUES (${COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => c !== "id").map((c) => `${c} = excluded.${c}`).join(", ")}`;

const UPSERT = `${OVERWRITE} WHERE excluded.version > entries.version`;

/**
 * Writes rows in one D1 batch (a transaction); throws if D1 refuses, so the outbox retries.
 * `overwrite` (the rebuild) replaces a row whatever its version.
 */
export async function upsertEntries(db: D1Database, rows: EntryRow[], options: { overwrite?: boolean } = {}): Promise<void> {
  if (rows.length === 0) return;
  const statement = options.overwrite ? OVERWRITE : UPSERT;
  await db.batch(rows.map((row) => db.prepare(statement).bind(...COLUMNS.map((column) => row[column]))));
}
