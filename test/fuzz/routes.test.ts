/**
 * Fuzzes every public and judges' route through the Worker, as the outside probe did:
 * hostile paths, queries, headers, credentials and bodies (lone surrogates, markup,
 * oversized and wrongly typed fields, every body encoding). Whatever arrives, the Worker
 * answers below 500, escapes what it echoes into HTML, and a request it refuses changes
 * nothing stored. The seed is fixed, so a failure replays exactly.
 */
import { createHash } from "node:crypto";
import { createExecutionContext, listDurableObjectIds, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { unsubscribeUrl } from "../../src/announcements/announcements";
import { loadConfig } from "../../src/config";
import type { PrizeCounter } from "../../src/objects/prize-counter";
import { prizeCounter } from "../../src/objects/stubs";
import { ADMIN_ROUTES } from "../../src/routes/admin";
import { countingLimiter, ORIGIN, registrantStub, validSubmission } from "../helpers";
import { admin, entrant, indexed, JUDGE, ORGANISER, shippingCode, signIn } from "../judges/helpers";

const SEED = 20_261_212;

/** The signed unsubscribe link's query for a registrant, as announcements carry it. */
async function unsubscribeQuery(id: string): Promise<{ id: string; sig: string }> {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error("invalid test configuration");
  const url = new URL(await unsubscribeUrl(loaded.config, loaded.config.unsubscribeSecret!, id));
  return { id, sig: url.searchParams.get("sig")! };
}
const RUNS = 2_000;

// ---- what the fuzzer knows of the contest: three entrants, one of them a winner ----

const SUBMITTER = "fuzz-submitter@example.com";
const WINNER = "fuzz-winner@example.com";
/** Whose code /privacy/erase gets: the fuzzer may well erase them, and the others must stay. */
const ERASABLE = "fuzz-erasable@example.com";

interface Fixtures {
  submitterId: string;
  submitterCode: string;
  erasableCode: string;
  winnerId: string;
  shippingCode: string;
  judgeCookie: string;
  /** A session of its own for /admin/logout, so the fuzzer signing out leaves judgeCookie working. */
  logoutCookie: string;
  /** The submitter's signed unsubscribe link's query. */
  unsubscribe: { id: string; sig: string };
}

let fixtures: Fixtures;

/**
 * One environment for every fuzzed request, so the configuration is parsed once; its rate
 * limiters count deterministically (the real ones follow the wall clock), so some fuzzed
 * clients reach their limit and get 429 every run alike.
 */
const fuzzEnv: Env = { ...env, SIGNUP_LIMITER: countingLimiter(5), ADMIN_LOGIN_LIMITER: countingLimiter(5) };

beforeAll(async () => {
  const submitter = await entrant(SUBMITTER, { title: "Fuzz target" });
  const winner = await entrant(WINNER, { title: "Fuzz winner" });
  const erasable = await entrant(ERASABLE);
  await indexed(winner.id, (row) => row.submission_version === 1);
  expect((await admin(`/admin/api/entries/${winner.id}/award`, { method: "POST" })).status).toBe(201);
  const shipping = await shippingCode(WINNER);
  // The award reaches the winner's object through the counter's outbox: wait for it, so no
  // change from before the fuzzing lands during it.
  await indexed(winner.id, (row) => row.status === "winner" && row.shipping_status === "awaiting");
  await indexed(submitter.id, (row) => row.submission_version === 1);
  fixtures = {
    submitterId: submitter.id,
    submitterCode: submitter.code,
    unsubscribe: await unsubscribeQuery(submitter.id),
    erasableCode: erasable.code,
    winnerId: winner.id,
    shippingCode: shipping,
    judgeCookie: await signIn(JUDGE),
    logoutCookie: await signIn(JUDGE),
  };
}, 60_000);

// ---- what nothing refused may change ----

/**
 * Everything a request could change synchronously. Left out: what the queues write later
 * (the judges' index rows, the email log, the mailbox) and the counter's pushes to relays
 * and KV, which accepted requests set off and which may land during a later one. Which
 * Registrant objects exist is counted apart (registrantCount), for the routes that name one
 * by an email.
 */
async function storedState(): Promise<string> {
  const d1 = await env.DB.prepare(
    `SELECT (SELECT COUNT(*) FROM scores) AS scores, (SELECT COALESCE(SUM(updated_at), 0) FROM scores) AS scored,
            (SELECT COALESCE(MAX(id), 0) FROM audit_log) AS audit, (SELECT COUNT(*) FROM admin_sessions) AS sessions,
            (SELECT group_concat(id) FROM (SELECT id FROM admin_sessions ORDER BY id)) AS session_ids,
            (SELECT COUNT(*) FROM email_log WHERE status = 'retried') AS retried,
            (SELECT COALESCE(SUM(score), 0) FROM entries) AS index_scores,
            (SELECT COUNT(*) FROM review_flags) AS flags, (SELECT COALESCE(SUM(flagged_at), 0) FROM review_flags) AS flagged,
            (SELECT COUNT(*) FROM review_flags WHERE resolved_at IS NULL) AS open_flags, (SELECT COALESCE(SUM(flags_open), 0) FROM entries) AS flags_open,
            (SELECT COUNT(*) || ':' || COALESCE(SUM(expires_at), 0) FROM leases) AS leases,
            (SELECT COUNT(*) FROM skips) AS skips, (SELECT COUNT(*) FROM conflicts) AS conflicts,
            (SELECT COUNT(*) FROM entry_notes) AS notes,
            (SELECT COUNT(*) FROM content_versions) AS content, (SELECT COUNT(*) FROM unsubscribes) AS unsubscribes,
            (SELECT COALESCE(SUM(updated_at), 0) FROM announcements) AS announcements, (SELECT COUNT(*) FROM result_publications) AS publications`,
  ).first();
  // The counter's answers in one visit to it: this runs for every case.
  const counter = await runInDurableObject(prizeCounter(env), async (instance: PrizeCounter) => ({
    pool: await instance.getStatus(),
    bans: await instance.bans(),
    eligibility: await Promise.all([fixtures.submitterId, fixtures.winnerId].map((id) => instance.disqualification(id))),
  }));
  const objects = await Promise.all([SUBMITTER, WINNER].map(registrantTables));
  return JSON.stringify({ d1, ...counter, objects });
}

/** The routes that reach a Registrant by an email, which a refused request must not create. */
const BY_EMAIL = new Set(["/signup", "/link"]);

async function registrantCount(): Promise<number> {
  return (await listDurableObjectIds(env.REGISTRANT)).length;
}

/**
 * A registrant's own tables, but not its outbox and alarms, which drain by themselves, nor
 * its link checks, which verdicts and the tasks queue's re-runs change later.
 */
function registrantTables(email: string) {
  return runInDurableObject(registrantStub(email), (_, state) =>
    ["registrant", "submission_version", "prize", "shipping", "eligibility", "address_claim", "address_peers", "revoke_notice"].map((table) =>
      state.storage.sql.exec(`SELECT * FROM ${table}`).toArray(),
    ),
  );
}

// ---- arbitraries ----

/**
 * Markup that must never come back unescaped: a raw `<x-fuzz` anywhere in a page (an element,
 * or a comment opened by the input), or an attribute `x-fuzz-attr` on any element, means an
 * injection. A bare `"` in text is fine, so attributes are found by parsing the page.
 */
const PAYLOADS = ["<x-fuzz>", '"><x-fuzz>', "'><x-fuzz>", "</textarea><x-fuzz>", "</title><x-fuzz>", '" x-fuzz-attr="1', "' x-fuzz-attr='1", "<!--<x-fuzz>-->", "javascript:alert(1)//<x-fuzz>"];

async function injections(html: string): Promise<string[]> {
  const found = /<x-fuzz/i.test(html) ? ["<x-fuzz"] : [];
  await new HTMLRewriter()
    .on("[x-fuzz-attr]", { element: (el) => void found.push(`<${el.tagName} x-fuzz-attr>`) })
    .transform(new Response(html))
    .text();
  return found;
}

const payload = fc.constantFrom(...PAYLOADS);
const plausible = fc.constantFrom("", " ", "on", "true", "yes", "0", "-1", "300", "1e309", "GB", "gb", "M", "ada@example.com", SUBMITTER, "https://example.com/x", "javascript:alert(1)", "%E0%A4%A", "\ud800", "\udfff\ud800", "\u202Eexe.txt", "=HYPERLINK(\"x\")");
/** A lone UTF-16 surrogate somewhere in the text: JSON can carry one, a form cannot. */
const withLoneSurrogate = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff"), fc.string({ maxLength: 8 }))
  .map((parts) => parts.join(""));
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 2, arbitrary: withLoneSurrogate },
  { weight: 3, arbitrary: plausible },
  { weight: 3, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), payload, fc.string({ unit: "binary", maxLength: 8 })).map((parts) => parts.join("")) },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 6_000 }) },
);
const jsonValue = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(text, text, { maxKeys: 3 }) },
);

const FIELDS = [
  "firstname", "lastname", "email", "accept_rules", "code", "title", "description", "repo_url", "demo_url", "products",
  "confirm_original", "confirm", "name", "address_line1", "address_line2", "city", "region", "postal_code", "country", "phone",
  "tshirt_size", "token", "cf-turnstile-response", "total", "ids", "tracking_url", "criteria", "comment", "note", "reason", "kind", "value",
  "judge", "batch", "body", "__proto__", "constructor",
];
const fieldName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: text });
/** Fields to spoil: mostly the route's own (`own` picks one of them by index), else any name. */
const overrides = fc.array(fc.record({ own: fc.boolean(), index: fc.nat(), name: fieldName, value: jsonValue }), { minLength: 1, maxLength: 4 });

type Credential = "none" | "wrong-bearer" | "judge-bearer" | "organiser-bearer" | "judge-session" | "junk-cookie" | "access-junk";
const credential = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Credential>("judge-bearer", "organiser-bearer", "judge-session") },
  { weight: 2, arbitrary: fc.constantFrom<Credential>("none", "wrong-bearer", "junk-cookie", "access-junk") },
);

/** Cookies of every name Swagbox reads or once read, with values that may not even decode. */
const cookie = fc
  .array(
    fc.tuple(
      fc.constantFrom("swagbox_session", "__Host-swagbox_session", "swagbox_admin", "x"),
      fc.oneof(fc.constantFrom("%E0%A4%A", "%", "dev-organiser-token", "A".repeat(43), "a=b"), fc.string({ maxLength: 50 }).map((value) => value.replace(/[^\x21-\x7e]|;/g, ""))),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join("; "));

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const pathParam = (fixtureIds: boolean) =>
  fc.oneof(
    hex64,
    text.map((value) => encodeURIComponent(value.toWellFormed())),
    fc.constantFrom("..", "%2e%2e", "%00", "a%2Fb", "%E0%A4%A", "registration", "prize_won", "shipped"),
    ...(fixtureIds ? [fc.constantFrom("submitter", "winner")] : []),
  );

const anyHeader = fc.oneof(text.map((value) => value.replace(/[^\x20-\x7e]/g, "")), plausible.map((value) => value.replace(/[^\x20-\x7e]/g, "")));
const headers = fc.record(
  {
    accept: fc.constantFrom("application/json", "text/html,application/xhtml+xml", "*/*", "application/json;q=0.1, text/html", "x/<x-fuzz>"),
    origin: fc.oneof(fc.constant(ORIGIN), fc.constant("https://evil.example"), fc.constant("null"), anyHeader),
    "sec-fetch-site": fc.constantFrom("same-origin", "cross-site", "none", "same-site", "bogus"),
    "cf-connecting-ip": fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom("1:2:3:4:5:6:7:8::9", "::ffff:1.2.3.4.5", "x"), anyHeader),
    upgrade: fc.constantFrom("websocket", "WebSocket", "h2c", ""),
  },
  { requiredKeys: ["accept"] },
);
/** Mostly the body's own type; now and then one that does not match it. */
const contentType = fc.option(
  fc.constantFrom("application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "application/json; charset=utf-8", ""),
  { freq: 4 },
);

type Encoding = "json" | "form" | "multipart" | "raw" | "none";
const encoding = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Encoding>("json") },
  { weight: 3, arbitrary: fc.constant<Encoding>("form") },
  { weight: 1, arbitrary: fc.constantFrom<Encoding>("multipart", "raw", "none") },
);

const RAW_QUERY_ALPHABET = ["a", "=", "&", "%", "E0", "A4", "ff", "+", "code", "limit", "cursor", "q", "<", ">", '"', "\\u", "1", "-"];
const query = fc.oneof(
  fc.dictionary(
    fc.constantFrom("code", "cursor", "limit", "after", "q", "status", "sort", "normalise", "set", "part", "product", "before", "review", "count", "needs_reviews", "judge", "x"),
    fc.oneof(text, fc.constantFrom("fixture-code", "fixture-shipping")),
    { maxKeys: 3 },
  ),
  fc.array(fc.constantFrom(...RAW_QUERY_ALPHABET), { maxLength: 12 }).map((parts) => parts.join("")),
);

// ---- every route, with a body that is valid until the fuzzer overrides some of it ----

interface Route {
  method: string;
  path: string;
  /** A body the route would accept, for the fuzzer to spoil; fixture codes filled in later. */
  body?: () => Record<string, unknown>;
  /** A query the route would accept, likewise. */
  query?: () => Record<string, string>;
}

const PUBLIC_ROUTES: Route[] = [
  { method: "GET", path: "/" },
  { method: "GET", path: "/rules" },
  { method: "GET", path: "/healthz" },
  { method: "POST", path: "/signup", body: () => ({ firstname: "Fuzz", lastname: "Case", email: "fuzz@example.com", accept_rules: "on" }) },
  { method: "GET", path: "/link" },
  { method: "POST", path: "/link", body: () => ({ email: SUBMITTER }) },
  { method: "GET", path: "/submit", query: () => ({ code: fixtures.submitterCode }) },
  { method: "POST", path: "/submit", body: () => validSubmission(fixtures.submitterCode) },
  { method: "GET", path: "/shipping", query: () => ({ code: fixtures.shippingCode }) },
  {
    method: "POST",
    path: "/shipping",
    body: () => ({ code: fixtures.shippingCode, name: "Fuzz Winner", address_line1: "1 Road", city: "Town", postal_code: "W1", country: "GB", phone: "+44 20 0000 0000", tshirt_size: "M" }),
  },
  { method: "POST", path: "/privacy/erase", body: () => ({ code: fixtures.erasableCode, confirm: "on" }) },
  { method: "GET", path: "/privacy/erased" },
  { method: "GET", path: "/signup" },
  { method: "GET", path: "/check-inbox", query: () => ({ after: "link" }) },
  { method: "GET", path: "/winners", query: () => ({ page: "1" }) },
  { method: "POST", path: "/shipping/showcase", body: () => ({ code: fixtures.shippingCode, showcase: "on" }) },
  { method: "GET", path: "/unsubscribe", query: () => fixtures.unsubscribe },
  { method: "POST", path: "/unsubscribe", query: () => fixtures.unsubscribe, body: () => ({ "List-Unsubscribe": "One-Click" }) },
  { method: "GET", path: "/live" },
  { method: "GET", path: "/api/prizes" },
  { method: "GET", path: "/api/prizes/log" },
  { method: "GET", path: "/dev/mailbox" },
  { method: "GET", path: "/dev/emails" },
  { method: "GET", path: "/dev/emails/:template" },
  { method: "GET", path: "/admin/login" },
  { method: "POST", path: "/admin/login", body: () => ({ token: "not-the-token" }) },
  { method: "POST", path: "/admin/logout" },
];

/** A batch award of made-up entries, with the token its preview would give: it awards nothing. */
const AWARD_BATCH = "6f1c2a4e-9b7d-4e21-8c3a-2f5d7e9a1b0c";
const AWARD_IDS = ["1".repeat(64), "2".repeat(64)];
const AWARD_TOKEN = createHash("sha256").update([AWARD_BATCH, ...AWARD_IDS].join("\n")).digest("hex");

const ADMIN_BODIES: Record<string, () => Record<string, unknown>> = {
  "PUT /admin/api/entries/:id/score": () => ({ criteria: { requirements: 3, innovation: 4, breadth: 2 }, comment: "fuzz" }),
  "POST /admin/api/entries/:id/shipped": () => ({ tracking_url: "https://example.com/track" }),
  "PUT /admin/api/pool": () => ({ total: 300 }),
  "POST /admin/api/reindex": () => ({}),
  "PUT /admin/api/entries/:id/flag": () => ({ note: "fuzz" }),
  "POST /admin/api/entries/:id/disqualify": () => ({ reason: "fuzz" }),
  "POST /admin/api/entries/:id/reinstate": () => ({ reason: "fuzz" }),
  "POST /admin/api/entries/:id/ban": () => ({ reason: "fuzz" }),
  "POST /admin/api/bans": () => ({ kind: "domain", value: "fuzz.example", reason: "fuzz" }),
  "POST /admin/api/entries/:id/skip": () => ({ reason: "fuzz" }),
  "POST /admin/api/conflicts": () => ({ kind: "domain", value: "fuzz.example" }),
  "POST /admin/api/entries/:id/notes": () => ({ body: "fuzz" }),
  "POST /admin/api/awards": () => ({ batch: AWARD_BATCH, ids: AWARD_IDS, token: AWARD_TOKEN }),
  "DELETE /admin/api/entries/:id/award": () => ({ reason: "Fuzzed", notify: false }),
  "PUT /admin/api/content": () => ({ base: 0, intro: "Fuzzed **intro**", contact: "team@example.com" }),
  "POST /admin/api/content/preview": () => ({ intro: "# Fuzz", faq: "[x](https://example.com)" }),
  "POST /admin/api/announcements": () => ({ subject: "Fuzz", body: "Fuzzed body", segment: "waitlist" }),
  "PUT /admin/api/announcements/:id": () => ({ subject: "Fuzz", body: "Fuzzed body", segment: "waitlist" }),
  "POST /admin/api/announcements/:id/test": () => ({ to: "fuzz-organiser@example.com" }),
};

const ROUTES: Route[] = [
  ...PUBLIC_ROUTES,
  ...ADMIN_ROUTES.map(({ method, path }) => ({ method, path, body: ADMIN_BODIES[`${method} ${path}`] })),
  { method: "GET", path: "/nowhere/:id" },
];

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

const fuzzCase = fc.record({
  route: fc.constantFrom(...ROUTES),
  method: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
  credential,
  cookie,
  param: fc.boolean().chain((fixtureIds) => pathParam(fixtureIds).map((value) => ({ fixtureIds, value }))),
  query,
  headers,
  encoding,
  contentType,
  overrides,
  raw: fc.string({ unit: "binary", maxLength: 200 }),
});

type FuzzCase = typeof fuzzCase extends fc.Arbitrary<infer T> ? T : never;

// ---- turning a case into a request ----

function credentialHeaders(kind: Credential, path: string, junkCookie: string): Record<string, string> {
  switch (kind) {
    case "none":
      return {};
    case "wrong-bearer":
      return { authorization: "Bearer not-a-token" };
    case "judge-bearer":
      return { authorization: `Bearer ${JUDGE}` };
    case "organiser-bearer":
      return { authorization: `Bearer ${ORGANISER}` };
    case "judge-session":
      return { cookie: path === "/admin/logout" ? fixtures.logoutCookie : fixtures.judgeCookie };
    case "junk-cookie":
      return { cookie: junkCookie };
    case "access-junk":
      return { "cf-access-jwt-assertion": "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFkYUBleGFtcGxlLmNvbSJ9." };
  }
}

function fillPath(path: string, { fixtureIds, value }: FuzzCase["param"], organiser: boolean): string {
  // An organiser may erase or award a fixture: the fuzzer keeps organisers to made-up ids.
  const named = new Map([["submitter", fixtures.submitterId], ["winner", fixtures.winnerId]]);
  const param = !named.has(value) ? value : fixtureIds && !organiser ? named.get(value)! : "0".repeat(64);
  return path.replace(/:[a-z]+/g, () => param);
}

function fillQuery(route: Route, query: FuzzCase["query"]): string {
  if (typeof query === "string") return query ? `?${query}` : "";
  const named = new Map([["fixture-code", fixtures.submitterCode], ["fixture-shipping", fixtures.shippingCode]]);
  const params = new URLSearchParams(route.query?.());
  for (const [key, value] of Object.entries(query)) params.set(key, named.get(value) ?? value);
  const encoded = params.toString();
  return encoded ? `?${encoded}` : "";
}

function body(kind: Encoding, fields: Record<string, unknown>, raw: string): BodyInit | undefined {
  switch (kind) {
    case "json":
      return JSON.stringify(fields);
    case "form":
    case "multipart": {
      const form = kind === "form" ? new URLSearchParams() : new FormData();
      for (const [name, value] of Object.entries(fields)) {
        for (const item of Array.isArray(value) ? value : [value]) form.append(name, typeof item === "string" ? item : JSON.stringify(item) ?? "");
      }
      return form;
    }
    case "raw":
      return raw;
    case "none":
      return undefined;
  }
}

function requestFor(fuzz: FuzzCase): Request {
  const method = fuzz.method ?? fuzz.route.method;
  const organiser = fuzz.credential === "organiser-bearer";
  const url = `${ORIGIN}${fillPath(fuzz.route.path, fuzz.param, organiser)}${fillQuery(fuzz.route, fuzz.query)}`;
  const fields: Record<string, unknown> = { ...fuzz.route.body?.() };
  const own = Object.keys(fields);
  for (const { own: ownField, index, name, value } of fuzz.overrides) {
    Object.defineProperty(fields, ownField && own.length ? own[index % own.length]! : name, { value, enumerable: true, configurable: true, writable: true });
  }
  const sendsBody = method !== "GET" && method !== "HEAD";
  const init: RequestInit = { method, headers: { ...fuzz.headers, ...credentialHeaders(fuzz.credential, fuzz.route.path, fuzz.cookie) }, redirect: "manual" };
  if (sendsBody) init.body = body(fuzz.encoding, fields, fuzz.raw);
  const request = new Request(url, init);
  // Form bodies carry their own type (multipart's names its boundary); JSON's is set here.
  if (sendsBody && fuzz.encoding === "json") request.headers.set("content-type", "application/json");
  if (sendsBody && fuzz.contentType !== null) request.headers.set("content-type", fuzz.contentType);
  return request;
}

async function call(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, fuzzEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

// ---- the property ----

describe("every route, fuzzed", () => {
  /** The stored state after the last refused request, which the next case starts from. */
  let unchanged: string | null = null;

  it(`answers ${RUNS} hostile requests below 500, escapes every echo, and changes nothing stored when it refuses (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (fuzz) => {
        const request = requestFor(fuzz);
        const label = `${request.method} ${request.url}`;
        const before = unchanged ?? (await storedState());
        unchanged = null;
        const byEmail = BY_EMAIL.has(new URL(request.url).pathname);
        const registrantsBefore = byEmail ? await registrantCount() : 0;
        const response = await call(request);
        response.webSocket?.accept();
        response.webSocket?.close(1000, "fuzzed");
        const text = await response.text();

        expect(response.status, label).toBeLessThan(500);
        const type = response.headers.get("content-type") ?? "";
        if (type.startsWith("text/html")) {
          expect(await injections(text), label).toEqual([]);
          if (request.method !== "HEAD") expect(text.trimEnd().endsWith("</html>"), `${label}: a whole page`).toBe(true);
        }
        if (type.startsWith("application/json") && request.method !== "HEAD") expect(() => JSON.parse(text), label).not.toThrow();
        // A refused request changes nothing, and HEAD never does, whatever it answers.
        if (response.status >= 400 || request.method === "HEAD") {
          expect(await storedState(), `${label} answered ${response.status}`).toBe(before);
          if (byEmail) expect(await registrantCount(), `${label} created a registrant`).toBe(registrantsBefore);
          // Nothing that lands later shows in storedState(), so it holds for the next case too.
          unchanged = before;
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);
});
