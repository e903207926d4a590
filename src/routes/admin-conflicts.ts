/**
 * Conflicts of interest: a judge declares their own (an email address, a domain, an entry
 * id); an organiser may record one for any judge, list everyone's and remove one. Every
 * change is audited and takes effect at once (see src/store/conflicts.ts).
 */
import * as v from "valibot";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { isBlind } from "../judges/blind";
import { ConflictDeclaration, conflictFor } from "../judges/conflicts";
import { fieldErrors } from "../schemas/fields";
import { declareConflict, listConflicts, removeConflict } from "../store/conflicts";
import { parseQuery, type AdminRequest } from "./admin-request";

const ConflictsQuery = v.object({
  judge: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty("judge is a judge's name"), v.maxLength(100, "judge is at most 100 characters"))),
});

/** The judge a request is about: the caller, unless an organiser names someone else. */
function subject(request: AdminRequest, named: string | undefined): string {
  if (named === undefined || named === request.judge.name) return request.judge.name;
  if (request.judge.role !== "organiser") {
    throw new HttpError(403, "forbidden_role", "Only organisers act on another judge's conflicts.", { judge: "Leave judge out: it is you." });
  }
  return named;
}

/** GET /admin/api/conflicts — a judge's own; an organiser's view is everyone's, or one judge's with `judge`. */
export async function conflicts(request: AdminRequest, env: Env): Promise<Response> {
  const { judge } = parseQuery(ConflictsQuery, request);
  const whose = request.judge.role === "organiser" && judge === undefined ? null : subject(request, judge);
  const blind = isBlind(request.config, request.judge);
  const list = await listConflicts(env.DB, whose);
  return json({ conflicts: list.map((conflict) => conflictFor(conflict, request.judge, blind)) });
}

/** POST /admin/api/conflicts — declares a conflict (201; 200 when it was declared already). */
export async function declare(request: AdminRequest, env: Env): Promise<Response> {
  const body = await readFields(request, request.config.maxBodyBytes);
  const parsed = v.safeParse(ConflictDeclaration, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "The conflict needs correcting.", fieldErrors(parsed.issues));
  const { kind, value, reason, judge } = parsed.output;
  const result = await declareConflict(env.DB, request.judge, { judge: subject(request, judge), kind, value, reason });
  return json({ conflict: result.conflict }, result.created ? 201 : 200);
}

const ConflictId = v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number));

/** DELETE /admin/api/conflicts/:id — organisers remove a conflict; its judge's scores count again. */
export async function removal(request: AdminRequest, env: Env): Promise<Response> {
  const id = v.safeParse(ConflictId, request.params.id);
  const removed = id.success ? await removeConflict(env.DB, request.judge, id.output) : null;
  if (!removed) throw new HttpError(404, "not_found", "There is no conflict with that id.");
  return json({ removed: true, conflict: removed });
}
