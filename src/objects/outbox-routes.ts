/**
 * The routes by which the objects' outboxes hand work over, built from the message
 * contract: where each topic goes and how its effect is confirmed.
 */
import { requireConfig } from "../config";
import type { Env } from "../env";
import { enqueue } from "../messages/enqueue";
import { KEY_OF, type PrizeRequest, type SystemAudit } from "../messages/topics";
import type { EmailJob } from "../schemas/email-job";
import type { EntryRow } from "../schemas/entry-row";
import type { LinkCheckJob } from "../schemas/link-check";
import type { PrizeUpdate } from "../schemas/prizes";
import type { LinkClaim } from "../schemas/shared-link";
import { systemAuditStatement } from "../store/audit";
import { recordDeadLetters } from "../store/dead-letters";
import { confirmEmails } from "../store/email-log";
import { confirmIndexRows, reofferCandidates } from "../store/entries-index";
import { confirmLinkChecks, type CheckConfirmation } from "../store/link-checks";
import { ownerStatements } from "../store/link-owners";
import type { Channel, DeadJob, OutboxOptions, Route } from "./outbox";
import { prizeCounter, sharedLink } from "./stubs";

/** The changes queue: a registrant's emails and index row leave together, in one sendBatch. */
export function changesChannel(env: Env): Channel {
  return { send: (messages) => enqueue(env.CHANGES_QUEUE, messages) };
}

/** Emails travel on the changes queue; each is done once the email log holds its outcome. */
export function emailRoute(env: Env, changes: Channel): Route<EmailJob> {
  return {
    key: KEY_OF.email,
    deliver: { channel: changes, message: (body) => ({ topic: "email", body }) },
    confirm: (jobs) => confirmEmails(env.DB, jobs.map((job) => job.key)),
  };
}

/**
 * Index rows travel on the changes queue (their consumer also lists the registrant in the
 * registry); each is done once D1 holds it (or a newer one). Only the newest matters.
 */
export function indexRoute(env: Env, changes: Channel): Route<EntryRow> {
  return {
    key: KEY_OF.index,
    deliver: { channel: changes, message: (body) => ({ topic: "index", body }) },
    confirm: (rows) => confirmIndexRows(env.DB, rows),
    supersedes: true,
  };
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
 * A check of a submission's links goes to the checks queue, alone (it shares no sendBatch
 * with the change that asked for it: a different queue). It is done once D1 holds its
 * result (or a newer one); `found` hears what each finished check found. Only the newest
 * check matters.
 */
export function linkCheckRoute(env: Env, found: (checked: CheckConfirmation[]) => void): Route<LinkCheckJob> {
  return {
    key: KEY_OF.link_check,
    deliver: async (jobs) => {
      await enqueue(env.CHECKS_QUEUE, jobs.map((body) => ({ topic: "link_check", body })));
    },
    confirm: async (jobs) => {
      const checked = await confirmLinkChecks(env.DB, jobs);
      found(checked);
      return checked.map((check) => check.confirmation);
    },
    supersedes: true,
  };
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
