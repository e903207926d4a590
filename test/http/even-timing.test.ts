import { describe, expect, it } from "vitest";
import { EvenTiming } from "../../src/http/even-timing";

/** A clock the test moves, and a record of every wait asked for. */
function harness(priorMs: number) {
  let now = 0;
  const waits: number[] = [];
  const timing = new EvenTiming(priorMs, () => now, async (ms) => void waits.push(ms));
  const pass = (ms: number) => void (now += ms);
  const answer = async (took: number, slowWay: boolean) => {
    const started = timing.start();
    now += took;
    await started.done(slowWay);
  };
  return { answer, pass, waits };
}

describe("even timing", () => {
  it("makes a fast answer wait until the slow way's usual time, and never slows the slow way", async () => {
    const { answer, waits } = harness(20);
    for (const took of [18, 22, 30, 19, 21]) await answer(took, true);
    expect(waits).toEqual([]);
    await answer(5, false);
    await answer(12, false);
    // The median of the slow answers is 21 ms.
    expect(waits).toEqual([16, 9]);
  });

  it("uses the prior until the slow way has been seen, and does not wait past it", async () => {
    const { answer, waits } = harness(20);
    await answer(3, false);
    await answer(25, false);
    expect(waits).toEqual([17]);
  });

  it("follows the slow way's recent times, not its first ones", async () => {
    const { answer, waits } = harness(20);
    for (let i = 0; i < 31; i++) await answer(10, true);
    for (let i = 0; i < 31; i++) await answer(40, true);
    await answer(0, false);
    expect(waits).toEqual([40]);
  });

  it("forgets slow answers older than a minute, so a storm's queueing does not outlast it", async () => {
    const { answer, pass, waits } = harness(20);
    for (let i = 0; i < 31; i++) await answer(400, true);
    await answer(0, false);
    pass(61_000);
    await answer(0, false);
    expect(waits).toEqual([400, 20]);
  });
});
