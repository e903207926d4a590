import * as v from "valibot";
import { Actor, RegistrantId } from "./prizes";

/** The most entries one batch award may name: its ids fit in a request body of 64 KB (MAX_BODY_BYTES). */
export const MAX_BATCH = 500;

/** A batch award's id, made by its preview: the same id is awarded once. */
export const BatchId = v.pipe(v.string("batch is the id the preview gave"), v.uuid("batch is the id the preview gave"));

/** Why an entry of a batch did not win: a word such as already_winner or below_min_reviews. */
export const Refusal = v.pipe(v.string(), v.regex(/^[a-z_]{1,40}$/, "a refusal is a lower-case word"));

/** What the PrizeCounter is asked to award: the entries in order, each possibly refused already by the caller's checks. */
export const AwardBatch = v.object({
  batch: BatchId,
  actor: Actor,
  candidates: v.pipe(
    v.array(v.object({ id: RegistrantId, refused: v.optional(Refusal) })),
    v.minLength(1, "a batch names at least one entry"),
    v.maxLength(MAX_BATCH, `a batch names at most ${MAX_BATCH} entries`),
  ),
});

export type AwardBatch = v.InferInput<typeof AwardBatch>;

export type BatchResult = { id: string; awarded: true; slot: number } | { id: string; awarded: false; reason: string };

export interface BatchOutcome {
  batch: string;
  /** True when this batch was awarded before: nothing changed now, and `results` are the first time's. */
  replayed: boolean;
  results: BatchResult[];
  /** Prizes left in the pool now. */
  remaining: number;
}
