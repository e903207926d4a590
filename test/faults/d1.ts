import { env } from "cloudflare:workers";
import { vi } from "vitest";

const RUNS = new Set<PropertyKey>(["run", "all", "first", "raw"]);

/**
 * A D1 binding that fails the statements whose SQL matches `pattern` (alone, or in a batch,
 * which then fails whole as D1's transactions do) while `failing()` is true; everything
 * else reaches the real database.
 */
export function failingD1(pattern: RegExp, failing: () => boolean = () => true, db: D1Database = env.DB): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const refuse = () => Promise.reject(new Error("D1_ERROR: injected failure"));
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const wrapped = new Proxy(statement, {
      get(target, property) {
        if (property === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        if (RUNS.has(property) && failing()) return refuse;
        return bound(target, property);
      },
    });
    real.set(wrapped, statement);
    return wrapped;
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") {
        return (query: string) => {
          const statement = target.prepare(query);
          return pattern.test(query) ? wrap(statement) : statement;
        };
      }
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          if (failing() && statements.some((statement) => real.has(statement))) return refuse();
          return target.batch(statements.map((statement) => real.get(statement) ?? statement));
        };
      }
      return bound(target, property);
    },
  });
}

function bound(target: object, property: PropertyKey): unknown {
  const value: unknown = Reflect.get(target, property);
  return typeof value === "function" ? value.bind(target) : value;
}

/**
 * Makes the runtime's own D1 binding (the one queue consumers and objects use) fail the
 * statements matching `pattern` while `failing()` is true; `vi.restoreAllMocks()` ends it.
 */
export function injectD1Failures(pattern: RegExp, failing: () => boolean): void {
  const failingDb = failingD1(pattern, failing, { prepare: env.DB.prepare.bind(env.DB), batch: env.DB.batch.bind(env.DB) } as D1Database);
  vi.spyOn(env.DB, "prepare").mockImplementation((query: string) => failingDb.prepare(query));
  vi.spyOn(env.DB, "batch").mockImplementation((statements) => failingDb.batch(statements));
}
