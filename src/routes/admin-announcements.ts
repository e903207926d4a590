/**
 * Announcements (organisers): write a draft for a segment, preview it as a real entrant of
 * the segment would get it, see how many it goes to, send a test to yourself, then send it
 * and watch its progress (sent / failed / pending) from the email log. Every change is
 * audited; sending twice sends once.
 */
import * as v from "valibot";
import { announcementJob, sendAnnouncement, sendTest } from "../announcements/announcements";
import { renderEmail } from "../email/templates";
import type { Env } from "../env";
import { readFields } from "../http/body";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { EMAIL_PREVIEW_HEADERS } from "../pages/content-security";
import { AnnouncementDraft } from "../schemas/announcement";
import { EmailAddress, fieldErrors } from "../schemas/fields";
import { RegistrantId } from "../schemas/prizes";
import {
  announcement,
  countSegment,
  createAnnouncement,
  listAnnouncements,
  progress,
  recipient,
  segmentPage,
  updateDraft,
  type Announcement,
  type Recipient,
} from "../store/announcements";
import { recordAudit } from "../store/audit";
import { parseQuery, type AdminRequest } from "./admin-request";

const ListQuery = v.object({
  before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, "before is a whole number"), v.transform(Number))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, "limit is a whole number"), v.transform(Number), v.minValue(1), v.maxValue(100)), "20"),
});

const PreviewQuery = v.object({ entrant: v.optional(RegistrantId) });

const TestBody = v.object({ to: EmailAddress });

/** Who a preview greets while the segment is empty. */
const NOBODY: Recipient = { id: "0".repeat(64), email: "entrant@example.com", firstname: "" };

async function parsedBody<T extends v.GenericSchema>(request: AdminRequest, schema: T, message: string): Promise<v.InferOutput<T>> {
  const parsed = v.safeParse(schema, await readFields(request, request.config.maxBodyBytes));
  if (!parsed.success) throw new HttpError(422, "invalid", message, fieldErrors(parsed.issues));
  return parsed.output;
}

async function fromPath(request: AdminRequest, env: Env): Promise<Announcement> {
  const id = v.safeParse(v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number)), request.params.id);
  const found = id.success ? await announcement(env.DB, id.output) : null;
  if (!found) throw new HttpError(404, "not_found", "There is no announcement with that id.");
  return found;
}

function requireSecret(request: AdminRequest): string {
  const secret = request.config.unsubscribeSecret;
  if (!secret) throw new HttpError(409, "unsubscribe_unavailable", "Announcements need unsubscribe links: set the secret UNSUBSCRIBE_SECRET first (docs/operations.md).");
  return secret;
}

/** An announcement with how far its send has got. */
async function withProgress(env: Env, found: Announcement) {
  const counts = found.status === "draft" ? null : await progress(env.DB, found.id);
  return { ...found, progress: counts, recipients: found.status === "draft" ? await countSegment(env.DB, found.segment) : found.total };
}

/** GET /admin/api/announcements — newest first, with each send's progress. */
export async function announcements(request: AdminRequest, env: Env): Promise<Response> {
  const query = parseQuery(ListQuery, request);
  const page = await listAnnouncements(env.DB, query.before ?? null, query.limit);
  return json({ announcements: await Promise.all(page.announcements.map((found) => withProgress(env, found))), next: page.next });
}

/** POST /admin/api/announcements — a new draft; audited. */
export async function createDraft(request: AdminRequest, env: Env): Promise<Response> {
  const draft = await parsedBody(request, AnnouncementDraft, "The announcement needs correcting.");
  const created = await createAnnouncement(env.DB, draft, request.judge.name);
  await recordAudit(env.DB, request.judge, "announcement_draft", null, { announcement: created.id, segment: created.segment });
  return json({ announcement: await withProgress(env, created) }, 201);
}

/** GET /admin/api/announcements/:id — the announcement and its progress (sent / failed / pending). */
export async function showAnnouncement(request: AdminRequest, env: Env): Promise<Response> {
  return json({ announcement: await withProgress(env, await fromPath(request, env)) });
}

/** PUT /admin/api/announcements/:id — changes a draft (409 once it is being sent); audited. */
export async function editDraft(request: AdminRequest, env: Env): Promise<Response> {
  const found = await fromPath(request, env);
  const draft = await parsedBody(request, AnnouncementDraft, "The announcement needs correcting.");
  const updated = await updateDraft(env.DB, found.id, draft);
  if (!updated) throw new HttpError(409, "not_draft", "This announcement is sent (or being sent): it can no longer change.");
  await recordAudit(env.DB, request.judge, "announcement_edit", null, { announcement: updated.id, segment: updated.segment });
  return json({ announcement: await withProgress(env, updated) });
}

/** The entrant a preview shows: the one asked for (by id, in the segment or not), else the segment's first. */
async function sampleRecipient(env: Env, found: Announcement, entrant: string | undefined): Promise<Recipient | null> {
  if (entrant) {
    const chosen = await recipient(env.DB, entrant);
    if (!chosen) throw new HttpError(404, "not_found", "There is no entrant with that id.");
    return chosen;
  }
  return (await segmentPage(env.DB, found.segment, null, 1))[0] ?? null;
}

/**
 * GET /admin/api/announcements/:id/preview — the email as a real entrant of the segment
 * gets it (their name, their unsubscribe link), and how many it goes to. Changes nothing.
 */
export async function previewAnnouncement(request: AdminRequest, env: Env): Promise<Response> {
  const found = await fromPath(request, env);
  const secret = requireSecret(request);
  const { entrant } = parseQuery(PreviewQuery, request);
  const [sample, count] = await Promise.all([sampleRecipient(env, found, entrant), countSegment(env.DB, found.segment)]);
  const job = await announcementJob(request.config, secret, found, sample ?? NOBODY, String(found.id));
  const { subject, text, html, headers } = renderEmail(job, request.config);
  return json({ count, sample: sample && { id: sample.id, firstname: sample.firstname, email: sample.email }, email: { subject, text, html, headers } });
}

/** GET /admin/api/announcements/:id/preview.html — the same email's HTML part, as a document of its own. */
export async function previewAnnouncementHtml(request: AdminRequest, env: Env): Promise<Response> {
  const found = await fromPath(request, env);
  const secret = requireSecret(request);
  const { entrant } = parseQuery(PreviewQuery, request);
  const sample = await sampleRecipient(env, found, entrant);
  const job = await announcementJob(request.config, secret, found, sample ?? NOBODY, String(found.id));
  return new Response(renderEmail(job, request.config).html, { headers: { ...EMAIL_PREVIEW_HEADERS, "content-type": "text/html; charset=utf-8" } });
}

/** POST /admin/api/announcements/:id/test — the email as the segment's first entrant gets it, sent to `to` (you); audited. */
export async function testAnnouncement(request: AdminRequest, env: Env): Promise<Response> {
  const found = await fromPath(request, env);
  requireSecret(request);
  const { to } = await parsedBody(request, TestBody, "Give the address to send the test to.");
  const sample = (await segmentPage(env.DB, found.segment, null, 1))[0] ?? NOBODY;
  await sendTest(env, request.config, found, sample, to);
  await recordAudit(env.DB, request.judge, "announcement_test", null, { announcement: found.id, to });
  return json({ queued: true, to }, 202);
}

/**
 * POST /admin/api/announcements/:id/send — sends a draft to its segment, in steps; audited
 * once. Sending what is already on its way (or sent) changes nothing and answers it as it
 * is; one announcement is sent at a time (409).
 */
export async function sendDraft(request: AdminRequest, env: Env): Promise<Response> {
  const found = await fromPath(request, env);
  requireSecret(request);
  const outcome = await sendAnnouncement(env, found, request.judge.name).catch((error: unknown) => {
    console.error(`announcements: could not start ${found.id}`, error);
    throw new HttpError(503, "busy", "The tasks queue did not take the send, so nothing was sent. Try again in a minute.");
  });
  if (!outcome.ok && outcome.reason === "running") {
    throw new HttpError(409, "announcement_running", "Another announcement is being sent: wait until it is done.");
  }
  if (outcome.ok) await recordAudit(env.DB, request.judge, "announcement_send", null, { announcement: found.id, segment: found.segment });
  const now = (await announcement(env.DB, found.id))!;
  return json({ announcement: await withProgress(env, now) }, outcome.ok ? 202 : 200);
}
