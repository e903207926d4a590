/**
 * Dead letters in D1: every job, on any topic, that ran out of retries or was refused for
 * good, with its reason; what organisers see and retry. One row per topic and key: a job
 * that dies again reopens its row.
 */
export interface DeadLetter {
  topic: string;
  key: string;
  /** Who held the job: a registrant id, "prize-counter", or a task run id. */
  origin: string;
  reason: string;
  attempts: number;
}

export interface DeadLetterRow extends DeadLetter {
  id: number;
  status: "open" | "retried";
  created_at: number;
  updated_at: number;
}

/**
 * Statements recording dead letters, `open` for organisers to act on, or `retried` when
 * Swagbox already repaired the job by itself (kept so the failure is still seen).
 */
export function deadLetterStatements(
  db: D1Database,
  letters: readonly DeadLetter[],
  now = Date.now(),
  status: DeadLetterRow["status"] = "open",
): D1PreparedStatement[] {
  const insert = db.prepare(
    `INSERT INTO dead_letters (topic, key, origin, reason, attempts, status, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?6, ?6)
     ON CONFLICT (topic, key) DO UPDATE SET status = excluded.status, reason = excluded.reason,
       attempts = excluded.attempts, updated_at = excluded.updated_at`,
  );
  return letters.map((letter) => insert.bind(letter.topic, letter.key, letter.origin, letter.reason.slice(0, 1000), letter.attempts, now, status));
}

export async function recordDeadLetters(db: D1Database, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length > 0) await db.batch(deadLetterStatements(db, letters));
}

export async function deadLetter(db: D1Database, id: number): Promise<DeadLetterRow | null> {
  return db.prepare("SELECT * FROM dead_letters WHERE id = ?").bind(id).first<DeadLetterRow>();
}

/** Marks a dead letter retried (an organiser sent the job again). */
export function markRetriedStatement(db: D1Database, letter: Pick<DeadLetter, "topic" | "key">, now = Date.now()): D1PreparedStatement {
  return db.prepare("UPDATE dead_letters SET status = 'retried', updated_at = ? WHERE topic = ? AND key = ?").bind(now, letter.topic, letter.key);
}

/** The newest first, a page at a time (`before` is the last id seen; `next` the last id shown when more follow). */
export async function listDeadLetters(
  db: D1Database,
  filter: { status?: DeadLetterRow["status"]; topic?: string },
  before: number | null,
  limit: number,
): Promise<{ deadLetters: DeadLetterRow[]; next: number | null }> {
  const { results } = await db
    .prepare(
      `SELECT * FROM dead_letters WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR topic = ?2) AND id < ?3
       ORDER BY id DESC LIMIT ?4`,
    )
    .bind(filter.status ?? null, filter.topic ?? null, before ?? Number.MAX_SAFE_INTEGER, limit + 1)
    .all<DeadLetterRow>();
  const page = results.slice(0, limit);
  return { deadLetters: page, next: results.length > limit ? (page.at(-1)?.id ?? null) : null };
}
