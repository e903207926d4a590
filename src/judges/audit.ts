import type { Judge } from "./auth";

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

/** The statement that records one state-changing admin action; batch it with the change. */
export function auditStatement(db: D1Database, judge: Judge, action: string, target: string | null, detail: object = {}) {
  return db
    .prepare("INSERT INTO audit_log (at, actor, role, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)")
    .bind(Date.now(), judge.name, judge.role, action, target, JSON.stringify(detail));
}

/** An action the system took by itself (a hold expiring, a prize re-offered). */
export interface SystemAudit {
  action: string;
  target: string | null;
  detail: object;
}

export function systemAuditStatement(db: D1Database, entry: SystemAudit) {
  return auditStatement(db, { name: "swagbox", role: "organiser", via: "token" }, entry.action, entry.target, entry.detail);
}

export async function recordAudit(db: D1Database, judge: Judge, action: string, target: string | null, detail: object = {}) {
  await auditStatement(db, judge, action, target, detail).run();
}

/** The newest actions first, a page at a time (`before` is the last id seen). */
export async function listAudit(db: D1Database, before: number | null, limit: number): Promise<{ entries: AuditEntry[]; next: number | null }> {
  const { results } = await db
    .prepare("SELECT id, at, actor, role, action, target, detail FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?")
    .bind(before ?? Number.MAX_SAFE_INTEGER, limit + 1)
    .all<Omit<AuditEntry, "detail"> & { detail: string }>();
  const page = results.slice(0, limit).map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
  return { entries: page, next: results.length > limit ? (page.at(-1)?.id ?? null) : null };
}
