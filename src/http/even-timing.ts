/**
 * Answers whose work depends on a secret (is this address registered?) take as long either
 * way: a fast outcome waits until the slow outcome's usual time, learned in this isolate
 * from its last few slow answers. Only the fast way is slowed, and only to what the slow
 * way costs anyway, so throughput under a storm of new signups is unchanged.
 */
export class EvenTiming {
  private readonly slow: number[] = [];

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
        const took = this.clock() - started;
        if (slowWay) {
          this.slow.push(took);
          if (this.slow.length > SAMPLES) this.slow.shift();
          return;
        }
        const wait = this.usualSlowMs() - took;
        if (wait > 0) await this.sleep(wait);
      },
    };
  }

  private usualSlowMs(): number {
    if (this.slow.length === 0) return this.priorMs;
    const sorted = this.slow.toSorted((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }
}

/** Slow answers a median is taken over. */
const SAMPLES = 31;
