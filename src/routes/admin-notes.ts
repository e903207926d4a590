/** Organisers' private notes on an entry: read and add (organisers only; judges never see them). */
import * as v from "valibot";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { fieldErrors, Text } from "../schemas/fields";
import { addNote, notesOn } from "../store/notes";
import { entryId, indexedEntry, type AdminRequest } from "./admin-request";

/** GET /admin/api/entries/:id/notes — newest first. */
export async function notes(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  await indexedEntry(env, id);
  return json({ notes: await notesOn(env.DB, id) });
}

const NoteBody = v.object({ body: Text("The note", 5000) });

/** POST /admin/api/entries/:id/notes — 201 with the note, its author and time; audited (not its text). */
export async function addNoteTo(request: AdminRequest, env: Env): Promise<Response> {
  const id = entryId(request);
  const body = await readFields(request, request.config.maxBodyBytes);
  const parsed = v.safeParse(NoteBody, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "The note needs correcting.", fieldErrors(parsed.issues));
  const row = await indexedEntry(env, id);
  if (row.status === "erased") throw new HttpError(404, "not_found", "This entrant was erased.");
  return json({ note: await addNote(env.DB, request.judge, id, parsed.output.body) }, 201);
}
