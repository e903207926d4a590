import * as v from "valibot";
import { PRODUCT_IDS } from "../schemas/products";
import { allHold, IN_CONTEST } from "../store/contest-rules";
import { decodeCursor, encodeCursor } from "./cursor";
import { CHECK_COLUMNS, CHECK_CONDITIONS, CHECK_FILTERS, CHECK_JOIN, type CheckSummary } from "./link-report";

/** The review filters: entries judges flagged, entries disqualified, winners who gave an address another winner gave. */
const REVIEW_FILTERS = ["flagged", "disqualified", "duplicate_address"] as const;

const REVIEW_WHERE: Record<(typeof REVIEW_FILTERS)[number], string> = {
  flagged: "e.flags_open > 0",
  disqualified: "e.disqualified_at IS NOT NULL",
  duplicate_address: "e.address_review IS NOT NULL",
};

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
  review: v.optional(v.picklist(REVIEW_FILTERS, "review is flagged, disqualified or duplicate_address")),
  q: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200, "q is at most 200 characters"))),
  sort: v.optional(v.picklist(["created", "submitted", "score"], "sort is created, submitted or score"), "created"),
  normalise: v.optional(v.picklist(["none", "z"], "normalise is none or z"), "none"),
  /** Only entries in the contest with fewer than REVIEWS_PER_ENTRY reviews. */
  needs_reviews: v.optional(v.picklist(["true"], "needs_reviews is true, or left out")),
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
  mailbox: string;
  flags_open: number;
  disqualified_at: number | null;
  address_review: "pending" | "cleared" | null;
  /** Under blind judging: whether the judge asking has scored it (and may see who it is). */
  mine?: number;
}

type Row = Omit<EntrySummary, "products" | "rank_value"> & { products: string; sort_key: number };

/** Keyset pagination: the last row's sort key and id, opaque to clients. */
const Cursor = v.tuple([v.number(), v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))]);

// Rows without the sort value (never submitted, never scored) come last, under this key.
// The text must stay as migrations/0004 writes it in its indexes, or SQLite cannot use them.
const MISSING = "-1e15";

// Each judge's mean and standard deviation over all their counted scores, computed once per request.
const JUDGE_STATS = `WITH judge_stats AS MATERIALIZED (
    SELECT judge, AVG(weighted) AS mean, sqrt(max(AVG(weighted * weighted) - AVG(weighted) * AVG(weighted), 0)) AS sd
    FROM scores WHERE conflicted = 0 GROUP BY judge) `;

// An entry's mean z-score over its judges. Computed per matching entry, through the scores'
// primary key, rather than for every scored entry before filtering: a filtered ranking
// only pays for the entries it shows. A conflicted score counts nowhere, here neither.
const MEAN_Z = `(SELECT AVG(CASE WHEN j.sd > 0 THEN (s.weighted - j.mean) / j.sd ELSE 0 END)
    FROM scores s JOIN judge_stats j ON j.judge = s.judge WHERE s.entry_id = e.id AND s.conflicted = 0)`;

/** SQL and its parameters, in the order they appear. */
export interface Fragment {
  sql: string;
  params: unknown[];
}

/** Who is asking, and what the list adds for them. */
export interface ListView {
  reviewsPerEntry: number;
  /**
   * The judge asking, when judging is blind for them: search reads the work alone (no
   * names), and each row says whether they scored it (`mine`).
   */
  blindJudge?: string | null;
  /** More columns and conditions, for a caller that ranks entries for its own purpose. */
  extra?: { columns: Fragment; where: Fragment };
}

/**
 * One page of the judges' index, newest / best first. Every value is bound as a parameter;
 * the sort expression comes from a fixed table.
 */
export async function listEntries<Extra extends object = object>(
  db: D1Database,
  query: EntriesQuery,
  view: ListView,
): Promise<{ entries: (EntrySummary & Extra)[]; next: string | null }> {
  const { sql, params } = listQuery(query, view);
  const { results } = await db.prepare(sql).bind(...params).all<Row & Extra>();
  const page = results.slice(0, query.limit);
  const last = page.at(-1);
  return {
    entries: page.map(({ sort_key, products, ...row }) => ({
      ...(row as Omit<Row, "sort_key" | "products"> & Extra),
      products: JSON.parse(products) as string[],
      rank_value: sort_key === Number(MISSING) ? null : sort_key,
    })),
    next: results.length > query.limit && last ? encodeCursor([last.sort_key, last.id]) : null,
  };
}

/** The SQL of one page (one row more than the page, to tell whether another follows) and its parameters. */
export function listQuery(query: EntriesQuery, view: ListView): { sql: string; params: unknown[] } {
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor, Cursor);
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) {
    // A provisional slot is a winner's, not yet confirmed.
    where.push("e.status = ?");
    params.push(query.status === "provisional" ? "winner" : query.status);
    if (query.status === "winner" || query.status === "provisional") where.push(`e.provisional_until IS ${query.status === "winner" ? "" : "NOT "}NULL`);
  }
  if (query.review) where.push(REVIEW_WHERE[query.review]);
  if (query.check) where.push(CHECK_CONDITIONS[query.check]);
  if (query.product) {
    where.push("e.id IN (SELECT entry_id FROM entry_products WHERE product = ?)");
    params.push(query.product);
  }
  const match = query.q ? searchExpression(query.q) : null;
  if (match) {
    where.push("e.rowid IN (SELECT rowid FROM entries_search WHERE entries_search MATCH ?)");
    // A blind judge's words are looked for in the work only, never in names or emails.
    params.push(view.blindJudge ? `work : (${match})` : match);
  }
  if (query.needs_reviews) {
    const contest = allHold(IN_CONTEST);
    where.push(`${contest.sql} AND e.scores_count < ?`);
    params.push(...contest.params, view.reviewsPerEntry);
  }
  if (view.extra) {
    where.push(view.extra.where.sql);
    params.push(...view.extra.where.params);
  }
  const sortKey = rankKey(query);
  if (after) {
    where.push(`(${sortKey} < ? OR (${sortKey} = ? AND e.id < ?))`);
    params.push(after[0], after[0], after[1]);
  }
  const columns: Fragment[] = [
    ...(view.blindJudge ? [{ sql: "EXISTS (SELECT 1 FROM scores m WHERE m.entry_id = e.id AND m.judge = ?) AS mine", params: [view.blindJudge] }] : []),
    ...(view.extra ? [view.extra.columns] : []),
  ];
  const sql = `${rankedByZ(query) ? JUDGE_STATS : ""}SELECT e.id, e.email, e.firstname, e.lastname, e.status, e.registered_at, e.submitted_at,
      e.amended_at, e.submission_version, e.title, e.products, e.slot, e.waitlist_position, e.score, e.scores_count,
      e.mailbox, e.flags_open, e.disqualified_at, e.address_review, e.provisional_until, ${CHECK_COLUMNS},
      ${columns.map((column) => `${column.sql}, `).join("")}${sortKey} AS sort_key
    FROM entries e ${CHECK_JOIN}
    ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY sort_key DESC, e.id DESC LIMIT ?`;
  return { sql, params: [...columns.flatMap((column) => column.params), ...params, query.limit + 1] };
}

const rankedByZ = (query: EntriesQuery) => query.sort === "score" && query.normalise === "z";

/** The list's sort expression: from a fixed table, never from the query's text. */
function rankKey(query: EntriesQuery): string {
  return {
    created: "e.registered_at",
    submitted: `COALESCE(e.submitted_at, ${MISSING})`,
    score: rankedByZ(query) ? `COALESCE(${MEAN_Z}, ${MISSING})` : `COALESCE(e.score, ${MISSING})`,
  }[query.sort];
}

/**
 * A visitor's words as an FTS5 query: each word a quoted prefix term, so that no input can
 * be FTS syntax (and fail as such).
 */
export function searchExpression(text: string): string | null {
  const words = text.normalize("NFKC").match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length ? words.slice(0, 10).map((word) => `"${word}"*`).join(" ") : null;
}
