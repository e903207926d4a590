import type { ContentFields } from "../schemas/content";
import { auditStatement, type AuditActor } from "./audit";

/** One saved version of the organisers' page content. */
export interface ContentVersion {
  version: number;
  fields: ContentFields;
  actor: string;
  at: number;
}

/**
 * Saves `fields` as version `base + 1`, with its audit entry, in one D1 batch (a
 * transaction). False when that version exists already: someone saved since the editor
 * opened version `base`, and the batch wrote nothing (the editor reloads and saves again).
 */
export async function saveContentVersion(db: D1Database, actor: AuditActor, base: number, fields: ContentFields, at = Date.now()): Promise<boolean> {
  const version = base + 1;
  try {
    await db.batch([
      db.prepare("INSERT INTO content_versions (version, fields, actor, at) VALUES (?, ?, ?, ?)").bind(version, JSON.stringify(fields), actor.name, at),
      auditStatement(db, actor, "content_update", null, { version }, at),
    ]);
    return true;
  } catch (error) {
    if (/UNIQUE constraint failed|PRIMARY KEY/i.test(error instanceof Error ? error.message : String(error))) return false;
    throw error;
  }
}

/** The newest version, or null when nothing was saved. */
export async function latestContent(db: D1Database): Promise<ContentVersion | null> {
  const row = await db.prepare("SELECT version, fields, actor, at FROM content_versions ORDER BY version DESC LIMIT 1").first<Omit<ContentVersion, "fields"> & { fields: string }>();
  return row ? { ...row, fields: JSON.parse(row.fields) as ContentFields } : null;
}

/** One version by its number, or null. */
export async function contentVersion(db: D1Database, version: number): Promise<ContentVersion | null> {
  const row = await db.prepare("SELECT version, fields, actor, at FROM content_versions WHERE version = ?").bind(version).first<Omit<ContentVersion, "fields"> & { fields: string }>();
  return row ? { ...row, fields: JSON.parse(row.fields) as ContentFields } : null;
}

/** The history, newest first, without the text: who saved which version when. */
export async function contentHistory(db: D1Database, limit: number): Promise<Omit<ContentVersion, "fields">[]> {
  const { results } = await db.prepare("SELECT version, actor, at FROM content_versions ORDER BY version DESC LIMIT ?").bind(limit).all<Omit<ContentVersion, "fields">>();
  return results;
}
