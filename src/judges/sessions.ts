import type { Config } from "../config";
import { generateSecret, hashSecret } from "../secrets";
import type { AdminToken, Judge, Role } from "../schemas/judges";

/** How long a dashboard session lasts; the cookie's Max-Age is the same. */
export const SESSION_TTL_S = 12 * 60 * 60;

/** A session as organisers see it: never the secret, only its hash (the id). */
export interface SessionView {
  id: string;
  judge: string;
  role: Role;
  created_at: number;
  expires_at: number;
}

/** What generateSecret() makes: anything else is not worth a hash and a query. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Starts a session for the ADMIN_TOKENS entry `token` and returns its secret, for the
 * cookie; only the secret's SHA-256 is stored. Expired sessions are deleted on the way.
 */
export async function startSession(db: D1Database, token: AdminToken, now = Date.now()): Promise<string> {
  const secret = generateSecret();
  await db.batch([
    db.prepare("DELETE FROM admin_sessions WHERE expires_at <= ?").bind(now),
    db
      .prepare("INSERT INTO admin_sessions (id, judge, role, token_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(await sessionId(secret), token.name, token.role, token.sha256, now, now + SESSION_TTL_S * 1000),
  ]);
  return secret;
}

/**
 * The judge a session cookie's secret stands for, named and ranked by the token's entry as
 * ADMIN_TOKENS lists it now. Null when there is no such session, it has expired, or the
 * entry it was made from is gone (the token was rotated or removed).
 */
export async function sessionJudge(db: D1Database, config: Config, secret: string): Promise<Judge | null> {
  if (!SECRET.test(secret)) return null;
  const id = await sessionId(secret);
  const row = await db
    .prepare("SELECT token_sha256 FROM admin_sessions WHERE id = ? AND expires_at > ?")
    .bind(id, Date.now())
    .first<{ token_sha256: string }>();
  const entry = row && config.adminTokens.find((token) => token.sha256 === row.token_sha256);
  return entry ? { name: entry.name, role: entry.role, via: "session", session: id } : null;
}

/** Ends the session a cookie's secret stands for (signing out); nothing happens for an unknown one. */
export async function endSession(db: D1Database, secret: string): Promise<void> {
  if (!SECRET.test(secret)) return;
  await db.prepare("DELETE FROM admin_sessions WHERE id = ?").bind(await sessionId(secret)).run();
}

/** Every session that would still be accepted, newest first, as its token's entry names it now. */
export async function listSessions(db: D1Database, config: Config): Promise<SessionView[]> {
  const { results } = await db
    .prepare("SELECT id, token_sha256, created_at, expires_at FROM admin_sessions WHERE expires_at > ? ORDER BY created_at DESC, id LIMIT 1000")
    .bind(Date.now())
    .all<{ id: string; token_sha256: string; created_at: number; expires_at: number }>();
  return results.flatMap(({ id, token_sha256, created_at, expires_at }) => {
    const entry = config.adminTokens.find((token) => token.sha256 === token_sha256);
    return entry ? [{ id, judge: entry.name, role: entry.role, created_at, expires_at }] : [];
  });
}

/** Ends the session with this id (an organiser's revocation); false when there was none. */
export async function deleteSession(db: D1Database, id: string): Promise<boolean> {
  const { meta } = await db.prepare("DELETE FROM admin_sessions WHERE id = ?").bind(id).run();
  return meta.changes > 0;
}

/** The stored id of a session: its secret's SHA-256, in hex. */
async function sessionId(secret: string): Promise<string> {
  return [...new Uint8Array(await hashSecret(secret))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
