import * as v from "valibot";
import { QUEUE_OF, QueueMessage, type BodyOf, type QueueTopic } from "./topics";

/** A message of a batch, read: its envelope (topic and body) and the message to ack or retry. */
export interface Read<T extends QueueTopic = QueueTopic> {
  body: BodyOf<T>;
  message: Message<unknown>;
}

/**
 * The batch's messages, checked against the contract: each a topic its queue carries
 * (QUEUE_OF), by topic. Anything else — malformed, or a topic of another queue: a bug,
 * never retried into success — is logged and acked so that it cannot block the queue.
 */
export function readEnvelopes(batch: MessageBatch<unknown>): { envelope: QueueMessage; message: Message<unknown> }[] {
  const read: { envelope: QueueMessage; message: Message<unknown> }[] = [];
  for (const message of batch.messages) {
    const parsed = v.safeParse(QueueMessage, message.body);
    if (parsed.success && QUEUE_OF[parsed.output.topic] === batch.queue) read.push({ envelope: parsed.output, message });
    else {
      const why = parsed.success ? `topic ${parsed.output.topic} does not travel on this queue` : describe(parsed.issues);
      console.error(`${batch.queue}: dropping malformed message ${message.id}: ${why}`);
      message.ack();
    }
  }
  return read;
}

/** The batch's messages of `topic`, for a queue that carries no other. */
export function readMessages<T extends QueueTopic>(batch: MessageBatch<unknown>, topic: T): Read<T>[] {
  return readEnvelopes(batch).flatMap(({ envelope, message }) => (ofTopic(envelope, topic) ? [{ body: envelope.body, message }] : []));
}

export function ofTopic<T extends QueueTopic>(envelope: QueueMessage, topic: T): envelope is Extract<QueueMessage, { topic: T }> {
  return envelope.topic === topic;
}

function describe(issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): string {
  // Variants fail on every branch; the deepest issue says most about what is wrong.
  const issue = issues.reduce((deepest, next) => ((next.path?.length ?? 0) > (deepest.path?.length ?? 0) ? next : deepest));
  return `${v.getDotPath(issue) ?? "body"}: ${issue.message}`;
}
