/**
 * The OpenAPI document of the judges' API, served at /admin/api/openapi.json. Written by
 * hand; a test checks that its paths and methods are exactly the router's.
 */
const error = { $ref: "#/components/responses/Error" };
const id = { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-f]{64}$" } };
const runId = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const announcementId = { name: "id", in: "path", required: true, schema: { type: "integer" } };
const announcementDraft = {
  type: "object",
  required: ["subject", "body", "segment"],
  properties: {
    subject: { type: "string", maxLength: 150 },
    body: { type: "string", maxLength: 8000, description: "Markdown" },
    segment: { enum: ["everyone", "registered", "submitted", "winners", "waitlist", "unshipped"] },
  },
};
const contentFields = (more: Record<string, object>) => ({
  type: "object",
  properties: {
    intro: { type: "string", maxLength: 1500, description: "Markdown; empty: the default" },
    prize: { type: "string", maxLength: 1000 },
    eligibility: { type: "string", maxLength: 4000 },
    faq: { type: "string", maxLength: 8000 },
    contact: { type: "string", description: "An email address, or empty" },
    prizeImage: { type: "string", description: "An https URL, or empty" },
    ...more,
  },
});
const ok = (description: string, schema: object = { type: "object" }) => ({
  description,
  content: { "application/json": { schema } },
});

export const ADMIN_OPENAPI = {
  openapi: "3.1.0",
  info: {
    title: "Swagbox judges' API",
    version: "1.0.0",
    description:
      "Every route needs credentials: `Authorization: Bearer <token>` (ADMIN_TOKENS), the dashboard's session cookie (a server-side session started at /admin/login), or a Cloudflare Access JWT. Judges read and score; organisers also award, revoke, resize, rebuild the index and export winners. Cookie-borne credentials must send changes same-origin as JSON.",
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" }, access: { type: "apiKey", in: "header", name: "Cf-Access-Jwt-Assertion" } },
    responses: {
      Error: {
        description: "An error: 400 malformed, 401, 403, 404, 409, 413, 415, 422 (fields names each bad field)",
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["error", "message"],
              properties: { error: { type: "string" }, message: { type: "string" }, fields: { type: "object" } },
            },
          },
        },
      },
    },
  },
  security: [{ bearer: [] }, { access: [] }],
  paths: {
    "/admin": { get: { summary: "The dashboard (HTML)", responses: { 200: { description: "HTML page" }, 303: { description: "Not signed in: to /admin/login" } } } },
    "/admin/api/me": { get: { summary: "Who is signed in, the rubric and the award policy", responses: { 200: ok("The judge"), 401: error } } },
    "/admin/api/entries": {
      get: {
        summary: "List entries: filter, search, sort, paginate",
        parameters: [
          { name: "status", in: "query", schema: { enum: ["registered", "submitted", "winner", "waitlisted", "erased"] } },
          { name: "product", in: "query", schema: { type: "string" } },
          { name: "q", in: "query", description: "Words searched in names, email, title and description (prefixes match)", schema: { type: "string", maxLength: 200 } },
          { name: "sort", in: "query", schema: { enum: ["created", "submitted", "score"], default: "created" } },
          { name: "normalise", in: "query", description: "With sort=score: z, the mean of each judge's z-scores", schema: { enum: ["none", "z"], default: "none" } },
          { name: "cursor", in: "query", description: "`next` of the previous page", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
        ],
        responses: { 200: ok("A page of entries and the next cursor (null on the last page)"), 400: error, 401: error },
      },
    },
    "/admin/api/entries/{id}": {
      get: { summary: "One entry with its submission history and every judge's score", parameters: [id], responses: { 200: ok("The entry"), 404: error } },
      delete: { summary: "Erase the entrant: storage, index row (tombstoned), scores, email log; an unshipped prize is released (organisers)", parameters: [id], responses: { 200: ok("Erased"), 404: error } },
    },
    "/admin/api/entries/{id}/score": {
      put: {
        summary: "Set this judge's score on the rubric, with a comment",
        parameters: [id],
        requestBody: {
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["criteria"],
                properties: { criteria: { type: "object", additionalProperties: { type: "integer", minimum: 0 } }, comment: { type: "string", maxLength: 5000 } },
              },
            },
          },
        },
        responses: { 200: ok("The stored score"), 404: error, 409: error, 422: error },
      },
    },
    "/admin/api/entries/{id}/award": {
      post: { summary: "Award a prize (organisers); idempotent", parameters: [id], responses: { 201: ok("The slot"), 200: ok("Already awarded: the same slot"), 404: error, 409: error } },
      delete: {
        summary: "Revoke the prize (organisers). The entrant's notice, with the reason if given, goes after REVOKE_UNDO_MINUTES; none with notify false. The body is optional",
        parameters: [id],
        requestBody: { required: false, content: { "application/json": { schema: { type: "object", properties: { reason: { type: "string", maxLength: 500 }, notify: { type: "boolean", default: true } } } } } },
        responses: { 200: ok("The freed slot, and when the notice goes"), 404: error, 409: error, 422: error },
      },
    },
    "/admin/api/entries/{id}/shipped": {
      post: {
        summary: "Mark a winner's prize shipped, with an optional tracking link emailed to them (organisers)",
        parameters: [id],
        requestBody: { content: { "application/json": { schema: { type: "object", properties: { tracking_url: { type: ["string", "null"] } } } } } },
        responses: { 200: ok("The shipping state"), 404: error, 409: error, 422: error },
      },
    },
    "/admin/api/pool": {
      put: {
        summary: "Resize the prize pool (organisers); never below what is awarded",
        requestBody: { content: { "application/json": { schema: { type: "object", required: ["total"], properties: { total: { type: "integer", minimum: 0 } } } } } },
        responses: { 200: ok("The new size"), 409: error, 422: error },
      },
    },
    "/admin/api/export.csv": {
      get: {
        summary: "Export as CSV (winners and shipping: organisers)",
        parameters: [
          { name: "set", in: "query", schema: { enum: ["entries", "submissions", "winners", "shipping"], default: "entries" } },
          { name: "bom", in: "query", description: "1: starts with a UTF-8 byte order mark, for Excel", schema: { enum: ["0", "1"], default: "0" } },
        ],
        responses: { 200: { description: "RFC 4180 CSV, formula-safe", content: { "text/csv": {} } }, 403: error },
      },
    },
    "/admin/api/stats": { get: { summary: "Counts by status and product, signups and submissions per day, the pool", responses: { 200: ok("Stats") } } },
    "/admin/api/audit": {
      get: {
        summary: "Who did what, newest first",
        parameters: [
          { name: "before", in: "query", schema: { type: "integer" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
          { name: "actor", in: "query", description: "Only this judge's (or swagbox's) actions", schema: { type: "string", maxLength: 200 } },
          { name: "action", in: "query", description: "Only this kind of action, such as award", schema: { type: "string", pattern: "^[a-z_]{1,40}$" } },
          { name: "entry", in: "query", description: "Only actions on this entry", schema: { type: "string", pattern: "^[0-9a-f]{64}$" } },
        ],
        responses: { 200: ok("A page of the audit log"), 400: error },
      },
    },
    "/admin/api/reindex": {
      post: {
        summary: "Rebuild the index from every registrant's object, a step at a time through the tasks queue (organisers); one run at a time",
        responses: { 202: ok("The task run (or the one already going): follow it at /admin/api/tasks/{id}") },
      },
    },
    "/admin/api/flush": {
      post: {
        summary: "Ask every object with unconfirmed work to hand it over again now (organisers); a task run",
        responses: { 202: ok("The task run") },
      },
    },
    "/admin/api/tasks": {
      get: {
        summary: "Background task runs (reindex, retention, flush), newest first, with progress",
        parameters: [{ name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } }],
        responses: { 200: ok("Task runs; `stalled` when running but not moving"), 400: error },
      },
    },
    "/admin/api/tasks/{id}": {
      get: { summary: "One task run's progress", parameters: [runId], responses: { 200: ok("The run"), 404: error } },
    },
    "/admin/api/tasks/{id}/resume": {
      post: { summary: "Carry a stalled run on from where it is (organisers)", parameters: [runId], responses: { 202: ok("The run"), 404: error, 409: error } },
    },
    "/admin/api/dead-letters": {
      get: {
        summary: "Jobs on any topic that ran out of retries or were refused for good, newest first",
        parameters: [
          { name: "status", in: "query", schema: { enum: ["open", "retried"] } },
          { name: "topic", in: "query", schema: { type: "string" } },
          { name: "cursor", in: "query", description: "`next` of the previous page", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: { 200: ok("A page of dead letters and the next cursor (null on the last page)"), 400: error },
      },
    },
    "/admin/api/dead-letters/{id}/retry": {
      post: {
        summary: "Do a dead letter's job again, as its topic needs (organisers): emails go out again with fresh links",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
        responses: { 202: ok("Done again"), 404: error, 409: error },
      },
    },
    "/admin/api/emails": {
      get: {
        summary: "The email log, newest change first",
        parameters: [
          { name: "status", in: "query", schema: { enum: ["sending", "retrying", "sent", "failed", "dead", "retried"] } },
          { name: "recipient", in: "query", description: "Only emails to this address", schema: { type: "string", maxLength: 254 } },
          { name: "cursor", in: "query", description: "`next` of the previous page", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: { 200: ok("A page of the email log"), 400: error },
      },
    },
    "/admin/api/emails/{key}/retry": {
      post: {
        summary: "Send a failed or dead email again (organisers); links go out fresh; the old row becomes retried",
        parameters: [{ name: "key", in: "path", required: true, schema: { type: "string" } }],
        responses: { 202: ok("Queued again"), 404: error, 409: error },
      },
    },
    "/admin/api/sessions": {
      get: {
        summary: "Dashboard sessions that would be accepted now, newest first (organisers); never a cookie's secret",
        responses: {
          200: ok("The sessions", {
            type: "object",
            properties: {
              sessions: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    id: { type: "string", description: "SHA-256 of the cookie's secret" },
                    judge: { type: "string" },
                    role: { enum: ["judge", "organiser"] },
                    created_at: { type: "integer" },
                    expires_at: { type: "integer" },
                    current: { type: "boolean", description: "The session this request came with" },
                  },
                },
              },
            },
          }),
          403: error,
        },
      },
    },
    "/admin/api/sessions/{id}": {
      delete: { summary: "End a dashboard session (organisers); audited", parameters: [id], responses: { 200: ok("Revoked"), 404: error } },
    },
    "/admin/api/openapi.json": { get: { summary: "This document", responses: { 200: ok("OpenAPI 3.1") } } },
    "/admin/api/entries/{id}/revoke-notice": {
      delete: { summary: "Call off a revoked prize's notice still in its undo window (organisers); audited", parameters: [id], responses: { 200: ok("Cancelled"), 404: error, 409: error } },
    },
    "/admin/api/content": {
      get: { summary: "The organisers' page content (Markdown): the latest version, the defaults for empty parts, the history (organisers)", responses: { 200: ok("The content") } },
      put: {
        summary: "Save the next version of the content (organisers); audited, then published to the pages",
        requestBody: { content: { "application/json": { schema: contentFields({ base: { type: "integer", minimum: 0, description: "The version edited; 409 if another was saved since" } }) } } },
        responses: { 200: ok("The new version"), 409: error, 422: error, 503: error },
      },
    },
    "/admin/api/content/preview": {
      post: { summary: "Render content as the pages would, saving nothing (organisers)", requestBody: { content: { "application/json": { schema: contentFields({}) } } }, responses: { 200: ok("Each part's HTML"), 422: error } },
    },
    "/admin/api/content/versions/{version}": {
      get: { summary: "One saved version of the content (organisers)", parameters: [{ name: "version", in: "path", required: true, schema: { type: "integer" } }], responses: { 200: ok("The version"), 404: error } },
    },
    "/admin/api/results": {
      get: { summary: "Whether results are published, and how many winners agreed to be listed", responses: { 200: ok("The results' state") } },
      post: { summary: "Publish (again) the winners page from the winners who agreed (organisers); only once submissions closed; audited", responses: { 200: ok("Published"), 409: error } },
      delete: { summary: "Take the winners page down (organisers); audited", responses: { 200: ok("Withdrawn"), 409: error } },
    },
    "/admin/api/announcements": {
      get: { summary: "Announcements, newest first, with each send's progress (organisers)", parameters: [{ name: "before", in: "query", schema: { type: "integer" } }, { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } }], responses: { 200: ok("A page of announcements"), 400: error } },
      post: { summary: "A new draft (organisers); audited", requestBody: { content: { "application/json": { schema: announcementDraft } } }, responses: { 201: ok("The draft"), 422: error } },
    },
    "/admin/api/announcements/{id}": {
      get: { summary: "One announcement, with its progress: sent, failed, pending (organisers)", parameters: [announcementId], responses: { 200: ok("The announcement"), 404: error } },
      put: { summary: "Change a draft (organisers); audited", parameters: [announcementId], requestBody: { content: { "application/json": { schema: announcementDraft } } }, responses: { 200: ok("The draft"), 404: error, 409: error, 422: error } },
    },
    "/admin/api/announcements/{id}/preview": {
      get: {
        summary: "The email as a real entrant of the segment gets it, and how many it goes to (organisers)",
        parameters: [announcementId, { name: "entrant", in: "query", description: "Preview for this entrant instead of the segment's first", schema: { type: "string", pattern: "^[0-9a-f]{64}$" } }],
        responses: { 200: ok("The count, the entrant, the email's subject, text, HTML and headers"), 404: error, 409: error },
      },
    },
    "/admin/api/announcements/{id}/preview.html": {
      get: { summary: "The same email's HTML part, as a document (organisers)", parameters: [announcementId], responses: { 200: { description: "HTML", content: { "text/html": {} } }, 404: error, 409: error } },
    },
    "/admin/api/announcements/{id}/test": {
      post: {
        summary: "Send the email, as the segment's first entrant would get it, to an address of yours (organisers); audited",
        parameters: [announcementId],
        requestBody: { content: { "application/json": { schema: { type: "object", required: ["to"], properties: { to: { type: "string", format: "email" } } } } } },
        responses: { 202: ok("Queued"), 404: error, 409: error, 422: error },
      },
    },
    "/admin/api/announcements/{id}/send": {
      post: {
        summary: "Send a draft to its segment, a step at a time (organisers); audited. Sending again changes nothing; one send at a time",
        parameters: [announcementId],
        responses: { 202: ok("Sending"), 200: ok("Already sent or on its way: as it is"), 404: error, 409: error, 503: error },
      },
    },
  },
} as const;
