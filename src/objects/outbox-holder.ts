import { DurableObject } from "cloudflare:workers";
import { requireConfig } from "../config";
import type { Env } from "../env";
import { AlarmSchedule } from "./alarms";
import { Outbox, type PendingJob, type Route } from "./outbox";
import { outboxOptions } from "./outbox-routes";
import { migrate, sqlOf, type Schema, type Sql } from "./sql";

/** What an object's outbox offers its operators, whatever the topics it routes. */
type HeldOutbox = Pick<Outbox<Record<string, never>>, "pending" | "flushAll" | "revive" | "afterCommit">;

/**
 * A Durable Object with SQLite storage and an outbox: its schema brought up to date before
 * any request, and the RPC methods every such object offers operators, the dead-letter
 * retry and the tests (see its queued work, hurry it, revive a dead job).
 */
export abstract class OutboxHolder extends DurableObject<Env> {
  protected readonly sql: Sql;
  protected abstract readonly outbox: HeldOutbox;

  constructor(ctx: DurableObjectState, env: Env, schema: Schema) {
    super(ctx, env);
    this.sql = sqlOf(ctx.storage.sql);
    migrate(ctx.storage.sql, schema);
  }

  /** The jobs this object still holds: not yet handed over, awaiting confirmation, or dead. */
  async outboxStatus(): Promise<PendingJob[]> {
    return this.outbox.pending();
  }

  /** Hands over or checks every job now, instead of at its next turn; how many were live. */
  async flushOutbox(): Promise<number> {
    return this.outbox.flushAll();
  }

  /** An organiser retries a dead job of this object; false when there is no such dead job. */
  async retryDeadJob(topic: string, key: string): Promise<boolean> {
    const revived = this.outbox.revive(topic, key);
    if (revived) await this.outbox.afterCommit();
    return revived;
  }

  /** This object's outbox over `routes`, woken by `alarms`; its dead jobs are reported under `origin`. */
  protected outboxOf<R extends Record<string, Route<any, any>>>(alarms: Pick<AlarmSchedule<"outbox">, "set" | "setEarliest">, routes: R, origin: string): Outbox<R> {
    return new Outbox(this.ctx, this.sql, alarms, routes, outboxOptions(this.env, origin, requireConfig(this.env).outboxConfirmSeconds * 1000));
  }
}

/**
 * An OutboxHolder whose only scheduled work is its outbox (AddressClaim, SharedLink): the
 * alarm runs the outbox's turn, and nothing else wakes the object. Its schema must hold
 * OUTBOX_SCHEMA and ALARM_SCHEDULE_SCHEMA.
 */
export abstract class OutboxOnlyHolder<R extends Record<string, Route<any, any>>> extends OutboxHolder {
  private readonly alarms: AlarmSchedule<"outbox">;
  protected readonly outbox: Outbox<R>;

  constructor(ctx: DurableObjectState, env: Env, schema: Schema, routes: R, origin: string) {
    super(ctx, env, schema);
    this.alarms = new AlarmSchedule(ctx.storage, this.sql);
    this.outbox = this.outboxOf(this.alarms, routes, origin);
  }

  override async alarm(): Promise<void> {
    await this.alarms.runDue(() => this.outbox.flush());
  }
}
