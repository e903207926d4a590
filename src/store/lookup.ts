/**
 * A read of D1 as its statements and what their results mean, so that several reads (an
 * object's check of its emails and of its index row) share one round trip: D1 runs one
 * query at a time, and a round trip saved is time given back to everyone else.
 */
export interface Lookup<T> {
  statements: D1PreparedStatement[];
  answer(results: D1Result[]): T;
}

/** D1 binds at most 100 parameters to a statement; keys go in chunks that leave room. */
export const KEYS_PER_STATEMENT = 90;

/**
 * A lookup of rows by key, in as many statements as the binding limit needs; `more` are
 * bound after the keys, for the query's placeholders that follow theirs.
 */
export function rowsIn<Row>(db: D1Database, query: (placeholders: string) => string, keys: readonly string[], more: readonly unknown[] = []): Lookup<Row[]> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
    const chunk = keys.slice(i, i + KEYS_PER_STATEMENT);
    statements.push(db.prepare(query(chunk.map(() => "?").join(", "))).bind(...chunk, ...more));
  }
  return { statements, answer: (results) => results.flatMap((result) => result.results as Row[]) };
}

/** Runs lookups in one round trip to D1 (none when they need no statement) and answers each. */
export async function lookUp<T extends unknown[]>(db: D1Database, ...lookups: { [K in keyof T]: Lookup<T[K]> }): Promise<T> {
  const statements = lookups.flatMap((lookup) => lookup.statements);
  const results = statements.length > 1 ? await db.batch(statements) : statements.length === 1 ? [await statements[0]!.all()] : [];
  let offset = 0;
  return lookups.map((lookup) => {
    const mine = results.slice(offset, offset + lookup.statements.length);
    offset += lookup.statements.length;
    return lookup.answer(mine);
  }) as T;
}
