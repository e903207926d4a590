import { loadConfig } from "../config";
import type { Env } from "../env";
import { enqueue } from "../messages/enqueue";
import { EMAILS_PER_SEND, RETRY, type EmailSend } from "../messages/topics";
import type { RetryPolicy } from "../messages/retry";
import type { EmailJob } from "../schemas/email-job";
import { claimJobs, releaseBatches, returnToBatchStatements, type Claim, type Claimed } from "../store/email-log";
import { recordedRequests } from "./requests";

/** A send message stays well under the queue's 128 KB a message. */
const SEND_BYTES = 100_000;

/** A configuration problem is retried at this pace until an operator fixes it. */
const MISCONFIGURED: RetryPolicy = { firstS: 60, maxS: 60, floorS: 60 };

/**
 * Email jobs from the changes queue: turned into provider requests, nothing sent here. Each
 * job is claimed in the email log for one batch, once: a job the log already holds
 * (settled, or in a batch still at work) is a duplicate and is skipped. Each batch then
 * goes to the sends queue as one message, which fixes its members and idempotency key for
 * every attempt to come (src/email/sends.ts). Returns how to retry when the jobs could not
 * be planned (null when they were).
 */
export async function planEmails(jobs: readonly EmailJob[], env: Env): Promise<RetryPolicy | null> {
  if (jobs.length === 0) return null;
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    console.error("emails: configuration is invalid, retrying later", loaded.problems);
    return MISCONFIGURED;
  }
  const groups = intoBatches([...new Map(jobs.map((job) => [job.key, job])).values()]);
  let sends: EmailSend[] = [];
  try {
    const claimed = await claimJobs(env.DB, groups, loaded.config.emailProvider);
    const again = await requestsToMakeAgain(env, groups, claimed);
    sends = [
      ...again.requests,
      ...groups
        .map((group) => ({ batch: group.batch, jobs: group.jobs.filter((job) => claimed.keys.has(job.key) && !again.returned.has(job.key)) }))
        .filter((send) => send.jobs.length > 0),
    ];
    await enqueue(env.EMAIL_SENDS_QUEUE, sends.map((body) => ({ topic: "email_send", body })));
    return null;
  } catch (error) {
    console.warn(`emails: could not plan ${jobs.length} job(s), retrying: ${error instanceof Error ? error.message : String(error)}`);
    // Claims for batches that never reached the queue are given up, so the retry can claim them.
    await releaseBatches(env.DB, sends.map((send) => send.batch)).catch((release) => console.warn("emails: could not release claims", release));
    return RETRY.email;
  }
}

/**
 * The requests to make again as they were: jobs just claimed from a lost batch that was
 * already tried at the provider (it has a record, src/email/requests.ts) go back to it, and
 * the recorded request is queued again; its other members come with it. A fresh request
 * for them could send what the provider already sent.
 */
async function requestsToMakeAgain(
  env: Env,
  groups: readonly (Claim & { jobs: EmailJob[] })[],
  claimed: Claimed,
): Promise<{ requests: EmailSend[]; returned: Set<string> }> {
  if (claimed.fromLostBatch.size === 0) return { requests: [], returned: new Set() };
  const requests = await recordedRequests(env.SNAPSHOTS, [...new Set(claimed.fromLostBatch.values())]);
  const recorded = new Set(requests.map((send) => send.batch));
  const moves = groups.flatMap((group) =>
    group.jobs.flatMap((job) => {
      const lost = claimed.fromLostBatch.get(job.key);
      return claimed.keys.has(job.key) && lost !== undefined && recorded.has(lost) ? [{ key: job.key, from: group.batch, to: lost }] : [];
    }),
  );
  if (moves.length > 0) await env.DB.batch(returnToBatchStatements(env.DB, moves));
  return { requests, returned: new Set(moves.map((move) => move.key)) };
}

const encoder = new TextEncoder();

/** Jobs in provider requests: at most EMAILS_PER_SEND each, and small enough for one queue message. */
function intoBatches(jobs: readonly EmailJob[]): (Claim & { jobs: EmailJob[] })[] {
  const batches: (Claim & { jobs: EmailJob[] })[] = [];
  let current: EmailJob[] = [];
  let bytes = 0;
  for (const job of jobs) {
    const size = encoder.encode(JSON.stringify(job)).byteLength;
    if (current.length === EMAILS_PER_SEND || (current.length > 0 && bytes + size > SEND_BYTES)) {
      batches.push({ batch: crypto.randomUUID(), jobs: current });
      current = [];
      bytes = 0;
    }
    current.push(job);
    bytes += size;
  }
  if (current.length > 0) batches.push({ batch: crypto.randomUUID(), jobs: current });
  return batches;
}
