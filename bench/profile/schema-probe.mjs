/**
 * The worker bench/profile/schema-cost.mjs measures (bundled by it with esbuild, never
 * deployed): POST /create?variant=<v>[&name=<n>] makes one new SQLite Durable Object (named
 * n, or unique) and gives it one variant of the Registrant's schema, through the same
 * `migrate` the Registrant runs; POST /wake?name=<n> reaches that object again and runs one
 * query; GET /constructed counts the objects constructed so far (a wake that constructs
 * one found it evicted).
 * Every variant's text comes from src/, so the figures follow the code:
 *
 *   touch    the object is reached and `migrate` finds no schema (one query), nothing made
 *   minimal  the registrant table alone
 *   current  SCHEMA.current, what a new Registrant runs today
 *   folded   the tables exactly as `current` leaves them (SQLite's own CREATE statements
 *            after the ALTERs), each created once
 *   signup   `folded`, but only the tables a signup writes (registrant, link_code, outbox,
 *            alarm_schedule)
 */
import { DurableObject } from "cloudflare:workers";
import { SCHEMA } from "../../src/objects/registrant";
import { migrate } from "../../src/objects/sql";

const SIGNUP_TABLES = ["registrant", "link_code", "outbox", "alarm_schedule"];

/** Each table and index `schema` creates, as SQLite stores it: {name, table, sql}. */
function created(storage) {
  return storage.sql
    .exec("SELECT name, tbl_name AS \"table\", sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND tbl_name != 'schema_version' ORDER BY type DESC, rowid")
    .toArray();
}

/** Objects constructed in this isolate: a wake that constructs one found it evicted. */
let constructed = 0;

export class Probe extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    constructed++;
  }

  /** This object's tables after SCHEMA.current (the statements the other variants are made of). */
  statements() {
    migrate(this.ctx.storage.sql, SCHEMA);
    return created(this.ctx.storage);
  }

  create(text) {
    migrate(this.ctx.storage.sql, { current: text, upgrades: SCHEMA.upgrades });
  }

  touch() {
    this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").toArray();
  }
}

let variants;

async function loadVariants(env) {
  const statements = await env.PROBE.get(env.PROBE.idFromName("statements")).statements();
  const join = (list) => list.map((s) => `${s.sql};`).join("\n");
  return {
    minimal: join(statements.filter((s) => s.name === "registrant")),
    current: SCHEMA.current,
    folded: join(statements),
    signup: join(statements.filter((s) => SIGNUP_TABLES.includes(s.table))),
  };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    variants ??= await loadVariants(env);
    if (url.pathname === "/variants") return Response.json(variants);
    if (!["/create", "/wake", "/constructed"].includes(url.pathname)) return new Response("not found", { status: 404 });
    if (url.pathname === "/constructed") return Response.json({ constructed });
    const name = url.searchParams.get("name");
    const stub = env.PROBE.get(name ? env.PROBE.idFromName(name) : env.PROBE.newUniqueId());
    if (url.pathname === "/wake") {
      await stub.touch();
      return new Response(null, { status: 204 });
    }
    const variant = url.searchParams.get("variant");
    if (variant === "touch") await stub.touch();
    else if (variant in variants) await stub.create(variants[variant]);
    else return new Response(`no variant ${variant}`, { status: 400 });
    return new Response(null, { status: 204 });
  },
};
