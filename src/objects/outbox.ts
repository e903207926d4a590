import type { AlarmSchedule } from "./alarms";
import type { Sql } from "./sql";

/** Schema for an object that keeps an outbox; add it to the object's migrations. */
export const OUTBOX_SCHEMA = `
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

/** Delivers a batch of bodies for one topic; throws when nothing of it was accepted. */
export type Deliver = (bodies: unknown[]) => Promise<void>;

const BATCH = 100;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 10 * 60_000;

/**
 * The transactional outbox of a Durable Object. A state change and the messages it implies
 * commit together (`add` inside the same transactionSync); `afterCommit` then delivers at
 * once, and the object's alarm (source "outbox") retries with backoff until every message
 * is accepted. Delivery is at least once: receivers de-duplicate by the key in the body.
 */
export class Outbox<Topic extends string> {
  private draining: Promise<void> | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly sql: Sql,
    private readonly alarms: Pick<AlarmSchedule<"outbox">, "set" | "setEarliest">,
    private readonly deliver: Record<Topic, Deliver>,
  ) {}

  /** Queues a message; call inside the transaction that makes the change it reports. */
  add(topic: Topic, body: unknown, now = Date.now()): void {
    this.sql`INSERT INTO outbox (topic, body, next_attempt_at) VALUES (${topic}, ${JSON.stringify(body)}, ${now})`;
  }

  /**
   * Arms the alarm as a safety net (so a crash before delivery only delays it), then
   * delivers in the background. Returns the delivery, for callers that wait for it.
   */
  afterCommit(): Promise<void> {
    void this.alarms.setEarliest("outbox", Date.now() + FIRST_RETRY_MS);
    const delivery = this.flush();
    this.ctx.waitUntil(delivery);
    return delivery;
  }

  /** Delivers every due message; one delivery runs at a time per object. */
  flush(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Messages not yet accepted, oldest first (for tests and operators). */
  pending(): { topic: string; body: unknown; attempts: number; nextAttemptAt: number }[] {
    return this.sql<{ topic: string; body: string; attempts: number; next_attempt_at: number }>`
      SELECT topic, body, attempts, next_attempt_at FROM outbox ORDER BY id`
      .toArray()
      .map((row) => ({
        topic: row.topic,
        body: JSON.parse(row.body),
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
      }));
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = this.sql<{ id: number; topic: Topic; body: string; attempts: number }>`
        SELECT id, topic, body, attempts FROM outbox
        WHERE next_attempt_at <= ${Date.now()} ORDER BY id LIMIT ${BATCH}`.toArray();
      if (due.length === 0) break;
      const failed = await this.deliverByTopic(due);
      if (failed) break;
    }
    await this.rearm();
  }

  /**
   * Topics are delivered side by side, so a slow receiver (D1) never holds up another (the
   * email queue). Returns true when some topic failed, so the loop waits for the alarm.
   */
  private async deliverByTopic(rows: { id: number; topic: Topic; body: string; attempts: number }[]) {
    const topics = [...new Set(rows.map((row) => row.topic))];
    const outcomes = await Promise.all(
      topics.map(async (topic) => {
        const batch = rows.filter((row) => row.topic === topic);
        try {
          await this.deliver[topic](batch.map((row) => JSON.parse(row.body)));
          for (const row of batch) this.sql`DELETE FROM outbox WHERE id = ${row.id}`;
          return true;
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          console.warn(`outbox: delivery of ${batch.length} ${topic} message(s) failed: ${reason}`);
          for (const row of batch) {
            const retryAt = Date.now() + backoff(row.attempts);
            this.sql`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ${retryAt},
              last_error = ${reason} WHERE id = ${row.id}`;
          }
          return false;
        }
      }),
    );
    return outcomes.includes(false);
  }

  private async rearm(): Promise<void> {
    const next = this.sql<{ next: number | null }>`SELECT MIN(next_attempt_at) AS next FROM outbox`.one().next;
    await this.alarms.set("outbox", next === null ? null : Math.max(next, Date.now()));
  }
}

/** Exponential backoff with full jitter in its upper half: 5 s, 10 s, 20 s… capped at 10 min. */
function backoff(attempts: number): number {
  const ceiling = Math.min(FIRST_RETRY_MS * 2 ** attempts, MAX_RETRY_MS);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
