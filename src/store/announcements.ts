/**
 * Announcements in D1: the drafts and their sends, who each send queued an email for (and
 * under which key, so the email log tells how each one went), and who unsubscribed.
 */
import type { AnnouncementDraft, Segment } from "../schemas/announcement";

export type AnnouncementStatus = "draft" | "sending" | "confirming" | "done";

export interface Announcement {
  id: number;
  subject: string;
  body: string;
  segment: Segment;
  status: AnnouncementStatus;
  cursor: string | null;
  total: number;
  created_by: string;
  created_at: number;
  updated_at: number;
  started_by: string | null;
  started_at: number | null;
  finished_at: number | null;
}

/** A recipient as the emails need them. */
export interface Recipient {
  id: string;
  email: string;
  firstname: string;
}

/** Each segment as a condition on the judges' index (`e`); erased entrants are in none. */
const SEGMENT_WHERE: Record<Segment, string> = {
  everyone: "e.status != 'erased'",
  registered: "e.status = 'registered'",
  submitted: "e.submission_version IS NOT NULL AND e.status != 'erased'",
  winners: "e.status = 'winner'",
  waitlist: "e.status = 'waitlisted'",
  unshipped: "e.status = 'winner' AND (e.shipping_status IS NULL OR e.shipping_status IN ('awaiting', 'ready'))",
};

/** Who may get announcements at all: not unsubscribed, and not disqualified (the organisers are done with them). */
const REACHABLE = "NOT EXISTS (SELECT 1 FROM unsubscribes u WHERE u.registrant_id = e.id) AND e.disqualified_at IS NULL";

export async function createAnnouncement(db: D1Database, draft: AnnouncementDraft, by: string, now = Date.now()): Promise<Announcement> {
  return (await db
    .prepare(
      `INSERT INTO announcements (subject, body, segment, status, created_by, created_at, updated_at)
       VALUES (?, ?, ?, 'draft', ?, ?, ?) RETURNING *`,
    )
    .bind(draft.subject, draft.body, draft.segment, by, now, now)
    .first<Announcement>())!;
}

/** Changes a draft; null when there is no such announcement or it is no longer a draft. */
export function updateDraft(db: D1Database, id: number, draft: AnnouncementDraft, now = Date.now()): Promise<Announcement | null> {
  return db
    .prepare("UPDATE announcements SET subject = ?, body = ?, segment = ?, updated_at = ? WHERE id = ? AND status = 'draft' RETURNING *")
    .bind(draft.subject, draft.body, draft.segment, now, id)
    .first<Announcement>();
}

export function announcement(db: D1Database, id: number): Promise<Announcement | null> {
  return db.prepare("SELECT * FROM announcements WHERE id = ?").bind(id).first<Announcement>();
}

/** The newest first, `before` an id (null: from the newest). */
export async function listAnnouncements(db: D1Database, before: number | null, limit: number): Promise<{ announcements: Announcement[]; next: number | null }> {
  const { results } = await db
    .prepare("SELECT * FROM announcements WHERE id < ? ORDER BY id DESC LIMIT ?")
    .bind(before ?? Number.MAX_SAFE_INTEGER, limit + 1)
    .all<Announcement>();
  const page = results.slice(0, limit);
  return { announcements: page, next: results.length > limit ? (page.at(-1)?.id ?? null) : null };
}

/** The announcement being sent or confirmed, if any: one at a time. */
export function runningAnnouncement(db: D1Database): Promise<Announcement | null> {
  return db.prepare("SELECT * FROM announcements WHERE status IN ('sending', 'confirming') ORDER BY id LIMIT 1").first<Announcement>();
}

/**
 * Starts the send of a draft, with the segment's size; false (and nothing changed) when it
 * is not a draft any more or another announcement is on its way.
 */
export async function startSending(db: D1Database, draft: Pick<Announcement, "id" | "segment">, by: string, now = Date.now()): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `UPDATE announcements SET status = 'sending', started_by = ?1, started_at = ?2, updated_at = ?2, cursor = NULL,
         total = (SELECT COUNT(*) FROM entries e WHERE ${SEGMENT_WHERE[draft.segment]} AND ${REACHABLE})
       WHERE id = ?3 AND status = 'draft' AND NOT EXISTS (SELECT 1 FROM announcements WHERE status IN ('sending', 'confirming'))`,
    )
    .bind(by, now, draft.id)
    .run();
  return meta.changes > 0;
}

/** Gives a send that never got its first step queued back to its draft, so it can be sent again. */
export async function backToDraft(db: D1Database, id: number): Promise<void> {
  await db.prepare("UPDATE announcements SET status = 'draft', started_by = NULL, started_at = NULL, total = 0 WHERE id = ? AND status = 'sending' AND cursor IS NULL").bind(id).run();
}

/** How many entrants of the segment would get it now. */
export async function countSegment(db: D1Database, segment: Segment): Promise<number> {
  return (await db.prepare(`SELECT COUNT(*) AS n FROM entries e WHERE ${SEGMENT_WHERE[segment]} AND ${REACHABLE}`).first<{ n: number }>())?.n ?? 0;
}

/** The next `limit` subscribed entrants of the segment after `after`, in id order. */
export async function segmentPage(db: D1Database, segment: Segment, after: string | null, limit: number): Promise<Recipient[]> {
  const { results } = await db
    .prepare(`SELECT e.id, e.email, e.firstname FROM entries e WHERE ${SEGMENT_WHERE[segment]} AND ${REACHABLE} AND e.id > ? ORDER BY e.id LIMIT ?`)
    .bind(after ?? "", limit)
    .all<Recipient>();
  return results;
}

/** One entrant as an email needs them, if they are still there (not erased). */
export function recipient(db: D1Database, id: string): Promise<Recipient | null> {
  return db.prepare("SELECT id, email, firstname FROM entries WHERE id = ? AND status != 'erased'").bind(id).first<Recipient>();
}

/** Records who the step queued an email for, under which key; a step run twice records once. */
export function recipientStatements(db: D1Database, id: number, recipients: readonly { registrantId: string; key: string }[]): D1PreparedStatement[] {
  const insert = db.prepare("INSERT OR IGNORE INTO announcement_recipients (announcement_id, registrant_id, key) VALUES (?, ?, ?)");
  return recipients.map((r) => insert.bind(id, r.registrantId, r.key));
}

/**
 * Moves the walk from `from` to `to`; with `done`, the walk is over and the confirmation
 * begins. Changes nothing unless the walk was at `from` (a step delivered twice moves it once).
 */
export function advanceWalkStatement(db: D1Database, step: { id: number; from: string | null; to: string | null; done: boolean }, now = Date.now()): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE announcements SET cursor = ?1, updated_at = ?2, status = CASE WHEN ?3 THEN 'confirming' ELSE status END
       WHERE id = ?4 AND status = 'sending' AND cursor IS ?5`,
    )
    .bind(step.to, now, step.done ? 1 : 0, step.id, step.from);
}

/** The send is confirmed: every recipient's email settled. */
export function finishStatement(db: D1Database, id: number, now = Date.now()): D1PreparedStatement {
  return db.prepare("UPDATE announcements SET status = 'done', finished_at = ?1, updated_at = ?1 WHERE id = ?2 AND status = 'confirming'").bind(now, id);
}

/** A recipient whose email the log does not show settled: its state there, if any, and who they are now. */
export interface Unsettled {
  registrant_id: string;
  key: string;
  status: string | null;
  lease_until: number | null;
  email: string | null;
  firstname: string | null;
}

/** The next recipients after `after` whose email the log does not show settled (sent, failed, dead or retried). */
export async function unsettledRecipients(db: D1Database, id: number, after: string | null, limit: number): Promise<Unsettled[]> {
  const { results } = await db
    .prepare(
      `SELECT r.registrant_id, r.key, l.status, l.lease_until, e.email, e.firstname
       FROM announcement_recipients r
       LEFT JOIN email_log l ON l.key = r.key
       LEFT JOIN entries e ON e.id = r.registrant_id AND e.status != 'erased'
       WHERE r.announcement_id = ?1 AND r.registrant_id > ?2 AND (l.key IS NULL OR l.status IN ('sending', 'retrying'))
       ORDER BY r.registrant_id LIMIT ?3`,
    )
    .bind(id, after ?? "", limit)
    .all<Unsettled>();
  return results;
}

/** A recipient's email goes again under `key` (an organiser's retry): the progress follows the new one. */
export function rekeyRecipientStatement(db: D1Database, id: number, registrantId: string, key: string): D1PreparedStatement {
  return db.prepare("UPDATE announcement_recipients SET key = ? WHERE announcement_id = ? AND registrant_id = ?").bind(key, id, registrantId);
}

/** A recipient who can no longer get it (erased since): off the list. */
export function dropRecipientStatement(db: D1Database, id: number, registrantId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM announcement_recipients WHERE announcement_id = ? AND registrant_id = ?").bind(id, registrantId);
}

export interface Progress {
  /** Recipients the send has queued so far. */
  queued: number;
  sent: number;
  /** Refused for good, or given up after EMAIL_RETRY_HOURS (an organiser may retry them). */
  failed: number;
  /** Queued, with no outcome yet. */
  pending: number;
}

/** How the announcement's emails went, from the email log. */
export async function progress(db: D1Database, id: number): Promise<Progress> {
  const row = await db
    .prepare(
      `SELECT COUNT(*) AS queued,
         COALESCE(SUM(l.status = 'sent'), 0) AS sent,
         COALESCE(SUM(l.status IN ('failed', 'dead', 'retried')), 0) AS failed,
         COALESCE(SUM(l.key IS NULL OR l.status IN ('sending', 'retrying')), 0) AS pending
       FROM announcement_recipients r LEFT JOIN email_log l ON l.key = r.key WHERE r.announcement_id = ?`,
    )
    .bind(id)
    .first<Progress>();
  return row ?? { queued: 0, sent: 0, failed: 0, pending: 0 };
}

/** Whether the entrant unsubscribed from announcements. */
export async function isUnsubscribed(db: D1Database, registrantId: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS yes FROM unsubscribes WHERE registrant_id = ?").bind(registrantId).first()) !== null;
}

export async function unsubscribe(db: D1Database, registrantId: string, now = Date.now()): Promise<void> {
  await db.prepare("INSERT OR IGNORE INTO unsubscribes (registrant_id, at) VALUES (?, ?)").bind(registrantId, now).run();
}
