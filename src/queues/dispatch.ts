import { consumeEmailSends } from "../email/sends";
import type { Env } from "../env";
import { QUEUES, type QueueName } from "../messages/topics";
import { consumeChanges } from "./changes";
import { consumeDeadLetters } from "./dead-letters";
import { consumeLinkChecks } from "./link-checks";
import { consumeTasks } from "./tasks";

type Consumer = (batch: MessageBatch<unknown>, env: Env) => Promise<void>;

/** Each queue's consumer, by the queue's exact name. */
const CONSUMERS = new Map<string, Consumer>([
  [QUEUES.changes, consumeChanges],
  [QUEUES.emailSends, consumeEmailSends],
  [QUEUES.tasks, consumeTasks],
  [QUEUES.deadLetters, consumeDeadLetters],
  [QUEUES.checks, consumeLinkChecks],
] satisfies [QueueName, Consumer][]);

/**
 * Hands a batch to its queue's consumer. A queue nobody consumes is a configuration error:
 * the batch is thrown back to be retried (and dead-lettered in the end), never acked.
 */
export async function dispatchQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const consume = CONSUMERS.get(batch.queue);
  if (!consume) throw new Error(`no consumer for queue ${batch.queue}`);
  await consume(batch, env);
}
