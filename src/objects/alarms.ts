import type { Sql } from "./sql";

/** Schema for an object that multiplexes its one alarm; add it to the object's migrations. */
export const ALARM_SCHEDULE_SCHEMA = `
  CREATE TABLE alarm_schedule (
    source TEXT PRIMARY KEY,
    due_at INTEGER NOT NULL
  );
`;

/**
 * A Durable Object has one alarm; several parts of an object (its outbox, a debounced
 * snapshot, a hold's expiry) each need a wake-up. Each part names itself and sets its own
 * time here; the alarm is kept at the earliest of them.
 */
export class AlarmSchedule<Source extends string> {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly sql: Sql,
  ) {}

  /** Sets (or with null, clears) when `source` wants to run, and re-arms the alarm; no write when nothing changes. */
  set(source: Source, dueAt: number | null): Promise<void> {
    if (this.dueAt(source) === dueAt) return Promise.resolve();
    if (dueAt === null) this.sql`DELETE FROM alarm_schedule WHERE source = ${source}`;
    else {
      this.sql`INSERT INTO alarm_schedule (source, due_at) VALUES (${source}, ${dueAt})
        ON CONFLICT (source) DO UPDATE SET due_at = excluded.due_at`;
    }
    return this.rearm();
  }

  /** Sets `source` to run at `dueAt` unless it is already due earlier. */
  setEarliest(source: Source, dueAt: number): Promise<void> {
    const current = this.dueAt(source);
    return current !== null && current <= dueAt ? Promise.resolve() : this.set(source, dueAt);
  }

  dueAt(source: Source): number | null {
    return this.sql<{ due_at: number }>`SELECT due_at FROM alarm_schedule WHERE source = ${source}`.toArray()[0]?.due_at ?? null;
  }

  /**
   * The alarm handler's work: runs each source due by `now`, and takes its turn off the
   * schedule only once it ran (a turn the run set anew stays). A turn whose run failed, or
   * never ended because the runtime went away, is still due when the platform runs the
   * alarm again; the first failure is thrown, after the other sources had their turn, so
   * that the platform does retry.
   */
  async runDue(run: (source: Source) => Promise<void>, now = Date.now()): Promise<void> {
    const due = this.sql<{ source: Source; due_at: number }>`SELECT source, due_at FROM alarm_schedule WHERE due_at <= ${now}`.toArray();
    const failures: unknown[] = [];
    for (const { source, due_at } of due) {
      try {
        await run(source);
        this.sql`DELETE FROM alarm_schedule WHERE source = ${source} AND due_at = ${due_at}`;
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
    await this.rearm();
  }

  async rearm(): Promise<void> {
    const next = this.sql<{ next: number | null }>`SELECT MIN(due_at) AS next FROM alarm_schedule`.one().next;
    if (next === null) await this.storage.deleteAlarm();
    // A turn still running is still on the schedule, past due: the alarm is kept at now.
    else await this.storage.setAlarm(Math.max(next, Date.now()));
  }
}
