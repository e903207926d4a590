/**
 * Awarding the top N (organisers): a dry-run preview of who would win and who is passed
 * over, then the award of exactly that list, in one PrizeCounter transaction.
 */
import * as v from "valibot";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { batchToken, PreviewQuery, rankForAward, type Ranked } from "../judges/awards";
import { prizeCounter } from "../objects/stubs";
import { BatchId, MAX_BATCH, type BatchResult } from "../schemas/awards";
import { fieldErrors } from "../schemas/fields";
import { RegistrantId } from "../schemas/prizes";
import { auditStatement } from "../store/audit";
import { awardRules, firstBroken } from "../store/contest-rules";
import { parseQuery, type AdminRequest } from "./admin-request";

const shown = ({ refused, ...entry }: Ranked) => entry;

/**
 * GET /admin/api/awards/preview — changes nothing. The first `count` entries of the ranking
 * that may win; those past the prizes left are marked `no_prizes_left`. Answers the batch
 * id, its list (`ids`) and the token the award needs.
 */
export async function preview(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(PreviewQuery, request);
  const { minReviews, reviewsPerEntry } = request.config;
  const [ranking, pool] = await Promise.all([rankForAward(env.DB, query, { minReviews, reviewsPerEntry }), prizeCounter(env).getStatus()]);
  const batch = crypto.randomUUID();
  const ids = ranking.candidates.map((entry) => entry.id);
  return json({
    batch,
    ids,
    token: await batchToken(batch, ids),
    ranking: { normalise: query.normalise, product: query.product ?? null, q: query.q ?? null, minReviews },
    remaining: pool.remaining,
    candidates: ranking.candidates.map((entry, i) => ({ ...shown(entry), outcome: i < pool.remaining ? "award" : "no_prizes_left" })),
    passedOver: ranking.passedOver.map((entry) => ({ ...shown(entry), reason: entry.refused })),
    passedOverCount: ranking.passedOverCount,
    complete: ranking.complete,
  });
}

const AwardBody = v.object({
  batch: BatchId,
  token: v.pipe(v.string("token is the preview's token"), v.regex(/^[0-9a-f]{64}$/, "token is the preview's token")),
  ids: v.pipe(
    v.array(RegistrantId, "ids is the preview's list of entry ids"),
    v.minLength(1, "ids names at least one entry"),
    v.maxLength(MAX_BATCH, `ids names at most ${MAX_BATCH} entries`),
    v.check((ids) => new Set(ids).size === ids.length, "ids names an entry twice"),
  ),
});

/**
 * POST /admin/api/awards — awards the preview's list, in its order, stopping at the pool.
 * Each entry is checked again (still in the contest, enough reviews); the counter decides
 * the rest. A batch is awarded once: repeating it awards nothing and answers the same
 * results. Audited once for the batch and once per prize. 201 the first time, 200 after.
 */
export async function awardBatch(request: AdminRequest, env: Env): Promise<Response> {
  const body = await readFields(request, request.config.maxBodyBytes);
  const parsed = v.safeParse(AwardBody, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "The batch needs correcting.", fieldErrors(parsed.issues));
  const { batch, token, ids } = parsed.output;
  if (token !== (await batchToken(batch, ids))) {
    throw new HttpError(422, "invalid", "This is not the list the preview gave: preview again.", { token: "does not match batch and ids" });
  }
  const refusals = await refusalsOf(env.DB, ids, request.config.minReviews);
  const outcome = await prizeCounter(env).awardBatch({
    batch,
    actor: request.judge.name,
    candidates: ids.map((id) => ({ id, refused: refusals.get(id) })),
  });
  const awarded = outcome.results.filter((result): result is Extract<BatchResult, { awarded: true }> => result.awarded);
  const refused = outcome.results.filter((result): result is Extract<BatchResult, { awarded: false }> => !result.awarded);
  if (!outcome.replayed) {
    await env.DB.batch([
      auditStatement(env.DB, request.judge, "award_batch", null, { batch, awarded: awarded.length, refused: refused.length, remaining: outcome.remaining }),
      ...awarded.map(({ id, slot }) => auditStatement(env.DB, request.judge, "award", id, { slot, batch })),
    ]);
  }
  return json(
    { batch, replayed: outcome.replayed, awarded: awarded.map(({ id, slot }) => ({ id, slot })), refused: refused.map(({ id, reason }) => ({ id, reason })), remaining: outcome.remaining },
    outcome.replayed ? 200 : 201,
  );
}

/** Why each entry may not win now, from the index: an id it does not hold is `not_found`. */
async function refusalsOf(db: D1Database, ids: readonly string[], minReviews: number): Promise<Map<string, string>> {
  const refusal = firstBroken(awardRules(minReviews));
  const { results } = await db
    .prepare(`SELECT e.id, ${refusal.sql} AS refused FROM entries e WHERE e.id IN (SELECT value FROM json_each(?))`)
    .bind(...refusal.params, JSON.stringify(ids))
    .all<{ id: string; refused: string | null }>();
  const found = new Map(results.map((row) => [row.id, row.refused]));
  return new Map(ids.flatMap((id): [string, string][] => {
    const refused = found.has(id) ? found.get(id)! : "not_found";
    return refused === null ? [] : [[id, refused]];
  }));
}
