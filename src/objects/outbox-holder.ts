import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { Outbox, PendingJob } from "./outbox";

/** What an object's outbox offers its operators, whatever the topics it routes. */
type HeldOutbox = Pick<Outbox<Record<string, never>>, "pending" | "flushAll" | "revive" | "afterCommit">;

/**
 * A Durable Object that keeps an outbox, with the RPC methods every such object offers
 * operators, the dead-letter retry and the tests: see its queued work, hurry it, revive a
 * dead job.
 */
export abstract class OutboxHolder extends DurableObject<Env> {
  protected abstract readonly outbox: HeldOutbox;

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
