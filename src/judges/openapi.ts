/**
 * The OpenAPI document of the judges' API, served to judges at /admin/api/openapi.json.
 * Written by hand here; `npm run openapi` (scripts/openapi.ts) publishes it as the static
 * file public/admin/api/openapi.json, which keeps its 5.6 KiB gzip out of the Worker's
 * bundle. Tests check that its paths and methods are exactly the router's and that the
 * file served is this document.
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

/** A JSON body of one text field. */
const reasonBody = (field: string, maxLength: number, required: boolean) => ({
  content: {
    "application/json": {
      schema: { type: "object", ...(required && { required: [field] }), properties: { [field]: { type: "string", maxLength } } },
    },
  },
});

const reason = { type: "string", maxLength: 500 };

/** Judging at scale: assignment, skips, progress, conflicts, the top-N award, notes. */
const JUDGING_PATHS = {
  "/admin/api/next": {
    get: {
      summary: "Lease the caller the entry that most needs a review from them (fewest reviews, not scored, skipped or in conflict); each call leases another, for 10 minutes",
      responses: { 200: ok("`{entry, lease}`, or `{entry: null, lease: null}` when no entry needs the caller; under blind judging a judge's entry hides name, email and score") },
    },
  },
  "/admin/api/entries/{id}/skip": {
    post: {
      summary: "Skip an entry: `next` does not give it to the caller again; their lease on it ends; audited",
      parameters: [id],
      requestBody: { content: { "application/json": { schema: { type: "object", properties: { reason } } } } },
      responses: { 200: ok("Skipped"), 404: error, 409: error, 422: error },
    },
  },
  "/admin/api/progress": {
    get: {
      summary: "Judging progress: entries fully reviewed and reviews given of those needed; per judge scored, skipped, leased (a judge sees their own)",
      responses: { 200: ok("`{overall, judges}`") },
    },
  },
  "/admin/api/conflicts": {
    get: {
      summary: "Conflicts of interest: a judge's own; for organisers everyone's, or one judge's",
      parameters: [{ name: "judge", in: "query", description: "Organisers: one judge's", schema: { type: "string", maxLength: 100 } }],
      responses: { 200: ok("`{conflicts}`"), 400: error, 403: error },
    },
    post: {
      summary: "Declare a conflict of interest (an email address, a domain and its subdomains, or an entry id); organisers may name another judge; audited",
      requestBody: {
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["kind", "value"],
              properties: { kind: { enum: ["email", "domain", "entry"] }, value: { type: "string" }, reason, judge: { type: "string", maxLength: 100 } },
            },
          },
        },
      },
      responses: { 201: ok("The conflict"), 200: ok("Declared already"), 403: error, 422: error },
    },
  },
  "/admin/api/conflicts/{id}": {
    delete: {
      summary: "Remove a conflict (organisers); the judge's earlier scores count again; audited",
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
      responses: { 200: ok("Removed"), 404: error },
    },
  },
  "/admin/api/awards/preview": {
    get: {
      summary: "Dry run of awarding the top N (organisers): the first `count` entries of the ranking that may win, those passed over and why, and the batch to award",
      parameters: [
        { name: "count", in: "query", required: true, schema: { type: "integer", minimum: 1, maximum: 500 } },
        { name: "normalise", in: "query", schema: { enum: ["none", "z"], default: "none" } },
        { name: "product", in: "query", schema: { type: "string" } },
        { name: "q", in: "query", schema: { type: "string", maxLength: 200 } },
      ],
      responses: { 200: ok("`{batch, ids, token, candidates, passedOver, remaining, …}`"), 400: error },
    },
  },
  "/admin/api/awards": {
    post: {
      summary: "Award the preview's list in one step (organisers): in order, stopping at the pool; a batch is awarded once; audited for the batch and per prize",
      requestBody: {
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["batch", "token", "ids"],
              properties: { batch: { type: "string", format: "uuid" }, token: { type: "string", pattern: "^[0-9a-f]{64}$" }, ids: { type: "array", items: { type: "string" }, maxItems: 500 } },
            },
          },
        },
      },
      responses: { 201: ok("`{batch, replayed: false, awarded, refused, remaining}`"), 200: ok("Awarded before: the same results, nothing changed"), 422: error },
    },
  },
  "/admin/api/entries/{id}/notes": {
    get: { summary: "Organisers' notes on the entry, newest first (organisers)", parameters: [id], responses: { 200: ok("`{notes}`"), 404: error } },
    post: {
      summary: "Add a note (organisers); audited",
      parameters: [id],
      requestBody: { content: { "application/json": { schema: { type: "object", required: ["body"], properties: { body: { type: "string", maxLength: 5000 } } } } } },
      responses: { 201: ok("The note, with author and time"), 404: error, 422: error },
    },
  },
};

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
          { name: "review", in: "query", description: "Only entries judges flagged, disqualified entries, or winners who gave an address another winner gave", schema: { enum: ["flagged", "disqualified", "duplicate_address"] } },
          { name: "q", in: "query", description: "Words searched in names, email, title and description (prefixes match)", schema: { type: "string", maxLength: 200 } },
          { name: "sort", in: "query", schema: { enum: ["created", "submitted", "score"], default: "created" } },
          { name: "normalise", in: "query", description: "With sort=score: z, the mean of each judge's z-scores", schema: { enum: ["none", "z"], default: "none" } },
          { name: "needs_reviews", in: "query", description: "true: only entries with fewer reviews than REVIEWS_PER_ENTRY", schema: { enum: ["true"] } },
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
      delete: {
        summary: "Revoke the prize (organisers). The entrant's notice, with the reason if given, goes after REVOKE_UNDO_MINUTES; none with notify false. The body is optional",
        parameters: [id],
        requestBody: { required: false, content: { "application/json": { schema: { type: "object", properties: { reason: { type: "string", maxLength: 500 }, notify: { type: "boolean", default: true } } } } } },
        responses: { 200: ok("The freed slot, and when the notice goes"), 404: error, 409: error, 422: error },
      },
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
    "/admin/api/entries/{id}/review": {
      get: {
        summary: "The entry's identity (registered as, canonical mailbox), judges' flags and, for organisers, its disqualification record and the winners who gave the same address",
        parameters: [id],
        responses: { 200: ok("The review state"), 404: error },
      },
    },
    "/admin/api/entries/{id}/flag": {
      put: {
        summary: "Flag the entry for organiser review, with a note (this judge's flag, replacing their earlier note); audited",
        parameters: [id],
        requestBody: reasonBody("note", 2000, true),
        responses: { 200: ok("The flag"), 404: error, 422: error },
      },
      delete: { summary: "Resolve the entry's open flags (organisers); audited", parameters: [id], responses: { 200: ok("How many were resolved"), 404: error, 409: error } },
    },
    "/admin/api/entries/{id}/disqualify": {
      post: {
        summary: "Disqualify the entry (organisers): any prize is revoked (and re-offered per REOFFER_EXPIRED), no award, claim, waitlist place or re-offer from now on; the entrant is emailed; the reason is audited",
        parameters: [id],
        requestBody: reasonBody("reason", 1000, true),
        responses: { 200: ok("Disqualified: the slot revoked and who it was re-offered to, if anyone"), 404: error, 409: error, 422: error },
      },
    },
    "/admin/api/entries/{id}/reinstate": {
      post: {
        summary: "Lift a disqualification (organisers); a revoked prize stays revoked; audited",
        parameters: [id],
        requestBody: reasonBody("reason", 1000, false),
        responses: { 200: ok("Reinstated"), 404: error, 409: error, 422: error },
      },
    },
    "/admin/api/entries/{id}/ban": {
      post: {
        summary: "Ban the entrant's mailbox (kept only as the SHA-256 of the canonical mailbox) and disqualify them (organisers); audited",
        parameters: [id],
        requestBody: reasonBody("reason", 1000, true),
        responses: { 201: ok("Banned"), 200: ok("Banned already"), 404: error, 409: error, 422: error },
      },
    },
    "/admin/api/entries/{id}/clear-address": {
      post: {
        summary: "Let a winner's box go to the vendor's list though another winner gave the same address (organisers); audited",
        parameters: [id],
        responses: { 200: ok("Cleared"), 404: error, 409: error },
      },
    },
    "/admin/api/flags": {
      get: {
        summary: "The organisers' queue of open flags, oldest first",
        parameters: [
          { name: "cursor", in: "query", description: "`next` of the previous page", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: { 200: ok("A page of open flags with their entries"), 400: error, 403: error },
      },
    },
    "/admin/api/address-pairs": {
      get: {
        summary: "Winners who gave the same postal address, in groups, those waiting for review first (organisers); never the address",
        parameters: [{ name: "status", in: "query", schema: { enum: ["pending", "cleared"] } }],
        responses: { 200: ok("The groups"), 400: error, 403: error },
      },
    },
    "/admin/api/bans": {
      get: { summary: "The ban list, newest first; mailboxes only as hashes (organisers)", responses: { 200: ok("The bans"), 403: error } },
      post: {
        summary: "Ban a mailbox (every spelling of it; its registrant is disqualified) or a whole domain (organisers); audited",
        requestBody: {
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["kind", "value", "reason"],
                properties: { kind: { enum: ["mailbox", "domain"] }, value: { type: "string", description: "An email address, or a domain" }, reason: { type: "string", maxLength: 1000 } },
              },
            },
          },
        },
        responses: { 201: ok("Banned"), 200: ok("Banned already"), 422: error },
      },
    },
    "/admin/api/bans/{id}": {
      delete: {
        summary: "Lift a ban (organisers); a disqualification made with it stays until reinstated; audited",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
        responses: { 200: ok("Lifted"), 404: error },
      },
    },
    ...JUDGING_PATHS,
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
