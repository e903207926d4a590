import type { Confirmation } from "../messages/topics";
import type { EmailJob } from "../schemas/email-job";
import { lookUp, rowsIn, type Lookup } from "./lookup";

/**
 * The email log in D1: one row per email (job key), the state of its delivery. A job is
 * claimed for one provider request (its batch) before the provider is called, with a lease;
 * `sending` and `retrying` belong to that batch until it settles as `sent`, `failed` or
 * `dead`; `retried` is a failed or dead email an organiser sent again (under a new key).
 */
export type EmailStatus = "sending" | "retrying" | "sent" | "failed" | "dead" | "retried";

const SETTLED: readonly EmailStatus[] = ["sent", "failed", "dead", "retried"];

export function isSettled(status: EmailStatus): boolean {
  return SETTLED.includes(status);
}

/**
 * A batch's claim lasts until this long after its next attempt is due: past it, nothing is
 * working on the batch any more (its message was lost), and a redelivered job may be
 * claimed for another batch.
 */
export const LEASE_MARGIN_MS = 15 * 60_000;

export interface Claim {
  batch: string;
  jobs: readonly EmailJob[];
}

/** What a claim came to: the keys claimed, and for those taken from a lost batch, that batch. */
export interface Claimed {
  keys: Set<string>;
  fromLostBatch: Map<string, string>;
}

/**
 * Claims jobs for their batches, in one D1 batch: a job is claimed when the log has never
 * seen it, or when the batch that held it was lost (its lease ran out); which lost batch
 * is read in the same batch, just before. Any other job is already sent, settled, or in a
 * live batch.
 */
export async function claimJobs(db: D1Database, claims: readonly Claim[], provider: string, now = Date.now()): Promise<Claimed> {
  const statement = db.prepare(
    `INSERT INTO email_log (key, template, recipient, status, batch_id, lease_until, attempts, provider, created_at, updated_at)
     VALUES (?1, ?2, ?3, 'sending', ?4, ?5, 0, ?6, ?7, ?7)
     ON CONFLICT (key) DO UPDATE SET status = 'sending', batch_id = excluded.batch_id, lease_until = excluded.lease_until,
       provider = excluded.provider, updated_at = excluded.updated_at
     WHERE email_log.status IN ('sending', 'retrying') AND email_log.lease_until < ?7
     RETURNING key`,
  );
  const claiming = claims.flatMap(({ batch, jobs }) =>
    jobs.map((job) => statement.bind(job.key, job.template, job.to, batch, now + LEASE_MARGIN_MS, provider, now)),
  );
  if (claiming.length === 0) return { keys: new Set(), fromLostBatch: new Map() };
  const lost = rowsIn<{ key: string; batch_id: string }>(
    db,
    (placeholders) => `SELECT key, batch_id FROM email_log WHERE key IN (${placeholders}) AND status IN ('sending', 'retrying') AND lease_until < ?`,
    claims.flatMap(({ jobs }) => jobs.map((job) => job.key)),
    [now],
  );
  const results = await db.batch<{ key: string }>([...lost.statements, ...claiming]);
  const keys = new Set(results.slice(lost.statements.length).flatMap((result) => result.results.map((row) => row.key)));
  const fromLostBatch = new Map(lost.answer(results.slice(0, lost.statements.length)).map((row) => [row.key, row.batch_id]));
  return { keys, fromLostBatch };
}

/**
 * Puts jobs back into the lost batch they were just claimed from (a batch already tried at
 * the provider, which is made again as it was), and renews that batch's lease.
 */
export function returnToBatchStatements(db: D1Database, moves: readonly { key: string; from: string; to: string }[], now = Date.now()): D1PreparedStatement[] {
  const move = db.prepare("UPDATE email_log SET batch_id = ?1 WHERE key = ?2 AND batch_id = ?3");
  const batches = [...new Set(moves.map((m) => m.to))];
  return [...moves.map((m) => move.bind(m.to, m.key, m.from)), ...batches.map((batch) => extendLeaseStatement(db, batch, now))];
}

/** Gives up the claims of batches that could not be queued, so the jobs can be claimed again at once. */
export async function releaseBatches(db: D1Database, batches: readonly string[]): Promise<void> {
  const release = db.prepare("UPDATE email_log SET lease_until = 0 WHERE batch_id = ? AND status = 'sending'");
  if (batches.length > 0) await db.batch(batches.map((batch) => release.bind(batch)));
}

export interface Member {
  key: string;
  status: EmailStatus;
  batch_id: string | null;
  attempts: number;
  created_at: number;
}

/** The log's rows for `keys`, by key. */
export async function logRows(db: D1Database, keys: readonly string[]): Promise<Map<string, Member>> {
  const [rows] = await lookUp(db, rowsByKey<Member>(db, "key, status, batch_id, attempts, created_at", keys));
  return new Map(rows.map((row) => [row.key, row]));
}

function rowsByKey<Row extends { key: string }>(db: D1Database, columns: string, keys: readonly string[]): Lookup<Row[]> {
  return rowsIn<Row>(db, (placeholders) => `SELECT ${columns} FROM email_log WHERE key IN (${placeholders})`, keys);
}

export interface Settlement {
  key: string;
  batch: string;
  status: Exclude<EmailStatus, "sending" | "retried">;
  provider: string;
  reason: string | null;
  /** When the batch is next due, for `retrying`: the claim lasts until then plus the margin. */
  nextAttemptAt?: number;
}

/** Statements recording what one attempt of a batch came to; one attempt more for each. */
export function settleStatements(db: D1Database, settlements: readonly Settlement[], now = Date.now()): D1PreparedStatement[] {
  const update = db.prepare(
    `UPDATE email_log SET status = ?1, attempts = attempts + 1, provider = ?2, last_error = ?3, lease_until = ?4, updated_at = ?5
     WHERE key = ?6 AND batch_id = ?7`,
  );
  return settlements.map((s) => update.bind(s.status, s.provider, s.reason, (s.nextAttemptAt ?? now) + LEASE_MARGIN_MS, now, s.key, s.batch));
}

/**
 * A job that never reached a batch (the planner could not claim it before the queue gave
 * up): dead, so the registrant stops waiting for it. A settled one stays as it is.
 */
export function buryJobStatement(db: D1Database, job: EmailJob, reason: string, now = Date.now()): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO email_log (key, template, recipient, status, attempts, provider, last_error, created_at, updated_at)
       VALUES (?1, ?2, ?3, 'dead', 0, 'none', ?4, ?5, ?5)
       ON CONFLICT (key) DO UPDATE SET status = 'dead', last_error = ?4, updated_at = ?5
       WHERE email_log.status IN ('sending', 'retrying')`,
    )
    .bind(job.key, job.template, job.to, reason, now);
}

/** The unsettled members of a batch the queue gave up on, now dead; returns their keys. */
export async function buryBatch(db: D1Database, batch: string, reason: string, now = Date.now()): Promise<string[]> {
  const { results } = await db
    .prepare("UPDATE email_log SET status = 'dead', last_error = ?1, updated_at = ?2 WHERE batch_id = ?3 AND status IN ('sending', 'retrying') RETURNING key")
    .bind(reason, now, batch)
    .all<{ key: string }>();
  return results.map((row) => row.key);
}

/** Marks a failed or dead email as sent again by an organiser; false unless it was failed or dead. */
export function markRetriedStatement(db: D1Database, key: string, now = Date.now()): D1PreparedStatement {
  return db.prepare("UPDATE email_log SET status = 'retried', updated_at = ? WHERE key = ? AND status IN ('failed', 'dead')").bind(now, key);
}

/**
 * What became of emails a Registrant handed to the queue: done once the log holds an
 * outcome; pending while a batch holds them under a live lease; lost when the log never
 * saw them or their batch vanished.
 */
export function emailConfirmations(db: D1Database, keys: readonly string[], now = Date.now()): Lookup<Confirmation[]> {
  const lookup = rowsByKey<{ key: string; status: EmailStatus; lease_until: number }>(db, "key, status, lease_until", keys);
  return {
    statements: lookup.statements,
    answer(results) {
      const rows = new Map(lookup.answer(results).map((row) => [row.key, row]));
      return keys.map((key): Confirmation => {
        const row = rows.get(key);
        if (!row) return { status: "lost" };
        if (isSettled(row.status)) return { status: "done" };
        return row.lease_until > now ? { status: "pending", recheckAt: row.lease_until } : { status: "lost" };
      });
    },
  };
}

/** The provider's pause: until when every consumer leaves it alone, after how many refusals in a row. */
export interface Pause {
  until: number;
  strikes: number;
}

export async function providerPause(db: D1Database, provider: string): Promise<Pause> {
  return (await db.prepare("SELECT until, strikes FROM provider_pause WHERE provider = ?").bind(provider).first<Pause>()) ?? { until: 0, strikes: 0 };
}

/** Pauses the provider's stream (a later pause is kept), or with "clear" ends the pause. */
export function pauseStatements(db: D1Database, provider: string, pause: (Pause & { reason: string }) | "clear" | null): D1PreparedStatement[] {
  if (pause === null) return [];
  if (pause === "clear") return [db.prepare("DELETE FROM provider_pause WHERE provider = ?").bind(provider)];
  return [
    db
      .prepare(
        `INSERT INTO provider_pause (provider, until, strikes, reason) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (provider) DO UPDATE SET until = MAX(until, excluded.until), strikes = excluded.strikes, reason = excluded.reason`,
      )
      .bind(provider, pause.until, pause.strikes, pause.reason.slice(0, 500)),
  ];
}

/** Keeps a paused batch's claim alive until after its next attempt. */
export function extendLeaseStatement(db: D1Database, batch: string, nextAttemptAt: number): D1PreparedStatement {
  return db
    .prepare("UPDATE email_log SET lease_until = ? WHERE batch_id = ? AND status IN ('sending', 'retrying')")
    .bind(nextAttemptAt + LEASE_MARGIN_MS, batch);
}
