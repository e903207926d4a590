/**
 * The checks queue's consumer: each message is one submission version's links to check
 * (src/checks/). A batch's results go to D1 in one batch. A check that must wait (a forge's
 * rate limit, or this invocation's subrequests used up) is queued again with a delay rather
 * than retried, so waiting never uses up its retries, and its lease in D1 tells the
 * registrant that it is on its way; a check whose own tools failed is retried with backoff.
 */
import { checkLinks, type Checker } from "../checks/check-links";
import { CheckerUnavailable, Net, OutOfBudget, RateLimited, type Forge } from "../checks/net";
import { loadConfig, type Config } from "../config";
import type { Env } from "../env";
import { readMessages, type Read } from "../messages/read";
import { retryDelaySeconds } from "../messages/retry";
import { RETRY } from "../messages/topics";
import type { LinkCheckJob, LinkCheckResult } from "../schemas/link-check";
import { pauseStatements, providerPause } from "../store/email-log";
import { leaseStatement, resultStatement } from "../store/link-checks";
import { mapLimit } from "../tasks/tasks";

/** External requests one invocation makes at most: Workers Free allows 50. */
const SUBREQUESTS = 40;
/** Checks in flight at once; each may have two DNS lookups open, and a Worker six connections. */
const CONCURRENCY = 3;
/** A waiting check's lease lasts until its next delivery is due, and this long more. */
const LEASE_MARGIN_MS = 15 * 60_000;
/** A queue message can wait at most 12 hours before it is delivered. */
const MAX_DELAY_S = 43_200;
const FORGES: readonly Forge[] = ["github", "gitlab"];

type Outcome =
  | { kind: "done"; result: LinkCheckResult }
  | { kind: "wait"; until: number; pause: Forge | null }
  | { kind: "retry"; reason: string };

export async function consumeLinkChecks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const reads = readMessages(batch, "link_check");
  if (reads.length === 0) return;
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    console.error("link checks: configuration is invalid, retrying later", loaded.problems);
    for (const { message } of reads) message.retry({ delaySeconds: 60 });
    return;
  }
  const config = loaded.config;
  let checker: Checker;
  try {
    checker = await checkerFor(env, config);
  } catch (error) {
    return retryAll(reads, `could not read the forges' pauses: ${messageOf(error)}`);
  }
  const outcomes = await mapLimit(reads, CONCURRENCY, ({ body }) => check(body, checker));

  const now = Date.now();
  const contestOpens = Math.min(config.registration.opens, config.submission.opens);
  const statements = reads.flatMap(({ body }, i): D1PreparedStatement[] => {
    const outcome = outcomes[i]!;
    if (outcome.kind === "done") return [resultStatement(env.DB, body, outcome.result, contestOpens)];
    if (outcome.kind === "wait") return [leaseStatement(env.DB, body, outcome.until + LEASE_MARGIN_MS)];
    return [];
  });
  const paused = new Map<Forge, number>();
  for (const outcome of outcomes) {
    if (outcome.kind === "wait" && outcome.pause) paused.set(outcome.pause, Math.max(paused.get(outcome.pause) ?? 0, outcome.until));
  }
  for (const [forge, until] of paused) {
    statements.push(...pauseStatements(env.DB, forge, { until, strikes: 0, reason: `${forge} rate-limited link checks` }));
  }
  try {
    if (statements.length > 0) await env.DB.batch(statements);
  } catch (error) {
    return retryAll(reads, `D1 refused the results: ${messageOf(error)}`);
  }

  const waiting = reads.flatMap((read, i) => {
    const outcome = outcomes[i]!;
    return outcome.kind === "wait" ? [{ read, delaySeconds: Math.min(Math.max(Math.ceil((outcome.until - now) / 1000), 1), MAX_DELAY_S) }] : [];
  });
  await queueAgain(env, waiting);
  reads.forEach(({ message }, i) => {
    const outcome = outcomes[i]!;
    if (outcome.kind === "done") message.ack();
    else if (outcome.kind === "retry") {
      console.warn(`link checks: ${outcome.reason}; retrying`);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, RETRY.link_check) });
    }
  });
}

async function checkerFor(env: Env, config: Config): Promise<Checker> {
  const pausedUntil: Partial<Record<Forge, number>> = {};
  if (config.linkChecks) {
    const pauses = await Promise.all(FORGES.map((forge) => providerPause(env.DB, forge)));
    FORGES.forEach((forge, i) => {
      if (pauses[i]!.until > Date.now()) pausedUntil[forge] = pauses[i]!.until;
    });
  }
  return { network: config.linkChecks, net: new Net(SUBREQUESTS, config.linkCheckStub), githubToken: config.githubToken, pausedUntil };
}

async function check(job: LinkCheckJob, checker: Checker): Promise<Outcome> {
  try {
    return { kind: "done", result: await checkLinks(job, checker) };
  } catch (error) {
    if (error instanceof RateLimited) {
      // The batch's other checks on this forge wait too, without asking it again.
      checker.pausedUntil[error.forge] = Math.max(checker.pausedUntil[error.forge] ?? 0, error.until);
      return { kind: "wait", until: error.until, pause: error.forge };
    }
    if (error instanceof OutOfBudget) return { kind: "wait", until: Date.now() + 1_000, pause: null };
    if (error instanceof CheckerUnavailable) return { kind: "retry", reason: error.message };
    return { kind: "retry", reason: `the check failed: ${messageOf(error)}` };
  }
}

/**
 * Queues waiting checks again, each with its delay, and acks them; if the queue refuses,
 * they are retried instead (an attempt spent, but nothing lost).
 */
async function queueAgain(env: Env, waiting: { read: Read<"link_check">; delaySeconds: number }[]): Promise<void> {
  if (waiting.length === 0) return;
  try {
    await env.CHECKS_QUEUE.sendBatch(
      waiting.map(({ read, delaySeconds }) => ({ body: { topic: "link_check", body: read.body }, contentType: "json", delaySeconds })),
    );
    for (const { read } of waiting) read.message.ack();
  } catch (error) {
    console.warn(`link checks: could not queue ${waiting.length} waiting check(s) again, retrying them: ${messageOf(error)}`);
    for (const { read, delaySeconds } of waiting) read.message.retry({ delaySeconds });
  }
}

function retryAll(reads: Read<"link_check">[], reason: string): void {
  console.warn(`link checks: ${reason}; retrying ${reads.length} check(s)`);
  for (const { message } of reads) message.retry({ delaySeconds: retryDelaySeconds(message.attempts, RETRY.link_check) });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
