import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { Outbox, PendingJob } from "./outbox";

/**
 * A Durable Object that keeps an outbox, with the RPC methods operators and tasks use on
 * any such object: what it still holds, hand it over now, retry a dead job.
 */
export abstract class OutboxObject extends DurableObject<Env> {
  // Each object has its own routes, so the base knows only that it has an outbox.
  protected abstract readonly outbox: Outbox<any>;

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
}
