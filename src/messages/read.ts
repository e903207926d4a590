import * as v from "valibot";
import { ENVELOPES, type BodyOf, type QueueTopic } from "./topics";

/**
 * The batch's messages of `topic`, validated. A message that is not one (malformed, or of
 * another topic: a bug, never retried into success) is logged and acked so that it cannot
 * block the queue.
 */
export function readMessages<T extends QueueTopic>(batch: MessageBatch<unknown>, topic: T): { body: BodyOf<T>; message: Message<unknown> }[] {
  const read: { body: BodyOf<T>; message: Message<unknown> }[] = [];
  for (const message of batch.messages) {
    const parsed = v.safeParse(ENVELOPES[topic], message.body);
    if (parsed.success) read.push({ body: parsed.output.body, message });
    else {
      const [issue] = parsed.issues;
      console.error(`${batch.queue}: dropping malformed message ${message.id}: ${v.getDotPath(issue) ?? "body"}: ${issue.message}`);
      message.ack();
    }
  }
  return read;
}
