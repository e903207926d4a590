import type { SystemAudit } from "../messages/topics";

/** Who acted: a judge or organiser, or Swagbox itself. */
export interface AuditActor {
  name: string;
  role: string;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

/** The statement that records one state-changing action; batch it with the change. */
export function auditStatement(db: D1Database, actor: AuditActor, action: string, target: string | null, detail: object = {}, at = Date.now()) {
  return db
    .prepare("INSERT INTO audit_log (at, actor, role, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)")
    .bind(at, actor.name, actor.role, action, target, JSON.stringify(detail));
}

/** Swagbox itself, as the audit log names it when it acts on its own. */
const SWAGBOX: AuditActor = { name: "swagbox", role: "organiser" };

/** An action the system took by itself (a hold expiring, an erasure by the retention sweep). */
export function systemAuditStatement(db: D1Database, entry: Omit<SystemAudit, "at"> & { at?: number }) {
  return auditStatement(db, SWAGBOX, entry.action, entry.target, entry.detail, entry.at);
}

export async function recordAudit(db: D1Database, actor: AuditActor, action: string, target: string | null, detail: object = {}) {
  await auditStatement(db, actor, action, target, detail).run();
}

/** Which actions to list: by whom, of what kind, about which entry (each optional). */
export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
}

/** The newest actions first, a page at a time (`before` is the last id seen), filtered. */
export async function listAudit(db: D1Database, before: number | null, limit: number, filter: AuditFilter = {}): Promise<{ entries: AuditEntry[]; next: number | null }> {
  // Only the filters given become conditions, so each can use its index (by actor, action or target, then id).
  const conditions = (["actor", "action", "target"] as const).filter((column) => filter[column] !== undefined);
  const { results } = await db
    .prepare(
      `SELECT id, at, actor, role, action, target, detail FROM audit_log
       WHERE id < ? ${conditions.map((column) => `AND ${column} = ?`).join(" ")} ORDER BY id DESC LIMIT ?`,
    )
    .bind(before ?? Number.MAX_SAFE_INTEGER, ...conditions.map((column) => filter[column]!), limit + 1)
    .all<Omit<AuditEntry, "detail"> & { detail: string }>();
  const page = results.slice(0, limit).map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
  return { entries: page, next: results.length > limit ? (page.at(-1)?.id ?? null) : null };
}
