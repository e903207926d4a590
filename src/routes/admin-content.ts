/**
 * The organisers' words on the pages: their Markdown, saved as numbered versions in D1 (each
 * one audited) and published to the KV snapshot the pages read; previews rendered exactly as
 * the pages render them.
 */
import * as v from "valibot";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { defaultContent } from "../pages/contest-text";
import { renderContent } from "../pages/content";
import { CONTENT_SNAPSHOT_KEY, ContentFields, EMPTY_CONTENT, type ContentSnapshot } from "../schemas/content";
import { fieldErrors } from "../schemas/fields";
import { contentHistory, contentVersion, latestContent, saveContentVersion } from "../store/content";
import type { AdminRequest } from "./admin-request";
import { prizeSnapshot } from "./prizes";

const SaveBody = v.object({
  ...ContentFields.entries,
  /** The version the editor started from (0: none saved yet); saving makes the next one. */
  base: v.pipe(v.number("base is the version you edited, a whole number"), v.integer("base is a whole number"), v.minValue(0, "base is at least 0")),
});

function parseContent<T extends v.GenericSchema>(schema: T, body: unknown): v.InferOutput<T> {
  const parsed = v.safeParse(schema, body);
  if (!parsed.success) throw new HttpError(422, "invalid", "Some parts need correcting.", fieldErrors(parsed.issues));
  return parsed.output;
}

/** GET /admin/api/content — the latest saved version (or none), the defaults shown for empty parts, and the history. */
export async function content(request: AdminRequest, env: Env): Promise<Response> {
  const [latest, history, pool] = await Promise.all([latestContent(env.DB), contentHistory(env.DB, 50), prizeSnapshot(env, request.config.prizePool)]);
  return json({
    version: latest?.version ?? 0,
    fields: latest?.fields ?? EMPTY_CONTENT,
    savedBy: latest?.actor ?? null,
    savedAt: latest?.at ?? null,
    defaults: defaultContent(request.config, pool.total),
    history,
  });
}

/** GET /admin/api/content/versions/:version — one earlier version's text, to read or restore. */
export async function contentAt(request: AdminRequest, env: Env): Promise<Response> {
  const number = v.safeParse(v.pipe(v.string(), v.regex(/^\d{1,9}$/), v.transform(Number)), request.params.version);
  const found = number.success ? await contentVersion(env.DB, number.output) : null;
  if (!found) throw new HttpError(404, "not_found", "There is no content version with that number.");
  return json(found);
}

/**
 * POST /admin/api/content/preview — the parts rendered as the pages would show them, with
 * the defaults for empty parts; nothing is saved.
 */
export async function previewContent(request: AdminRequest, env: Env): Promise<Response> {
  const fields = parseContent(ContentFields, await readFields(request, request.config.maxBodyBytes));
  const pool = await prizeSnapshot(env, request.config.prizePool);
  const rendered = renderContent(request.config, pool.total, 0, fields);
  return json({ html: rendered.html, description: rendered.description });
}

/**
 * PUT /admin/api/content — saves the next version (409 if someone saved since `base`),
 * audited, then publishes it to the pages' KV snapshot. If KV refuses, the version is saved
 * but not shown: 503 says so, and saving again (from the new version) publishes.
 */
export async function saveContent(request: AdminRequest, env: Env): Promise<Response> {
  const { base, ...fields } = parseContent(SaveBody, await readFields(request, request.config.maxBodyBytes));
  const at = Date.now();
  if (!(await saveContentVersion(env.DB, request.judge, base, fields, at))) {
    throw new HttpError(409, "content_changed", "Someone saved the content since you opened it: reload it, then make your change again.");
  }
  const snapshot: ContentSnapshot = { version: base + 1, fields, updatedAt: new Date(at).toISOString() };
  try {
    await env.SNAPSHOTS.put(CONTENT_SNAPSHOT_KEY, JSON.stringify(snapshot));
  } catch (error) {
    console.error("content: KV refused the snapshot", error);
    throw new HttpError(503, "busy", `Saved as version ${base + 1}, but the pages could not be updated. Reload and save again to publish it.`);
  }
  return json({ version: snapshot.version, savedAt: at });
}
