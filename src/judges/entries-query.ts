import * as v from "valibot";
import { PRODUCT_IDS } from "../schemas/products";
import { decodeCursor, encodeCursor } from "./cursor";
import { CHECK_COLUMNS, CHECK_CONDITIONS, CHECK_FILTERS, CHECK_JOIN, type CheckSummary } from "./link-report";

/** GET /admin/api/entries query parameters. */
export const EntriesQuery = v.object({
  status: v.optional(
    v.picklist(
      ["registered", "submitted", "winner", "provisional", "waitlisted", "erased"],
      "status is registered, submitted, winner, provisional, waitlisted or erased",
    ),
  ),
  check: v.optional(v.picklist(CHECK_FILTERS, "check is demo_down, repo_missing, fork, repo_older or shared")),
  product: v.optional(v.picklist(PRODUCT_IDS, "product is not one of the platform products")),
  q: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200, "q is at most 200 characters"))),
  sort: v.optional(v.picklist(["created", "submitted", "score"], "sort is created, submitted or score"), "created"),
  normalise: v.optional(v.picklist(["none", "z"], "normalise is none or z"), "none"),
  cursor: v.optional(v.string()),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}$/, "limit is a whole number"), v.transform(Number), v.minValue(1, "limit is at least 1"), v.maxValue(200, "limit is at most 200")),
    "50",
  ),
});

export type EntriesQuery = v.InferOutput<typeof EntriesQuery>;

export interface EntrySummary extends CheckSummary {
  id: string;
  email: string;
  firstname: string;
  lastname: string;
  status: string;
  registered_at: number;
  submitted_at: number | null;
  amended_at: number | null;
  submission_version: number | null;
  title: string | null;
  products: string[];
  slot: number | null;
  waitlist_position: number | null;
  /** A first-come slot under review: until when. */
  provisional_until: number | null;
  score: number | null;
  scores_count: number;
  /** The value the page is sorted by (a z-score when normalised). */
  rank_value: number | null;
}

type Row = Omit<EntrySummary, "products" | "rank_value"> & { products: string; sort_key: number };

/** Keyset pagination: the last row's sort key and id, opaque to clients. */
const Cursor = v.tuple([v.number(), v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))]);

// Rows without the sort value (never submitted, never scored) come last, under this key.
// The text must stay as migrations/0004 writes it in its indexes, or SQLite cannot use them.
const MISSING = "-1e15";

// Each judge's mean and standard deviation over all their scores, computed once per request.
const JUDGE_STATS = `WITH judge_stats AS MATERIALIZED (
    SELECT judge, AVG(weighted) AS mean, sqrt(max(AVG(weighted * weighted) - AVG(weighted) * AVG(weighted), 0)) AS sd
    FROM scores GROUP BY judge) `;

// An entry's mean z-score over its judges. Computed per matching entry, through the scores'
// primary key, rather than for every scored entry before filtering: a filtered ranking
// only pays for the entries it shows.
const MEAN_Z = `(SELECT AVG(CASE WHEN j.sd > 0 THEN (s.weighted - j.mean) / j.sd ELSE 0 END)
    FROM scores s JOIN judge_stats j ON j.judge = s.judge WHERE s.entry_id = e.id)`;

/**
 * One page of the judges' index, newest / best first. Every value is bound as a parameter;
 * the sort expression comes from a fixed table.
 */
export async function listEntries(db: D1Database, query: EntriesQuery): Promise<{ entries: EntrySummary[]; next: string | null }> {
  const { sql, params } = listQuery(query);
  const { results } = await db.prepare(sql).bind(...params).all<Row>();
  const page = results.slice(0, query.limit);
  const last = page.at(-1);
  return {
    entries: page.map(({ sort_key, products, ...row }) => ({
      ...row,
      products: JSON.parse(products) as string[],
      rank_value: sort_key === Number(MISSING) ? null : sort_key,
    })),
    next: results.length > query.limit && last ? encodeCursor([last.sort_key, last.id]) : null,
  };
}

/** The SQL of one page (one row more than the page, to tell whether another follows) and its parameters. */
export function listQuery(query: EntriesQuery): { sql: string; params: unknown[] } {
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor, Cursor);
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) {
    // A provisional slot is a winner's, not yet confirmed.
    where.push("e.status = ?");
    params.push(query.status === "provisional" ? "winner" : query.status);
    if (query.status === "winner" || query.status === "provisional") where.push(`e.provisional_until IS ${query.status === "winner" ? "" : "NOT "}NULL`);
  }
  if (query.check) where.push(CHECK_CONDITIONS[query.check]);
  if (query.product) {
    where.push("e.id IN (SELECT entry_id FROM entry_products WHERE product = ?)");
    params.push(query.product);
  }
  const match = query.q ? searchExpression(query.q) : null;
  if (match) {
    where.push("e.rowid IN (SELECT rowid FROM entries_search WHERE entries_search MATCH ?)");
    params.push(match);
  }
  const normalised = query.sort === "score" && query.normalise === "z";
  const sortKey = {
    created: "e.registered_at",
    submitted: `COALESCE(e.submitted_at, ${MISSING})`,
    score: normalised ? `COALESCE(${MEAN_Z}, ${MISSING})` : `COALESCE(e.score, ${MISSING})`,
  }[query.sort];
  if (after) {
    where.push(`(${sortKey} < ? OR (${sortKey} = ? AND e.id < ?))`);
    params.push(after[0], after[0], after[1]);
  }
  const sql = `${normalised ? JUDGE_STATS : ""}SELECT e.id, e.email, e.firstname, e.lastname, e.status, e.registered_at, e.submitted_at,
      e.amended_at, e.submission_version, e.title, e.products, e.slot, e.waitlist_position, e.score, e.scores_count,
      e.provisional_until, ${CHECK_COLUMNS},
      ${sortKey} AS sort_key
    FROM entries e ${CHECK_JOIN}
    ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY sort_key DESC, e.id DESC LIMIT ?`;
  return { sql, params: [...params, query.limit + 1] };
}

/**
 * A visitor's words as an FTS5 query: each word a quoted prefix term, so that no input can
 * be FTS syntax (and fail as such).
 */
export function searchExpression(text: string): string | null {
  const words = text.normalize("NFKC").match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length ? words.slice(0, 10).map((word) => `"${word}"*`).join(" ") : null;
}
