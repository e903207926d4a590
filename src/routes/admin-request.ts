/** What every judges' route handler shares: the request type and the checks on ids and queries. */
import type { IRequest } from "itty-router";
import * as v from "valibot";
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import type { Judge } from "../schemas/judges";
import { fieldErrors } from "../schemas/fields";
import { RegistrantId } from "../schemas/prizes";
import type { AppRequest } from "./context";

/** A request on a judges' route, once its credentials are known. */
export type AdminRequest = AppRequest & { judge: Judge };

export type Handler = (request: AdminRequest, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

/** The entry id in the path, or 404. */
export function entryId(request: IRequest): string {
  const parsed = v.safeParse(RegistrantId, request.params.id);
  if (!parsed.success) throw new HttpError(404, "not_found", "There is no entry with that id.");
  return parsed.output;
}

/** The entry's row in the judges' index, or 404. */
export async function indexedEntry(env: Env, id: string): Promise<Record<string, unknown>> {
  const row = await env.DB.prepare("SELECT * FROM entries WHERE id = ?").bind(id).first();
  if (!row) throw new HttpError(404, "not_found", "There is no entry with that id.");
  return row;
}

/** The query string against `schema`, or 400 naming each bad parameter. */
export function parseQuery<T extends v.GenericSchema>(schema: T, request: IRequest): v.InferOutput<T> {
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = v.safeParse(schema, raw);
  if (!parsed.success) throw new HttpError(400, "malformed", v.summarize(parsed.issues), fieldErrors(parsed.issues));
  return parsed.output;
}
