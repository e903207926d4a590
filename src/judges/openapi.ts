/**
 * The OpenAPI document of the judges' API, served at /admin/api/openapi.json. Written by
 * hand; a test checks that its paths and methods are exactly the router's.
 */
const error = { $ref: "#/components/responses/Error" };
const id = { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-f]{64}$" } };
const runId = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
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
          { name: "status", in: "query", description: "winner: confirmed winners; provisional: first-come slots under review", schema: { enum: ["registered", "submitted", "winner", "provisional", "waitlisted", "erased"] } },
          {
            name: "check",
            in: "query",
            description: "By link checks: the demo is down, the repository missing (or private), a fork, older than the contest, or a link another entry shares",
            schema: { enum: ["demo_down", "repo_missing", "fork", "repo_older", "shared"] },
          },
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
      get: {
        summary: "One entry with its submission history, every judge's score, its latest link check (`checks`) and the entries sharing one of its links (`shared`)",
        parameters: [id],
        responses: { 200: ok("The entry"), 404: error },
      },
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
      delete: { summary: "Revoke the prize (organisers)", parameters: [id], responses: { 200: ok("The freed slot"), 404: error, 409: error } },
    },
    "/admin/api/entries/{id}/checks": {
      post: {
        summary: "Check the entry's links again, in the background (organisers); the result replaces the last one",
        parameters: [id],
        responses: { 202: ok("Queued: the check's version"), 404: error, 409: error },
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
        parameters: [{ name: "set", in: "query", schema: { enum: ["entries", "submissions", "winners", "shipping"], default: "entries" } }],
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
    "/admin/api/checks": {
      post: {
        summary: "Check every entry's links again (organisers); a task run, a hundred entrants a step",
        responses: { 202: ok("The task run (or the one already going)") },
      },
    },
    "/admin/api/tasks": {
      get: {
        summary: "Background task runs (reindex, retention, flush, recheck), newest first, with progress",
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
  },
} as const;
