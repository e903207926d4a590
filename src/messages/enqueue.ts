import type { QueueMessage } from "./topics";

/** Cloudflare Queues: at most 100 messages and 256 KB in one sendBatch, 128 KB a message. */
const MAX_MESSAGES = 100;
const MAX_BATCH_BYTES = 256_000;
const MAX_MESSAGE_BYTES = 128_000;
/** What the platform counts for each message beyond its body (a safe overestimate). */
const PER_MESSAGE_OVERHEAD = 100;

const encoder = new TextEncoder();

/**
 * Sends messages (each in its topic's envelope) to a queue, in as many sendBatch calls as
 * the queue's limits need, delivered no sooner than `delaySeconds` from now if given. Resolves once every message was accepted; throws (for the
 * caller to send all of them again: receivers de-duplicate by key) if any call failed.
 */
export async function enqueue(queue: Queue<QueueMessage>, messages: readonly QueueMessage[], { delaySeconds }: { delaySeconds?: number } = {}): Promise<void> {
  const chunks: MessageSendRequest<QueueMessage>[][] = [];
  let chunk: MessageSendRequest<QueueMessage>[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = encoder.encode(JSON.stringify(message)).byteLength + PER_MESSAGE_OVERHEAD;
    if (size > MAX_MESSAGE_BYTES) throw new Error(`a ${message.topic} message of ${size} bytes is over the queue's limit`);
    if (chunk.length === MAX_MESSAGES || bytes + size > MAX_BATCH_BYTES) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push({ body: message, contentType: "json", ...(delaySeconds !== undefined && { delaySeconds }) });
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  await Promise.all(chunks.map((messages) => queue.sendBatch(messages)));
}
