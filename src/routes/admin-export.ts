import * as v from "valibot";
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { isHead } from "../http/head";
import { recordAudit } from "../store/audit";
import { allows, type Role } from "../schemas/judges";
import { hideIdentity, isBlind } from "../judges/blind";
import { csvStream } from "../judges/csv";
import { CHECK_COLUMNS, CHECK_HEADER, CHECK_JOIN, checkCells, SHARED_WITH } from "../judges/link-report";
import { parseQuery, type AdminRequest } from "./admin-request";

const EXPORTS = {
  entries: {
    role: "judge",
    where: "status != 'erased'",
    header: ["id", "firstname", "lastname", "email", "status", "registered_at", "submitted_at", "title", "repo_url", "demo_url", "products", "score", "scores", "slot", "mailbox", "disqualified", ...CHECK_HEADER],
    cells: (r: ExportRow) => [r.id, r.firstname, r.lastname, r.email, r.status, iso(r.registered_at), iso(r.submitted_at), r.title, r.repo_url, r.demo_url, products(r), r.score, r.scores_count, r.slot, r.mailbox, disqualified(r), ...checkCells(r)],
  },
  submissions: {
    role: "judge",
    where: "submission_version IS NOT NULL",
    header: ["id", "firstname", "lastname", "email", "title", "description", "repo_url", "demo_url", "products", "version", "submitted_at", "amended_at", "score", "disqualified", ...CHECK_HEADER],
    cells: (r: ExportRow) => [r.id, r.firstname, r.lastname, r.email, r.title, r.description, r.repo_url, r.demo_url, products(r), r.submission_version, iso(r.submitted_at), iso(r.amended_at), r.score, disqualified(r), ...checkCells(r)],
  },
  winners: {
    role: "organiser",
    where: "status = 'winner'",
    header: ["slot", "id", "firstname", "lastname", "email", "title", "demo_url", "shipping_status", "provisional_until"],
    cells: (r: ExportRow) => [r.slot, r.id, r.firstname, r.lastname, r.email, r.title, r.demo_url, r.shipping_status, iso(r.provisional_until)],
  },
  // What a swag vendor needs: winners who gave an address, unless another winner gave it
  // too and no organiser has cleared it yet (ONE_BOX_PER_ADDRESS=review).
  shipping: {
    role: "organiser",
    where: "status = 'winner' AND shipping_address IS NOT NULL AND address_review IS NOT 'pending'",
    header: ["slot", "name", "address_line1", "address_line2", "city", "region", "postal_code", "country", "phone", "tshirt_size", "email", "status", "tracking_url"],
    cells: (r: ExportRow) => {
      const a = JSON.parse(String(r.shipping_address)) as Record<string, string>;
      return [r.slot, a.name, a.address_line1, a.address_line2, a.city, a.region, a.postal_code, a.country, a.phone, a.tshirt_size, r.email, r.shipping_status, r.tracking_url];
    },
  },
} satisfies Record<string, { role: Role; where: string; header: string[]; cells: (row: ExportRow) => unknown[] }>;

type ExportRow = Record<string, string | number | null> & { id: string; registered_at: number; products: string };

const ExportQuery = v.object({
  set: v.optional(v.picklist(["entries", "submissions", "winners", "shipping"], "set is entries, submissions, winners or shipping"), "entries"),
  /** 1: the file starts with a UTF-8 byte order mark, which Excel needs to read accents right. */
  bom: v.optional(v.pipe(v.picklist(["0", "1"], "bom is 0 or 1"), v.transform((flag) => flag === "1")), "0"),
});

export async function exportCsv(request: AdminRequest, env: Env): Promise<Response> {
  const { set, bom } = parseQuery(ExportQuery, request);
  const spec = EXPORTS[set];
  if (!allows(request.judge.role, spec.role)) {
    throw new HttpError(403, "forbidden_role", `Exporting ${set} needs the ${spec.role} role.`);
  }
  if (!isHead(request)) await recordAudit(env.DB, request.judge, "export", null, { set });
  // Under blind judging, a judge's rows of entries they have not scored hide who entered and the scores.
  const blindJudge = isBlind(request.config, request.judge) ? request.judge.name : null;
  const cells = (row: ExportRow) => spec.cells(blindJudge !== null && !row.mine ? hideIdentity(row) : row);
  const stream = csvStream<ExportRow>(spec.header, cells, async (after) => {
    const { results } = await env.DB.prepare(
      `SELECT e.*, ${CHECK_COLUMNS}, ${SHARED_WITH}, EXISTS (SELECT 1 FROM scores m WHERE m.entry_id = e.id AND m.judge = ?3) AS mine
       FROM entries e ${CHECK_JOIN}
       WHERE ${spec.where} AND (e.registered_at > ?1 OR (e.registered_at = ?1 AND e.id > ?2))
       ORDER BY e.registered_at, e.id LIMIT 500`,
    )
      .bind(after?.registered_at ?? -1, after?.id ?? "", blindJudge)
      .all<ExportRow>();
    return results;
  }, { bom });
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="swagbox-${set}.csv"`,
      "cache-control": "no-store",
    },
  });
}

const iso = (ms: unknown) => (typeof ms === "number" ? new Date(ms).toISOString() : "");
const products = (row: ExportRow) => (JSON.parse(row.products) as string[]).join(" ");
const disqualified = (row: ExportRow) => (row.disqualified_at === null ? "" : "disqualified");

