/**
 * Awarding the top N in one step. The preview (a dry run) walks the chosen ranking from the
 * top, passes over the entries that may not win, saying why, and names the batch it would
 * award; the award takes that list back, so a score that changes in between changes
 * nothing about who is in the batch.
 */
import * as v from "valibot";
import { MAX_BATCH } from "../schemas/awards";
import { PRODUCT_IDS } from "../schemas/products";
import { allHold, awardRules, firstBroken, IN_CONTEST, NOT_A_WINNER } from "../store/contest-rules";
import { listEntries, type EntriesQuery, type EntrySummary } from "./entries-query";

/** GET /admin/api/awards/preview: how many, by which ranking, among which entries. */
export const PreviewQuery = v.object({
  count: v.pipe(
    v.string("count is required"),
    v.regex(/^\d{1,4}$/, "count is a whole number"),
    v.transform(Number),
    v.minValue(1, "count is at least 1"),
    v.maxValue(MAX_BATCH, `count is at most ${MAX_BATCH}`),
  ),
  normalise: v.optional(v.picklist(["none", "z"], "normalise is none or z"), "none"),
  product: v.optional(v.picklist(PRODUCT_IDS, "product is not one of the platform products")),
  q: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200, "q is at most 200 characters"))),
});

export type PreviewQuery = v.InferOutput<typeof PreviewQuery>;

export type Ranked = EntrySummary & { refused: string | null };

export interface Ranking {
  /** The first `count` entries that may win, best first. */
  candidates: Ranked[];
  /** Entries ranked above the last candidate that may not win (the first few), each with its reason. */
  passedOver: Ranked[];
  passedOverCount: number;
  /** False when the walk stopped at its limit before finding `count` candidates. */
  complete: boolean;
}

const PAGE = 200;
/** Entries the walk reads at most: a ranking whose top is all passed over stops here. */
const MAX_SCANNED = 5_000;
const PASSED_OVER_SHOWN = 100;

/**
 * Walks the ranking (mean score, or judges' z-scores) over the entries in the contest that
 * match the filters, a page at a time, until `count` entries that may win are found.
 */
export async function rankForAward(
  db: D1Database,
  query: PreviewQuery,
  rules: { minReviews: number; reviewsPerEntry: number },
): Promise<Ranking> {
  const refusal = firstBroken([NOT_A_WINNER, ...awardRules(rules.minReviews)]);
  const view = {
    reviewsPerEntry: rules.reviewsPerEntry,
    extra: { columns: { sql: `${refusal.sql} AS refused`, params: refusal.params }, where: allHold(IN_CONTEST) },
  };
  const ranking: Ranking = { candidates: [], passedOver: [], passedOverCount: 0, complete: true };
  let cursor: string | undefined;
  for (let scanned = 0; ranking.candidates.length < query.count; scanned += PAGE) {
    if (scanned >= MAX_SCANNED) {
      ranking.complete = false;
      break;
    }
    const page: EntriesQuery = { sort: "score", normalise: query.normalise, product: query.product, q: query.q, limit: PAGE, cursor };
    const { entries, next } = await listEntries<{ refused: string | null }>(db, page, view);
    for (const entry of entries) {
      if (ranking.candidates.length === query.count) break;
      if (entry.refused === null) ranking.candidates.push(entry);
      else if (ranking.passedOverCount++ < PASSED_OVER_SHOWN) ranking.passedOver.push(entry);
    }
    if (next === null) break;
    cursor = next;
  }
  return ranking;
}

/**
 * What ties an award to its preview: the SHA-256 (hex) of the batch id and its list. It
 * catches a list edited, cut or reordered on its way back; it is no secret, and organisers
 * may award any list they like by asking for its preview.
 */
export async function batchToken(batch: string, ids: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode([batch, ...ids].join("\n")));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
