import { loadConfig } from "./config";
import type { Env } from "./env";

const BATCH = 200;

/**
 * The daily retention sweep: RETENTION_DAYS after submissions close, every registrant still
 * in the index is erased (a batch a run, so one run stays short; the next run continues).
 */
export async function sweepRetention(env: Env, now = Date.now()): Promise<number> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return 0;
  if (now < loaded.config.submission.closes + loaded.config.retentionMs) return 0;
  const { results } = await env.DB.prepare("SELECT id FROM entries WHERE status != 'erased' LIMIT ?").bind(BATCH).all<{ id: string }>();
  await Promise.all(results.map((row) => env.REGISTRANT.get(env.REGISTRANT.idFromString(row.id)).erase()));
  if (results.length) console.log(`retention: erased ${results.length} registrants`);
  return results.length;
}
