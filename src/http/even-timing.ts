/**
 * Answers whose work depends on a secret (is this address registered?) take as long either
 * way: a fast outcome waits until the slow outcome's usual time, learned in this isolate
 * from its last few slow answers. Only the fast way is slowed, and only to what the slow
 * way costs anyway, so throughput under a storm of new signups is unchanged.
 */
export class EvenTiming {
  private readonly slow: { took: number; at: number }[] = [];

  /** `priorMs` stands in for the slow way's time until this isolate has seen it. */
  constructor(
    private readonly priorMs: number,
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<unknown> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Starts timing one answer; call `done` with whether it went the slow way. */
  start(): { done(slowWay: boolean): Promise<void> } {
    const started = this.clock();
    return {
      done: async (slowWay) => {
        const now = this.clock();
        const took = now - started;
        if (slowWay) {
          this.slow.push({ took, at: now });
          if (this.slow.length > SAMPLES) this.slow.shift();
          return;
        }
        const wait = this.usualSlowMs(now) - took;
        if (wait > 0) await this.sleep(wait);
      },
    };
  }

  /**
   * The median of the slow answers of the last SAMPLE_LIFE_MS: a storm's queueing, once
   * over, does not keep slowing the fast way until the slow way is seen again.
   */
  private usualSlowMs(now: number): number {
    const recent = this.slow.filter((sample) => now - sample.at <= SAMPLE_LIFE_MS).map((sample) => sample.took);
    if (recent.length === 0) return this.priorMs;
    const sorted = recent.toSorted((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }
}

/** Slow answers a median is taken over. */
const SAMPLES = 31;
/** How long a slow answer counts. */
const SAMPLE_LIFE_MS = 60_000;
