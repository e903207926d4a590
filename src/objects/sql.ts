/**
 * A tagged template over a Durable Object's SQLite storage that binds every interpolated
 * value as a parameter, so values can never become SQL: sql`SELECT * FROM t WHERE id = ${id}`.
 */
export type Sql = <Row extends Record<string, SqlStorageValue> = Record<string, SqlStorageValue>>(
  strings: TemplateStringsArray,
  ...values: SqlStorageValue[]
) => SqlStorageCursor<Row>;

export function sqlOf(storage: SqlStorage): Sql {
  return (strings, ...values) => storage.exec(strings.join("?"), ...values);
}

/** An object's schema: today's, for a new object, and the steps that bring an older one to it. */
export interface Schema {
  /** Every table as it is now, created in one go in a new object. */
  current: string;
  /** The history, in order: an object made at step N runs N+1… to reach `current`. */
  upgrades: readonly string[];
}

/**
 * Brings an object's schema up to date, synchronously, from the constructor. A new object
 * gets `current` in one statement; an older one runs the upgrades it has not run yet. The
 * step it reached is stored with the schema.
 */
export function migrate(storage: SqlStorage, schema: Schema): void {
  const sql = sqlOf(storage);
  const steps = schema.upgrades.length;
  const made = sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`.toArray().length > 0;
  if (!made) {
    storage.exec(`${schema.current}
      CREATE TABLE schema_version (version INTEGER NOT NULL);
      INSERT INTO schema_version (version) VALUES (${steps});`);
    return;
  }
  const current = sql<{ version: number }>`SELECT version FROM schema_version`.one().version;
  if (current === steps) return;
  for (const upgrade of schema.upgrades.slice(current)) storage.exec(upgrade);
  sql`UPDATE schema_version SET version = ${steps}`;
}
