import { loadConfig } from "./config";
import type { Env } from "./env";
import { systemAuditStatement } from "./judges/audit";

const BATCH = 200;
/** Erasures one run may do; a larger contest finishes over the following days' runs. */
const PER_RUN = 10_000;

/**
 * The daily retention sweep: RETENTION_DAYS after submissions close, every registrant still
 * in the index is erased, in batches, up to PER_RUN a run; each erasure is audited.
 */
export async function sweepRetention(env: Env, now = Date.now()): Promise<number> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return 0;
  if (now < loaded.config.submission.closes + loaded.config.retentionMs) return 0;
  let erased = 0;
  while (erased < PER_RUN) {
    const { results } = await env.DB.prepare("SELECT id FROM entries WHERE status != 'erased' LIMIT ?").bind(BATCH).all<{ id: string }>();
    if (results.length === 0) break;
    await Promise.all(results.map((row) => env.REGISTRANT.get(env.REGISTRANT.idFromString(row.id)).erase()));
    await env.DB.batch(results.map((row) => systemAuditStatement(env.DB, { action: "erase", target: row.id, detail: { by: "retention" } })));
    erased += results.length;
  }
  if (erased) console.log(`retention: erased ${erased} registrants`);
  return erased;
}
