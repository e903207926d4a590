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

/**
 * Brings an object's schema up to date, synchronously, from the constructor. Each entry of
 * `migrations` runs once, in order, and the version it reached is stored with the schema.
 */
export function migrate(storage: SqlStorage, migrations: readonly string[]): void {
  const sql = sqlOf(storage);
  sql`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`;
  const current = sql<{ version: number }>`SELECT version FROM schema_version`.toArray()[0]?.version ?? 0;
  if (current >= migrations.length) return;
  for (const migration of migrations.slice(current)) storage.exec(migration);
  sql`DELETE FROM schema_version`;
  sql`INSERT INTO schema_version (version) VALUES (${migrations.length})`;
}
