/**
 * The judges' API over Swagbox's own work: dead letters (every job, on any topic, that ran
 * out of retries) and their retry, and the background tasks (index rebuild, re-sending
 * unconfirmed work) with their progress.
 */
import * as v from "valibot";
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { WITHHELD, isBlind } from "../judges/blind";
import { decodeCursor, encodeCursor } from "../judges/cursor";
import { json } from "../http/negotiate";
import type { TaskKind } from "../messages/topics";
import { retryDeadLetter } from "../queues/dead-letters";
import { recordAudit } from "../store/audit";
import { deadLetter, listDeadLetters } from "../store/dead-letters";
import { listRuns, taskRun, type TaskRun } from "../store/task-runs";
import { resumeTask, startTask } from "../tasks/tasks";
import { parseQuery, type AdminRequest } from "./admin-request";

const Limit = v.optional(
  v.pipe(v.string(), v.regex(/^\d{1,3}$/, "limit is a whole number"), v.transform(Number), v.minValue(1, "limit is at least 1"), v.maxValue(500, "limit is at most 500")),
  "100",
);

const DeadLettersQuery = v.object({
  status: v.optional(v.picklist(["open", "retried"], "status is open or retried")),
  topic: v.optional(v.pipe(v.string(), v.regex(/^[a-z_]{1,40}$/, "topic is a topic name, like email or index"))),
  cursor: v.optional(v.string()),
  limit: Limit,
});

const DeadLetterCursor = v.tuple([v.pipe(v.number(), v.integer())]);

/** GET /admin/api/dead-letters — newest first, a page at a time (`next` is the cursor of the next page). */
export async function deadLetters(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(DeadLettersQuery, request);
  const before = query.cursor ? decodeCursor(query.cursor, DeadLetterCursor)[0] : null;
  const page = await listDeadLetters(env.DB, query, before, query.limit);
  // A failure's reason may quote an entrant's address, which blind judging withholds.
  const blind = isBlind(request.config, request.judge);
  const shown = blind ? page.deadLetters.map((letter) => ({ ...letter, reason: WITHHELD })) : page.deadLetters;
  return json({ deadLetters: shown, next: page.next === null ? null : encodeCursor([page.next]) });
}

const LetterId = v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number));

/** POST /admin/api/dead-letters/:id/retry — does the job again, as its topic needs; audited. */
export async function retryLetter(request: AdminRequest, env: Env): Promise<Response> {
  const id = v.safeParse(LetterId, request.params.id);
  const letter = id.success ? await deadLetter(env.DB, id.output) : null;
  if (!letter) throw new HttpError(404, "not_found", "There is no dead letter with that id.");
  if (letter.status !== "open") throw new HttpError(409, "not_failed", "That dead letter was retried already.");
  const outcome = await retryDeadLetter(env, letter);
  if (!outcome.retried) throw new HttpError(409, "nothing_to_resend", outcome.reason);
  await recordAudit(env.DB, request.judge, "dead_letter_retry", null, { id: letter.id, topic: letter.topic, key: letter.key, ...outcome.detail });
  return json({ retried: true, ...outcome.detail }, 202);
}

/** A run as the API shows it: stalled when running but not moved for a while (its step was lost). */
function withHealth(run: TaskRun, now = Date.now()) {
  return { ...run, stalled: run.status === "running" && now - run.updated_at > STALLED_AFTER_MS };
}

/** Longer than a step's retries take to start again. */
const STALLED_AFTER_MS = 15 * 60_000;

/** GET /admin/api/tasks — the newest runs first. */
export async function tasks(request: AdminRequest, env: Env): Promise<Response> {
  const { limit } = parseQuery(v.object({ limit: Limit }), request);
  return json({ tasks: (await listRuns(env.DB, limit)).map((run) => withHealth(run)) });
}

const RunId = v.pipe(v.string(), v.uuid());

async function runFromPath(request: AdminRequest, env: Env): Promise<TaskRun> {
  const id = v.safeParse(RunId, request.params.id);
  const run = id.success ? await taskRun(env.DB, id.output) : null;
  if (!run) throw new HttpError(404, "not_found", "There is no task run with that id.");
  return run;
}

/** GET /admin/api/tasks/:id — one run's progress. */
export async function task(request: AdminRequest, env: Env): Promise<Response> {
  return json({ task: withHealth(await runFromPath(request, env)) });
}

/** POST /admin/api/tasks/:id/resume — carries a stalled run on from where it is. */
export async function resume(request: AdminRequest, env: Env): Promise<Response> {
  const run = await runFromPath(request, env);
  if (run.status !== "running") throw new HttpError(409, "finished", "That task run has finished.");
  await resumeTask(env, run);
  await recordAudit(env.DB, request.judge, "task_resume", null, { run: run.id, kind: run.kind, cursor: run.cursor });
  return json({ task: withHealth(run) }, 202);
}

/** Starts a task (or returns the run of its kind already going), audited; 202 with the run. */
export function starter(kind: Exclude<TaskKind, "retention">) {
  return async (request: AdminRequest, env: Env): Promise<Response> => {
    const run = await startTask(env, kind, request.judge.name).catch((error: unknown) => {
      console.error(`tasks: could not start a ${kind}`, error);
      throw new HttpError(503, "busy", "The tasks queue did not take the task, so nothing started. Try again in a minute.");
    });
    await recordAudit(env.DB, request.judge, kind, null, { run: run.id });
    return json({ task: withHealth(run) }, 202);
  };
}
