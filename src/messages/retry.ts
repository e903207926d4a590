/** A queue message can wait at most 12 hours before its next delivery. */
const MAX_QUEUE_DELAY_S = 43_200;

/** How a kind of work retries: its first delay and its longest, in seconds. */
export interface RetryPolicy {
  firstS: number;
  maxS: number;
  /** Never sooner than this (work that cannot succeed before someone acts). */
  floorS?: number;
}

/**
 * How long a queue message waits before attempt `attempt + 1`: exponential backoff with
 * full jitter (a random delay up to firstS × 2^(attempt−1), capped at maxS), so that the
 * retries of one outage spread out; never less than `floorS` (a receiver's Retry-After, a
 * pause of the whole stream), which bounds the backoff from below instead of replacing it.
 */
export function retryDelaySeconds(attempt: number, policy: RetryPolicy, floorS = 0): number {
  const ceiling = Math.min(policy.firstS * 2 ** Math.max(attempt - 1, 0), policy.maxS);
  const jittered = Math.ceil(Math.random() * ceiling);
  return Math.min(Math.max(jittered, Math.ceil(floorS), policy.floorS ?? 0, 1), MAX_QUEUE_DELAY_S);
}
