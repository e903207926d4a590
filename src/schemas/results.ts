import * as v from "valibot";

/** A winner as the public winners page shows them, with their consent: nothing more. */
export const ListedWinner = v.object({
  slot: v.number(),
  /** First name and last initial: "Ada L." */
  name: v.string(),
  title: v.string(),
  excerpt: v.string(),
  demoUrl: v.nullable(v.string()),
  repoUrl: v.nullable(v.string()),
});

export type ListedWinner = v.InferOutput<typeof ListedWinner>;

/**
 * The published results, the KV snapshot the winners page reads; written by the
 * organisers' publish route, deleted when they withdraw the results. Absent: not published.
 */
export const ResultsSnapshot = v.object({
  publishedAt: v.string(),
  winners: v.array(ListedWinner),
  /** Winners who did not agree to be listed. */
  unlisted: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

export type ResultsSnapshot = v.InferOutput<typeof ResultsSnapshot>;

export const RESULTS_SNAPSHOT_KEY = "results";
