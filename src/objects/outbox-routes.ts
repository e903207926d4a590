/**
 * The routes by which the objects' outboxes hand work over, built from the message
 * contract: where each topic goes and how its effect is confirmed.
 */
import { requireConfig } from "../config";
import type { Env } from "../env";
import { enqueue } from "../messages/enqueue";
import { KEY_OF, type Change, type PrizeRequest, type SystemAudit } from "../messages/topics";
import type { EmailJob } from "../schemas/email-job";
import type { EntryRow } from "../schemas/entry-row";
import type { LinkCheckJob } from "../schemas/link-check";
import type { PrizeUpdate } from "../schemas/prizes";
import type { LinkClaim } from "../schemas/shared-link";
import { systemAuditStatement } from "../store/audit";
import { recordDeadLetters } from "../store/dead-letters";
import { emailConfirmations } from "../store/email-log";
import { indexConfirmations, reofferCandidates } from "../store/entries-index";
import { lookUp } from "../store/lookup";
import { confirmLinkChecks, type CheckConfirmation } from "../store/link-checks";
import { ownerStatements } from "../store/link-owners";
import type { Channel, DeadJob, OutboxOptions, Route } from "./outbox";
import { prizeCounter, sharedLink } from "./stubs";

/** A job as the changes channel carries it: one of the parts a change message is made of. */
export type ChangePart = { topic: "email"; body: EmailJob } | { topic: "index"; body: EntryRow };

/**
 * The changes queue: whatever a registrant's change implies leaves as one message (its
 * emails and its index row), and is confirmed in one D1 round trip: emails are done once
 * the email log holds their outcome, an index row once D1 holds it (or a newer one).
 */
export function changesChannel(env: Env): Channel<ChangePart> {
  return {
    send: (parts) => enqueue(env.CHANGES_QUEUE, intoChanges(parts).map((body) => ({ topic: "change", body }))),
    async confirm(parts) {
      const emails = parts.flatMap((part) => (part.topic === "email" ? [part.body.key] : []));
      const rows = parts.flatMap((part) => (part.topic === "index" ? [part.body] : []));
      const [emailsDone, rowsDone] = await lookUp(env.DB, emailConfirmations(env.DB, emails), indexConfirmations(env.DB, rows));
      return parts.map((part) => (part.topic === "email" ? emailsDone.shift() : rowsDone.shift()) ?? { status: "lost" });
    },
  };
}

/** A change message stays well under the queue's 128 KB a message. */
const CHANGE_BYTES = 100_000;

const encoder = new TextEncoder();

/** Parts as change messages: all in one, unless they are too large for it. */
function intoChanges(parts: readonly ChangePart[]): Change[] {
  const changes: Change[] = [];
  let current: Change = { emails: [], rows: [] };
  let bytes = 0;
  for (const part of parts) {
    const size = encoder.encode(JSON.stringify(part.body)).byteLength;
    if (bytes > 0 && bytes + size > CHANGE_BYTES) {
      changes.push(current);
      current = { emails: [], rows: [] };
      bytes = 0;
    }
    if (part.topic === "email") current.emails.push(part.body);
    else current.rows.push(part.body);
    bytes += size;
  }
  if (bytes > 0) changes.push(current);
  return changes;
}

/** Emails travel on the changes queue. */
export function emailRoute(changes: Channel<ChangePart>): Route<EmailJob, ChangePart> {
  return { key: KEY_OF.email, deliver: { channel: changes, part: (body) => ({ topic: "email", body }) } };
}

/**
 * Index rows travel on the changes queue (their consumer also lists the registrant in the
 * registry). Only the newest matters.
 */
export function indexRoute(changes: Channel<ChangePart>): Route<EntryRow, ChangePart> {
  return { key: KEY_OF.index, deliver: { channel: changes, part: (body) => ({ topic: "index", body }) }, supersedes: true };
}

/** The PrizeCounter's actions of its own go straight into the audit log. */
export function auditRoute(env: Env): Route<SystemAudit> {
  return {
    key: KEY_OF.audit,
    deliver: async (entries) => {
      await env.DB.batch(entries.map((entry) => systemAuditStatement(env.DB, entry)));
    },
  };
}

/** The PrizeCounter tells each registrant its place; the registrant stores it before answering. */
export function prizeUpdateRoute(env: Env): Route<PrizeUpdate> {
  return {
    key: KEY_OF.prize_update,
    deliver: async (updates) => {
      await Promise.all(updates.map((update) => env.REGISTRANT.get(env.REGISTRANT.idFromString(update.registrantId)).recordPrize(update)));
    },
  };
}

/**
 * A registrant whose hold expired gives its slot back (releasing twice is harmless); under
 * the judged policy with the judges' ranking, from which the counter picks the next winner
 * if REOFFER_EXPIRED says so.
 */
export function prizeReleaseRoute(env: Env): Route<PrizeRequest> {
  return {
    key: KEY_OF.prize_release,
    deliver: async (requests) => {
      const judged = requireConfig(env).awardPolicy === "judged";
      for (const { registrantId } of requests) {
        const candidates = judged ? await reofferCandidates(env.DB, registrantId) : [];
        await prizeCounter(env).releaseExpired(registrantId, candidates);
      }
    },
  };
}

/**
 * A check of a submission's links goes to the checks queue, alone (it shares no message
 * with the change that asked for it: a different queue). It is done once D1 holds its
 * result (or a newer one); `found` hears what each finished check found. Only the newest
 * check matters.
 */
export function linkCheckRoute(env: Env, found: (checked: CheckConfirmation[]) => void): Route<LinkCheckJob, LinkCheckJob> {
  const checks: Channel<LinkCheckJob> = {
    send: (jobs) => enqueue(env.CHECKS_QUEUE, jobs.map((body) => ({ topic: "link_check", body }))),
    async confirm(jobs) {
      const checked = await confirmLinkChecks(env.DB, jobs);
      found(checked);
      return checked.map((check) => check.confirmation);
    },
  };
  return { key: KEY_OF.link_check, deliver: { channel: checks, part: (body) => body }, supersedes: true };
}

/** A registrant's claims on URLs, each to that URL's object; taken once the object answered. */
export function linkClaimRoute(env: Env): Route<LinkClaim> {
  return {
    key: KEY_OF.link_claim,
    deliver: async (claims) => {
      await Promise.all(claims.map((claim) => sharedLink(env, claim.url).claim(claim)));
    },
  };
}

/**
 * A URL's object writes each claim it took to D1, all of a run's claims in one batch (a
 * popular URL's storm of claims costs D1 a few batches, not a write per owner per claim).
 */
export function linkOwnerRoute(env: Env): Route<LinkClaim> {
  return {
    key: KEY_OF.link_owner,
    deliver: async (claims) => {
      await env.DB.batch(ownerStatements(env.DB, claims));
    },
  };
}

/** Every object's dead jobs are recorded as dead letters, under the object's name for them. */
export function outboxOptions(env: Env, origin: string, confirmAfterMs: number): OutboxOptions {
  return {
    confirmAfterMs,
    reportDead: (jobs: DeadJob[]) => recordDeadLetters(env.DB, jobs.map((job) => ({ ...job, origin }))),
  };
}
