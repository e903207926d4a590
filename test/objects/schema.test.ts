import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEMA as ADDRESS_CLAIM_SCHEMA } from "../../src/objects/address-claim";
import { SCHEMA as PRIZE_COUNTER_SCHEMA } from "../../src/objects/prize-counter";
import { SCHEMA as REGISTRANT_SCHEMA } from "../../src/objects/registrant";
import { SCHEMA as SHARED_LINK_SCHEMA } from "../../src/objects/shared-link";
import type { Schema } from "../../src/objects/sql";

/** Every table, index and column of the object's database, as text. */
function shape(sql: SqlStorage): string[] {
  const objects = sql
    .exec<{ type: string; name: string; tbl_name: string }>(
      "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY type, name",
    )
    .toArray();
  return objects.flatMap(({ type, name }) => {
    if (type !== "table") return [`${type} ${name}`];
    const columns = sql.exec<{ name: string; type: string; notnull: number; dflt_value: SqlStorageValue; pk: number }>(`PRAGMA table_info("${name}")`).toArray();
    return columns.map((c) => `table ${name}: ${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}${c.pk ? " PK" : ""} default ${String(c.dflt_value)}`).sort();
  }).sort();
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

describe("an object's schema", () => {
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
