/**
 * What the judges' list, filters and exports show of link checks and shared links: SQL
 * pieces over `link_checks` (joined as `c`) and `link_owners`, for the entry `e`.
 */
import { DEMO_FAILS, REPO_FAILS } from "../links/verdict";
import { SHARES_A_LINK } from "../store/link-owners";

/** The filters by check ("demo down", "repo missing", "fork", "repo older than the contest", "shared link"). */
export const CHECK_FILTERS = ["demo_down", "repo_missing", "fork", "repo_older", "shared"] as const;

export type CheckFilter = (typeof CHECK_FILTERS)[number];

const among = (statuses: readonly string[]) => statuses.map((status) => `'${status}'`).join(", ");

/** Each filter's condition; constants only, never a value from a request. */
export const CHECK_CONDITIONS: Record<CheckFilter, string> = {
  demo_down: `c.demo_status IN (${among(DEMO_FAILS)})`,
  repo_missing: `c.repo_status IN (${among(REPO_FAILS)})`,
  fork: "c.repo_fork = 1",
  repo_older: "c.repo_before_contest = 1",
  shared: SHARES_A_LINK,
};

/** Joins an entry's latest check (one row at most: its primary key). */
export const CHECK_JOIN = "LEFT JOIN link_checks c ON c.entry_id = e.id";

/** The check's columns a list row carries, and whether another entry shares one of its links. */
export const CHECK_COLUMNS = `c.demo_status, c.demo_http, c.repo_status, c.repo_fork, c.repo_before_contest, c.repo_created_at,
  c.checked_at, ${SHARES_A_LINK} AS shared_link`;

/** The other entries sharing one of the entry's links, as space-separated ids (at most 50), for exports. */
export const SHARED_WITH = `(SELECT group_concat(id, ' ') FROM (SELECT DISTINCT other.entry_id AS id FROM link_owners mine
  JOIN link_owners other ON other.url = mine.url AND other.entry_id != mine.entry_id AND other.kinds != '[]'
  WHERE mine.entry_id = e.id AND mine.kinds != '[]' LIMIT 50)) AS shared_with`;

/** The columns an export adds for the checks, and their cells. */
export const CHECK_HEADER = ["demo_check", "repo_check", "repo_fork", "repo_created_at", "repo_before_contest", "shared_with"];

export function checkCells(row: Record<string, unknown>): unknown[] {
  const outcome = (status: unknown, http: unknown) => (status == null ? "" : http == null ? status : `${status} ${http}`);
  const flag = (value: unknown) => (value == null ? "" : value ? "yes" : "no");
  return [
    outcome(row.demo_status, row.demo_http),
    row.repo_status ?? "",
    flag(row.repo_fork),
    typeof row.repo_created_at === "number" ? new Date(row.repo_created_at).toISOString() : "",
    flag(row.repo_before_contest),
    row.shared_with ?? "",
  ];
}

/** What a list row says about its checks. */
export interface CheckSummary {
  demo_status: string | null;
  demo_http: number | null;
  repo_status: string | null;
  repo_fork: number | null;
  repo_before_contest: number | null;
  repo_created_at: number | null;
  checked_at: number | null;
  shared_link: number;
}
