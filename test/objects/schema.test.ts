import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEMA as ADDRESS_CLAIM_SCHEMA } from "../../src/objects/address-claim";
import { SCHEMA as PRIZE_COUNTER_SCHEMA } from "../../src/objects/prize-counter";
import { SCHEMA as REGISTRANT_SCHEMA } from "../../src/objects/registrant";
import { SCHEMA as SHARED_LINK_SCHEMA } from "../../src/objects/shared-link";
import type { Schema } from "../../src/objects/sql";

/**
 * Every table and index of the object's database as text: each column (name, type, NOT
 * NULL, primary key, default), and each statement as SQLite keeps it, spaces aside, with
 * its column definitions and constraints (CHECK, UNIQUE…, only there) in any order: a
 * column added later by ALTER TABLE sits last, where a new table may have it elsewhere.
 */
function shape(sql: SqlStorage): string[] {
  const objects = sql
    .exec<{ type: string; name: string; sql: string | null }>(
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY type, name",
    )
    .toArray();
  return objects.flatMap(({ type, name, sql: text }) => {
    const statement = `${type} ${name}: ${definitionsInAnyOrder((text ?? "").replace(/\s+/g, " ").replace(/\s*([(),])\s*/g, "$1"))}`;
    if (type !== "table") return [statement];
    const columns = sql.exec<{ name: string; type: string; notnull: number; dflt_value: SqlStorageValue; pk: number }>(`PRAGMA table_info("${name}")`).toArray();
    return [statement, ...columns.map((c) => `table ${name}: ${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}${c.pk ? " PK" : ""} default ${String(c.dflt_value)}`)];
  }).sort();
}

/** "CREATE TABLE t(b,a CHECK(a IN(1,2)))" as "CREATE TABLE t(a CHECK(a IN(1,2)),b)": the definitions between the outer parentheses, sorted. */
function definitionsInAnyOrder(statement: string): string {
  const open = statement.indexOf("(");
  if (open < 0 || !statement.endsWith(")")) return statement;
  const definitions: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = start; i < statement.length - 1; i++) {
    if (statement[i] === "(") depth++;
    else if (statement[i] === ")") depth--;
    else if (statement[i] === "," && depth === 0) {
      definitions.push(statement.slice(start, i));
      start = i + 1;
    }
  }
  definitions.push(statement.slice(start, -1));
  return `${statement.slice(0, open)}(${definitions.sort().join(",")})`;
}

/** Empties the object's database, then replays the schema's whole history as an old object would have lived it. */
function upgradedFromTheStart(sql: SqlStorage, schema: Schema): string[] {
  for (const { name } of sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray()) {
    sql.exec(`DROP TABLE "${name}"`);
  }
  for (const upgrade of schema.upgrades) sql.exec(upgrade);
  sql.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
  return shape(sql);
}

const SCHEMAS = [
  ["Registrant", REGISTRANT_SCHEMA],
  ["PrizeCounter", PRIZE_COUNTER_SCHEMA],
  ["AddressClaim", ADDRESS_CLAIM_SCHEMA],
  ["SharedLink", SHARED_LINK_SCHEMA],
] as const;

describe("an object's schema", () => {
  // Each ALTER TABLE makes SQLite rewrite and re-read the whole schema: a new object (one
  // per signup) creates each table with its columns instead (docs/decisions.md).
  it.each(SCHEMAS)("is made for a new %s without altering a table it just created", (_name, schema) => {
    expect(schema.current).not.toMatch(/\bALTER\s+TABLE\b/i);
  });

  it.each([
    ["Registrant", () => env.REGISTRANT.get(env.REGISTRANT.idFromName("schema-check@example.com")), REGISTRANT_SCHEMA],
    ["PrizeCounter", () => env.PRIZE_COUNTER.get(env.PRIZE_COUNTER.idFromName("schema-check")), PRIZE_COUNTER_SCHEMA],
    ["AddressClaim", () => env.ADDRESS_CLAIM.get(env.ADDRESS_CLAIM.idFromName("schema-check")), ADDRESS_CLAIM_SCHEMA],
    ["SharedLink", () => env.SHARED_LINK.get(env.SHARED_LINK.idFromName("schema-check.example.dev")), SHARED_LINK_SCHEMA],
  ] as const)("is the same for a new %s as for one upgraded step by step from its first version", async (_name, stub, schema) => {
    await runInDurableObject(stub() as DurableObjectStub<Rpc.DurableObjectBranded>, (_, state) => {
      const fresh = shape(state.storage.sql);
      expect(fresh.length).toBeGreaterThan(10);
      expect(upgradedFromTheStart(state.storage.sql, schema)).toEqual(fresh);
    });
  });
});
