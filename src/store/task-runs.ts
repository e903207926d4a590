import type { TaskKind } from "../messages/topics";

/**
 * Background task runs in D1 (reindex, retention, flush, recheck): where each run is, for the steps
 * that carry it on and for organisers watching it. A step moves the cursor only from where
 * the run is, so a step delivered twice moves it once.
 */
export interface TaskRun {
  id: string;
  kind: TaskKind;
  status: "running" | "done";
  /** The last registrant id the run has handled (null: none yet). */
  cursor: string | null;
  total: number;
  processed: number;
  failed: number;
  started_by: string;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
}

export async function startRun(db: D1Database, kind: TaskKind, startedBy: string, total: number, now = Date.now()): Promise<TaskRun> {
  const run: TaskRun = {
    id: crypto.randomUUID(),
    kind,
    status: "running",
    cursor: null,
    total,
    processed: 0,
    failed: 0,
    started_by: startedBy,
    started_at: now,
    updated_at: now,
    finished_at: null,
  };
  await db
    .prepare(
      `INSERT INTO task_runs (id, kind, status, cursor, total, processed, failed, started_by, started_at, updated_at)
       VALUES (?, ?, 'running', NULL, ?, 0, 0, ?, ?, ?)`,
    )
    .bind(run.id, kind, total, startedBy, now, now)
    .run();
  return run;
}

export function taskRun(db: D1Database, id: string): Promise<TaskRun | null> {
  return db.prepare("SELECT * FROM task_runs WHERE id = ?").bind(id).first<TaskRun>();
}

/** The run of `kind` still going, if any (one at a time of each kind). */
export function runningRun(db: D1Database, kind: TaskKind): Promise<TaskRun | null> {
  return db.prepare("SELECT * FROM task_runs WHERE kind = ? AND status = 'running' ORDER BY started_at DESC LIMIT 1").bind(kind).first<TaskRun>();
}

/**
 * Moves the run from `from` to `to` with the step's counts, finishing it when `done`.
 * Changes nothing (and the caller learns it from `meta.changes`) unless the run was at `from`.
 */
export function advanceStatement(
  db: D1Database,
  step: { run: string; from: string | null; to: string | null; processed: number; failed: number; done: boolean },
  now = Date.now(),
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE task_runs SET cursor = ?1, processed = processed + ?2, failed = failed + ?3, updated_at = ?4,
         status = CASE WHEN ?5 THEN 'done' ELSE status END, finished_at = CASE WHEN ?5 THEN ?4 ELSE finished_at END
       WHERE id = ?6 AND status = 'running' AND cursor IS ?7`,
    )
    .bind(step.to, step.processed, step.failed, now, step.done ? 1 : 0, step.run, step.from);
}

/** The newest runs first. */
export async function listRuns(db: D1Database, limit: number): Promise<TaskRun[]> {
  const { results } = await db.prepare("SELECT * FROM task_runs ORDER BY started_at DESC LIMIT ?").bind(limit).all<TaskRun>();
  return results;
}
