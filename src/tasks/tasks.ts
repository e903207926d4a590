/**
 * Background work over every registrant (the index rebuild, the retention sweep, re-sending
 * unconfirmed work, checking submitted links again), in bounded steps through the tasks queue. A step takes the next page
 * of the registry, calls each registrant's object, records what failed as dead letters and
 * moves on, then queues the next step: no invocation makes more than STEP_SIZE calls, a
 * failure never blocks the rest, and organisers watch the run's progress in task_runs.
 */
import type { Env } from "../env";
import { enqueue } from "../messages/enqueue";
import { RETRY, type TaskKind, type TaskStep } from "../messages/topics";
import { prizeCounter } from "../objects/stubs";
import type { Read } from "../messages/read";
import { retryDelaySeconds } from "../messages/retry";
import { systemAuditStatement } from "../store/audit";
import { deadLetterStatements } from "../store/dead-letters";
import { refreshStatements } from "../store/entries-index";
import { countRegistrants, registrantsAfter } from "../store/registry";
import { advanceStatement, runningRun, startRun, taskRun, type TaskRun } from "../store/task-runs";

/** Registrants one step calls: well under a Worker's subrequests (1,000 on the free plan). */
export const STEP_SIZE = 100;
/** Calls a step has in flight at once. */
const CONCURRENCY = 20;

/** What one registrant's part of a step came to: D1 statements to write, or why it failed. */
type ItemResult = { ok: true; statements: D1PreparedStatement[] } | { ok: false; reason: string };

/** What each kind of task does for one registrant. */
const ITEMS: Record<TaskKind, (env: Env, id: string) => Promise<ItemResult>> = {
  /** The object's current row, written unless D1 has a newer one. */
  async reindex(env, id) {
    const row = await registrant(env, id).indexRow();
    return { ok: true, statements: row ? refreshStatements(env.DB, [row]) : [] };
  },
  /** Everything about the entrant goes; the audit log says the sweep did it. */
  async retention(env, id) {
    await registrant(env, id).erase();
    return { ok: true, statements: [systemAuditStatement(env.DB, { action: "erase", target: id, detail: { by: "retention" } })] };
  },
  /** The object hands over, or checks, every job it still holds. */
  async flush(env, id) {
    await registrant(env, id).flushOutbox();
    return { ok: true, statements: [] };
  },
  /** The entrant's links are checked again (nothing happens for one without a submission). */
  async recheck(env, id) {
    await registrant(env, id).recheckLinks();
    return { ok: true, statements: [] };
  },
};

function registrant(env: Env, id: string) {
  return env.REGISTRANT.get(env.REGISTRANT.idFromString(id));
}

/**
 * Starts a run of `kind` over every registrant, or returns the one already running (one at
 * a time of each kind). A flush also flushes the PrizeCounter's outbox at once. Throws,
 * having started nothing, when the tasks queue does not take the first step.
 */
export async function startTask(env: Env, kind: TaskKind, startedBy: string): Promise<TaskRun> {
  const running = await runningRun(env.DB, kind);
  if (running) return running;
  if (kind === "flush") await prizeCounter(env).flushOutbox();
  const run = await startRun(env.DB, kind, startedBy, await countRegistrants(env.DB));
  try {
    await resumeTask(env, run);
  } catch (error) {
    // A run whose first step never left would block the next start: it goes, the caller retries.
    await env.DB.prepare("DELETE FROM task_runs WHERE id = ?").bind(run.id).run();
    throw error;
  }
  return run;
}

/** Queues the step that carries `run` on from where it is (after a lost step, say). */
export async function resumeTask(env: Env, run: TaskRun): Promise<void> {
  await enqueue(env.TASK_QUEUE, [{ topic: "task", body: { run: run.id, kind: run.kind, cursor: run.cursor } }]);
}

/** Runs one registrant's part of a task again (an organiser retrying a dead letter). */
export async function retryItem(env: Env, kind: TaskKind, id: string): Promise<boolean> {
  const result = await runItem(env, kind, id);
  if (result.ok && result.statements.length > 0) await env.DB.batch(result.statements);
  return result.ok;
}

/** Task steps from the tasks queue: each message is one step; a failed step is retried whole. */
export async function runTaskSteps(read: Read<"task">[], env: Env): Promise<void> {
  for (const { body, message } of read) {
    try {
      await runStep(env, body);
      message.ack();
    } catch (error) {
      console.warn(`tasks: step ${body.run} after ${body.cursor ?? "start"} failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, RETRY.task) });
    }
  }
}

/**
 * One step: the next registry page after the step's cursor. A step whose run has moved on
 * (a duplicate delivery) does nothing. The next step is queued before the run moves, so a
 * crash in between repeats this step (each item is idempotent) rather than losing the run.
 */
async function runStep(env: Env, step: TaskStep): Promise<void> {
  const run = await taskRun(env.DB, step.run);
  if (!run || run.status !== "running" || run.cursor !== step.cursor) return;
  const ids = await registrantsAfter(env.DB, step.cursor, STEP_SIZE);
  const results = await mapLimit(ids, CONCURRENCY, (id) => runItem(env, step.kind, id));
  const failures = ids.flatMap((id, i) => {
    const result = results[i]!;
    return result.ok ? [] : [{ topic: step.kind, key: id, origin: step.run, reason: result.reason, attempts: 1 }];
  });
  const done = ids.length < STEP_SIZE;
  const cursor = ids.at(-1) ?? step.cursor;
  if (!done) await enqueue(env.TASK_QUEUE, [{ topic: "task", body: { ...step, cursor } }]);
  await env.DB.batch([
    ...results.flatMap((result) => (result.ok ? result.statements : [])),
    ...deadLetterStatements(env.DB, failures),
    advanceStatement(env.DB, { run: step.run, from: step.cursor, to: cursor, processed: ids.length, failed: failures.length, done }),
  ]);
}

async function runItem(env: Env, kind: TaskKind, id: string): Promise<ItemResult> {
  try {
    return await ITEMS[kind](env, id);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** `work` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}
