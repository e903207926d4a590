/** Messages that ran out of retries arrive on the queue of the same name plus this suffix. */
export const DEAD_LETTER_SUFFIX = "-dlq";

const MAX_RETRY_DELAY_S = 3600;

/**
 * How long a queue message waits before its next attempt: the receiver's Retry-After when
 * it gave one, else 10 s, 20 s, 40 s… with jitter so that retries of one outage spread out;
 * never more than an hour.
 */
export function retryDelaySeconds(attempts: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined) return Math.min(Math.max(Math.ceil(retryAfterSeconds), 0), MAX_RETRY_DELAY_S);
  const ceiling = Math.min(10 * 2 ** Math.max(attempts - 1, 0), MAX_RETRY_DELAY_S);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
