import type { Confirmation } from "../messages/topics";
import type { AlarmSchedule } from "./alarms";
import type { Sql } from "./sql";

/** Schema for an object that keeps an outbox; part of the object's schema. */
export const OUTBOX_SCHEMA = `
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    key TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    handed_over_at INTEGER,
    dead_at INTEGER,
    reported_at INTEGER,
    last_error TEXT
  );
  CREATE INDEX outbox_due ON outbox (next_attempt_at);
`;

/** The outbox as objects first made it: part of their schema histories. */
export const OUTBOX_SCHEMA_V1 = `
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT
  );
  CREATE INDEX outbox_due ON outbox (next_attempt_at);
`;

/** Brings an outbox made before end-to-end acknowledgement to today's columns. */
export const OUTBOX_UPGRADE = `
  ALTER TABLE outbox ADD COLUMN key TEXT NOT NULL DEFAULT '';
  ALTER TABLE outbox ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE outbox ADD COLUMN handed_over_at INTEGER;
  ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
  ALTER TABLE outbox ADD COLUMN reported_at INTEGER;
  UPDATE outbox SET key = CAST(id AS TEXT), created_at = next_attempt_at;
`;

/**
 * A queue several topics travel on, as parts of one message: the outbox hands over every
 * due job of those topics in one send (a signup's email and index row in one message),
 * and checks that they took effect in one read.
 */
export interface Channel<Part> {
  send(parts: Part[]): Promise<void>;
  /** What became of each part handed over, in order. */
  confirm(parts: Part[]): Promise<Confirmation[]>;
}

/**
 * How a topic's jobs are handed over: by a call of their own (resolving once every body was
 * accepted, throwing otherwise: acceptance is the effect), or as parts on a channel, which
 * later confirms their effect.
 */
export type Delivery<Body, Part = unknown> = ((bodies: Body[]) => Promise<void>) | { channel: Channel<Part>; part(body: Body): Part };

/** How one topic's messages leave the object. */
export interface Route<Body, Part = unknown> {
  /** The message's key: stable across redeliveries, so receivers can de-duplicate by it. */
  key(body: Body): string;
  deliver: Delivery<Body, Part>;
  /** A newer body makes older ones of the topic not yet confirmed pointless (index rows). */
  supersedes?: boolean;
}

// Each topic has its own body type; `any` lets one outbox hold routes of different bodies.
type Routes = Record<string, Route<any, any>>;
type BodyOf<R> = R extends Route<infer Body, any> ? Body : never;

export interface OutboxOptions {
  /**
   * How long work handed to a queue may take before the object checks that it took effect.
   * Each object waits between once and twice this long, by its id, so that a burst of
   * changes does not come back as a burst of checks.
   */
  confirmAfterMs: number;
  /** Records jobs that ran out of time (dead letters, where organisers see them); throws if it cannot. */
  reportDead(jobs: DeadJob[]): Promise<void>;
}

export interface DeadJob {
  topic: string;
  key: string;
  attempts: number;
  reason: string;
}

/** One job of the outbox, as operators and tests see it. */
export interface PendingJob {
  topic: string;
  key: string;
  /** The job as JSON text. */
  body: string;
  attempts: number;
  nextAttemptAt: number;
  /** handing over, awaiting confirmation that it took effect, or dead (out of time). */
  state: "to_deliver" | "awaiting_confirmation" | "dead";
  lastError: string | null;
}

const BATCH = 100;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 10 * 60_000;
/** After this long without being accepted, a job is reported dead and waits for an organiser. */
export const OUTBOX_HORIZON_MS = 24 * 3_600_000;

type Row = {
  id: number;
  topic: string;
  key: string;
  body: string;
  created_at: number;
  attempts: number;
  handed_over_at: number | null;
};

/**
 * The transactional outbox of a Durable Object, with end-to-end acknowledgement. A state
 * change and the jobs it implies commit together (`add` inside the same transactionSync);
 * `afterCommit` then hands them over at once, and the object's alarm (source "outbox")
 * retries with backoff. A job leaves the outbox only when its effect is confirmed: at once
 * for calls and direct writes, and for work handed to a queue only when a check finds its
 * effect recorded; work the queue lost is handed over again. Receivers de-duplicate by key,
 * so handing over twice is harmless. A job that cannot be handed over for
 * OUTBOX_HORIZON_MS is reported as a dead letter and kept until an organiser retries it.
 */
export class Outbox<R extends Routes> {
  private draining: Promise<void> | undefined;
  /** How long after a change its work is first checked. */
  private readonly firstCheckMs: number;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly sql: Sql,
    private readonly alarms: Pick<AlarmSchedule<"outbox">, "set" | "setEarliest">,
    private readonly routes: R,
    private readonly options: OutboxOptions,
  ) {
    this.firstCheckMs = Math.round(options.confirmAfterMs * (1 + spreadOf(ctx.id.toString())));
  }

  /** Queues a job; call inside the transaction that makes the change it reports. */
  add<T extends keyof R & string>(topic: T, body: BodyOf<R[T]>, now = Date.now()): void {
    const route = this.routes[topic]!;
    if (route.supersedes) this.sql`DELETE FROM outbox WHERE topic = ${topic} AND dead_at IS NULL`;
    this.sql`INSERT INTO outbox (topic, key, body, created_at, next_attempt_at)
      VALUES (${topic}, ${route.key(body)}, ${JSON.stringify(body)}, ${now}, ${now})`;
  }

  /**
   * Arms the alarm as a safety net (so a crash before delivery only delays it), then
   * delivers in the background. Returns the delivery, for callers that wait for it.
   */
  afterCommit(): Promise<void> {
    // When the jobs just committed will be checked, if they are handed over now; if the
    // object dies first, the alarm finds them then.
    const newest = this.sql<{ at: number | null }>`SELECT MAX(created_at) AS at FROM outbox WHERE handed_over_at IS NULL AND dead_at IS NULL`.one().at;
    void this.alarms.setEarliest("outbox", (newest ?? Date.now()) + this.firstCheckMs);
    const delivery = this.flush();
    this.ctx.waitUntil(delivery);
    return delivery;
  }

  /** Delivers or checks every due job; one run at a time per object. */
  flush(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Makes every live job due now (an organiser asked for unconfirmed work to be re-sent), then runs. */
  async flushAll(): Promise<number> {
    const live = this.sql<{ n: number }>`UPDATE outbox SET next_attempt_at = ${Date.now()} WHERE dead_at IS NULL RETURNING 1 AS n`.toArray().length;
    await this.flush();
    return live;
  }

  /** An organiser retries a dead job: it starts again with a fresh horizon. False when there is none. */
  revive(topic: string, key: string): boolean {
    if (typeof topic !== "string" || typeof key !== "string") return false;
    const now = Date.now();
    const revived = this.sql`UPDATE outbox SET dead_at = NULL, reported_at = NULL, attempts = 0, created_at = ${now},
      next_attempt_at = ${now} WHERE topic = ${topic} AND key = ${key} AND dead_at IS NOT NULL RETURNING id`.toArray().length;
    return revived > 0;
  }

  /** Every job still held, oldest first (for operators and tests). */
  pending(): PendingJob[] {
    return this.sql<{ topic: string; key: string; body: string; attempts: number; next_attempt_at: number; handed_over_at: number | null; dead_at: number | null; last_error: string | null }>`
      SELECT topic, key, body, attempts, next_attempt_at, handed_over_at, dead_at, last_error FROM outbox ORDER BY id`
      .toArray()
      .map((row) => ({
        topic: row.topic,
        key: row.key,
        body: row.body,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
        state: row.dead_at !== null ? "dead" : row.handed_over_at !== null ? "awaiting_confirmation" : "to_deliver",
        lastError: row.last_error,
      }));
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = this.sql<Row>`
        SELECT id, topic, key, body, created_at, attempts, handed_over_at FROM outbox
        WHERE next_attempt_at <= ${Date.now()} AND dead_at IS NULL ORDER BY id LIMIT ${BATCH}`.toArray();
      if (due.length === 0) break;
      const routed = due.filter((row) => {
        if (this.routes[row.topic]) return true;
        // A topic this version of the object no longer routes: kept for an operator to see.
        this.bury([row], `no route for topic ${row.topic}`);
        return false;
      });
      // First what was handed over is checked, then what was not (or was lost) is handed over.
      const checked = await Promise.all([...this.bySender(routed.filter((row) => row.handed_over_at !== null))].map(([sender, rows]) => this.check(sender, rows)));
      const toDeliver = [...routed.filter((row) => row.handed_over_at === null), ...checked.flatMap((check) => check.lost)];
      const handed = await this.handOver(toDeliver);
      if (checked.some((check) => check.failed) || !handed) break;
    }
    await this.reportDead();
    await this.rearm();
  }

  /** Rows by what hands them over: a topic's own call, or a channel shared by topics. */
  private bySender(rows: Row[]): Map<string | Channel<unknown>, Row[]> {
    const senders = new Map<string | Channel<unknown>, Row[]>();
    for (const row of rows) {
      const deliver = this.routes[row.topic]!.deliver;
      const sender = typeof deliver === "function" ? row.topic : deliver.channel;
      senders.set(sender, [...(senders.get(sender) ?? []), row]);
    }
    return senders;
  }

  /**
   * Checks a channel's jobs that were handed over, in one read: done ones leave, pending
   * ones wait, lost ones are returned to be handed over again. `failed` when the check
   * itself could not be made, so the loop waits for the alarm.
   */
  private async check(sender: string | Channel<unknown>, rows: Row[]): Promise<{ lost: Row[]; failed: boolean }> {
    // A call's acceptance was its effect; a row of one still here predates a change of route.
    if (typeof sender === "string") return { lost: rows, failed: false };
    let confirmations: Confirmation[];
    try {
      confirmations = await sender.confirm(rows.map((row) => this.partOf(row)));
    } catch (error) {
      // The check could not be made (D1 down): look again later; nothing is re-sent blind.
      this.postpone(rows, reasonOf(error));
      return { lost: [], failed: true };
    }
    const lost: Row[] = [];
    rows.forEach((row, i) => {
      const confirmation = confirmations[i] ?? { status: "lost" };
      if (confirmation.status === "done") this.sql`DELETE FROM outbox WHERE id = ${row.id}`;
      else if (confirmation.status === "pending") {
        this.sql`UPDATE outbox SET next_attempt_at = ${Math.max(confirmation.recheckAt, Date.now() + FIRST_RETRY_MS)} WHERE id = ${row.id}`;
      } else lost.push(row);
    });
    return { lost, failed: false };
  }

  /**
   * Hands rows over: each topic with a call of its own, and every topic of a shared channel
   * in one send, side by side, so a slow receiver (D1) never holds up another (a queue).
   * False when something failed, so the loop waits for the alarm.
   */
  private async handOver(rows: Row[]): Promise<boolean> {
    const outcomes = await Promise.all(
      [...this.bySender(rows)].map(async ([sender, batch]) => {
        try {
          if (typeof sender === "string") await (this.routes[sender]!.deliver as (bodies: unknown[]) => Promise<void>)(batch.map((row) => JSON.parse(row.body)));
          else await sender.send(batch.map((row) => this.partOf(row)));
        } catch (error) {
          const reason = reasonOf(error);
          console.warn(`outbox: handing over ${batch.length} ${[...new Set(batch.map((row) => row.topic))].join("/")} job(s) failed: ${reason}`);
          this.postpone(batch, reason, { attempted: true });
          return false;
        }
        this.handedOver(batch);
        return true;
      }),
    );
    return !outcomes.includes(false);
  }

  /** A row as its channel carries it. */
  private partOf(row: Row): unknown {
    const deliver = this.routes[row.topic]!.deliver;
    if (typeof deliver === "function") throw new Error(`topic ${row.topic} is not on a channel`);
    return deliver.part(JSON.parse(row.body));
  }

  /**
   * After a hand-over: jobs whose acceptance is their effect leave; the others wait for
   * their check, the first one `firstCheckMs` after the newest change among them (the time
   * afterCommit's safety net set, so the alarm need not move, and one check for the jobs
   * of one change), a later one longer.
   */
  private handedOver(rows: Row[]): void {
    const now = Date.now();
    const firstCheckAt = Math.max(...rows.map((row) => row.created_at)) + this.firstCheckMs;
    for (const row of rows) {
      if (typeof this.routes[row.topic]!.deliver === "function") {
        this.sql`DELETE FROM outbox WHERE id = ${row.id}`;
        continue;
      }
      const checkAt = row.attempts === 0 ? Math.max(firstCheckAt, now) : now + Math.max(this.options.confirmAfterMs, backoff(row.attempts));
      this.sql`UPDATE outbox SET attempts = attempts + 1, handed_over_at = ${now}, next_attempt_at = ${checkAt},
        last_error = NULL WHERE id = ${row.id}`;
    }
  }

  /** Schedules another try with backoff; a job past its horizon is marked dead instead. */
  private postpone(rows: Row[], reason: string, { attempted = false } = {}): void {
    const now = Date.now();
    for (const row of rows) {
      if (attempted && now - row.created_at >= OUTBOX_HORIZON_MS) {
        this.bury([row], reason);
        continue;
      }
      const attempts = row.attempts + (attempted ? 1 : 0);
      this.sql`UPDATE outbox SET attempts = ${attempts}, next_attempt_at = ${now + backoff(attempts)},
        last_error = ${reason} WHERE id = ${row.id}`;
    }
  }

  private bury(rows: Row[], reason: string): void {
    for (const row of rows) {
      this.sql`UPDATE outbox SET dead_at = ${Date.now()}, attempts = attempts + 1, last_error = ${reason} WHERE id = ${row.id}`;
    }
  }

  /** Tells organisers about dead jobs; if that fails, the next run tries again. */
  private async reportDead(): Promise<void> {
    const dead = this.sql<{ id: number; topic: string; key: string; attempts: number; last_error: string | null }>`
      SELECT id, topic, key, attempts, last_error FROM outbox WHERE dead_at IS NOT NULL AND reported_at IS NULL LIMIT ${BATCH}`.toArray();
    if (dead.length === 0) return;
    try {
      await this.options.reportDead(dead.map((row) => ({ topic: row.topic, key: row.key, attempts: row.attempts, reason: row.last_error ?? "ran out of time" })));
      for (const row of dead) this.sql`UPDATE outbox SET reported_at = ${Date.now()} WHERE id = ${row.id}`;
    } catch (error) {
      console.error(`outbox: could not report ${dead.length} dead job(s): ${reasonOf(error)}`);
    }
  }

  private async rearm(): Promise<void> {
    const next = this.sql<{ next: number | null }>`SELECT MIN(next_attempt_at) AS next FROM outbox WHERE dead_at IS NULL`.one().next;
    const unreported = this.sql`SELECT 1 FROM outbox WHERE dead_at IS NOT NULL AND reported_at IS NULL LIMIT 1`.toArray().length > 0;
    const due = next ?? (unreported ? Date.now() + MAX_RETRY_MS : null);
    await this.alarms.set("outbox", due === null ? null : Math.max(due, Date.now()));
  }
}

/** Exponential backoff with jitter in its upper half: 5 s, 10 s, 20 s… capped at 10 min. */
function backoff(attempts: number): number {
  const ceiling = Math.min(FIRST_RETRY_MS * 2 ** attempts, MAX_RETRY_MS);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Where in [0, 1) an object's id puts it: the same on every start, spread evenly over objects. */
function spreadOf(id: string): number {
  const head = Number.parseInt(id.slice(0, 8), 16);
  return Number.isFinite(head) ? head / 2 ** 32 : 0;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
