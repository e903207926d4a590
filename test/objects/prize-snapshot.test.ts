import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { SNAPSHOT_INTERVAL_MS, type PrizeCounter } from "../../src/objects/prize-counter";
import { prizeCounter } from "../../src/objects/stubs";
import { PRIZE_SNAPSHOT_KEY } from "../../src/schemas/prizes";
import { registrantId } from "../helpers";

// A file of its own: the snapshot key is shared, so no other counter may write it here.

/** When the counter's storage says its next snapshot is due (null: none scheduled). */
function snapshotDue(counter: DurableObjectStub<PrizeCounter>): Promise<number | null> {
  return runInDurableObject(counter, (_: PrizeCounter, state) =>
    state.storage.sql.exec<{ due_at: number }>("SELECT due_at FROM alarm_schedule WHERE source = 'snapshot'").toArray()[0]?.due_at ?? null,
  );
}
const entrant = (i: number) => registrantId(`entrant-${i}@example.com`);

it("writes the KV snapshot after a burst, at most once a second, converging on the exact count", async () => {
  const counter = prizeCounter(env);
  // When each write happened, by the clock the counter stamps into the snapshot.
  const puts: number[] = [];
  const put = env.SNAPSHOTS.put.bind(env.SNAPSHOTS);
  vi.spyOn(env.SNAPSHOTS, "put").mockImplementation(async (key, value, options) => {
    puts.push(Date.parse(JSON.parse(String(value)).updatedAt));
    return put(key, value, options);
  });
  await Promise.all(Array.from({ length: 40 }, (_, i) => counter.award(entrant(i), "judge:ada")));
  expect(await snapshotDue(counter)).not.toBeNull();
  expect(await runDurableObjectAlarm(counter)).toBe(true);
  expect(puts).toHaveLength(1);
  expect(await env.SNAPSHOTS.get(PRIZE_SNAPSHOT_KEY, "json")).toMatchObject({ type: "prizes", remaining: 260, total: 300 });

  // A change right after a write waits for the next second.
  await counter.award(entrant(100), "judge:ada");
  expect(await snapshotDue(counter)).toBeGreaterThanOrEqual(puts[0]! + SNAPSHOT_INTERVAL_MS);
  await runDurableObjectAlarm(counter);
  expect(puts).toHaveLength(1);
  await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_INTERVAL_MS + 50));
  await runDurableObjectAlarm(counter);
  expect(puts).toHaveLength(2);
  expect(puts[1]! - puts[0]!).toBeGreaterThanOrEqual(SNAPSHOT_INTERVAL_MS);
  const snapshot = await env.SNAPSHOTS.get(PRIZE_SNAPSHOT_KEY, "json");
  expect(snapshot).toMatchObject({ remaining: 259, total: 300, head: (await counter.getStatus()).head });
});

