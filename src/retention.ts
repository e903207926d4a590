import { DAY_MS, loadConfig } from "./config";
import type { Env } from "./env";
import { countRegistrants } from "./store/registry";
import { startTask } from "./tasks/tasks";
import type { TaskRun } from "./store/task-runs";

/**
 * The daily cron: RETENTION_DAYS after submissions close, starts the retention sweep, a
 * task that erases every registrant still in the registry, a step at a time (see
 * src/tasks/tasks.ts). Each day's cron starts another run while anyone is left.
 */
export async function startRetentionIfDue(env: Env, now = Date.now()): Promise<TaskRun | null> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return null;
  if (now < loaded.config.submission.closes + loaded.config.retentionDays * DAY_MS) return null;
  if ((await countRegistrants(env.DB)) === 0) return null;
  return startTask(env, "retention", "retention");
}
