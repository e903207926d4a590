/**
 * A stand-in for the email provider (Resend's POST /emails and /emails/batch), run as its
 * own process. Both Workers reach it instead of https://api.resend.com: the runtime sends
 * every outbound fetch here (Miniflare's outboundService). It keeps Resend's idempotency
 * rules, fails the way real providers fail when told to, and counts what it delivered, so a
 * scenario can check that every email went out exactly once.
 *
 *   POST /emails                      one email (the seed's design)
 *   POST /emails/batch                emails in a JSON array (Swagbox); {data: [{id}…]}, and
 *                                     with permissive validation {errors: [{index, message}]}
 *                                     for the emails it refuses
 *   GET  /__stub/state                {delayMs, mode, posts, distinctKeys, recipients, requests}:
 *                                     posts counts emails delivered, requests counts requests
 *                                     by what they were answered
 *   GET  /__stub/emails?to=…          emails delivered to one address
 *   GET  /__stub/count?to=…           {posts, distinctKeys} for one address
 *   GET  /__stub/recipients?suffix=…  {recipients, fewest, most, histogram}: addresses ending
 *                                     in suffix, and how many emails each got
 *   GET  /__stub/delivered?suffix=…   [{to, subject, count}]: emails delivered per address
 *                                     and subject, for addresses ending in suffix
 *   POST /__stub/delay?ms=…           sets the delay of every answer
 *   POST /__stub/mode                 sets a failure mode (JSON, below) until forMs has passed
 *
 * Idempotency, as Resend documents it: a request with an Idempotency-Key that was already
 * answered 200 gets that first answer again and sends nothing (same key and same body); the
 * same key with another body is refused with 409 invalid_idempotent_request; the same key
 * while its first request is still being handled with 409 concurrent_idempotent_requests.
 * Requests that failed (500, 429, no answer) leave no record, so they may be made again.
 *
 * Modes ({kind, forMs?, …}; after forMs the stub is back to "ok"):
 *   ok                                answers as it should
 *   fail {share}                      that share of requests fail with 500, nothing sent
 *                                     (a deterministic draw)
 *   throttle {retryAfterS}            429 rate_limit_exceeded with Retry-After, nothing sent
 *   hang-deliver {hangMs}             sends the emails, then answers only after hangMs (past
 *                                     the client's timeout); a replay meanwhile is concurrent
 *   hang-drop {hangMs}                sends nothing and closes the connection after hangMs
 *   slow {delayMs}                    every answer takes delayMs
 * Any mode may carry {refuse: "<regex>"}: emails whose address matches are refused in the
 * batch's answer (permissive validation), as a suppressed or invalid address would be.
 *   GET  /<host>/<path>                Swagbox's link checks, with LINK_CHECK_STUB (link-answers.mjs)
 *
 * Usage: node bench/lib/provider-stub.mjs <port>   (prints "ready <port>" once listening)
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { linkCheckAnswer } from "./link-answers.mjs";

let delayMs = 0;
let mode = { kind: "ok" };
let modeUntil = Infinity;
/** recipient -> every email delivered to it ({key, subject, text}); a resent copy counts again */
const byRecipient = new Map();
const deliveredKeys = new Set();
let posts = 0;
/** Idempotency-Key -> {digest, answer} once answered 200, or {digest, inFlight: true} meanwhile */
const idempotency = new Map();
/** Requests by what became of them: "200", "409 concurrent", "429", "500", "hung", … */
const requests = {};
let draws = 1;

/** A small deterministic generator (LCG), so that a run's failures are the same every time. */
function draw() {
  draws = (draws * 1_103_515_245 + 12_345) % 2 ** 31;
  return draws / 2 ** 31;
}

function currentMode() {
  if (Date.now() >= modeUntil) {
    mode = { kind: "ok" };
    modeUntil = Infinity;
  }
  return mode;
}

function count(outcome) {
  requests[outcome] = (requests[outcome] ?? 0) + 1;
}

function reply(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

const resendError = (status, name, message) => ({ statusCode: status, name, message });
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Delivers `emails` (each with its key), except those refused; returns the answer Resend gives. */
function deliver(emails, batch, refuse) {
  const errors = [];
  const ids = [];
  emails.forEach(({ email, key }, index) => {
    const to = [email.to].flat();
    if (refuse && to.some((address) => refuse.test(address))) {
      errors.push({ index, message: "The recipient is on the suppression list." });
      return;
    }
    posts++;
    deliveredKeys.add(key);
    for (const address of to) {
      if (!byRecipient.has(address)) byRecipient.set(address, []);
      byRecipient.get(address).push({ key, subject: email.subject, text: email.text });
    }
    ids.push({ id: `stub-${posts}` });
  });
  if (!batch) return ids[0] ?? { id: null };
  return errors.length ? { data: ids, errors } : { data: ids };
}

async function handleSend(req, res, raw, batch) {
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    count("422");
    return reply(res, 422, resendError(422, "validation_error", "body is not JSON"));
  }
  const active = currentMode();
  const key = req.headers["idempotency-key"];
  const digest = createHash("sha256").update(raw).digest("hex");
  if (key !== undefined) {
    const known = idempotency.get(key);
    if (known && known.digest !== digest) {
      count("409 invalid");
      return reply(res, 409, resendError(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload."));
    }
    if (known?.inFlight) {
      count("409 concurrent");
      return reply(res, 409, resendError(409, "concurrent_idempotent_requests", "Same idempotency key used while original request is still in progress."));
    }
    if (known) {
      count("200 replayed");
      if (delayMs > 0) await wait(delayMs);
      return reply(res, 200, known.answer);
    }
  }
  const pause = active.kind === "slow" ? active.delayMs : delayMs;
  if (active.kind === "throttle") {
    count("429");
    return reply(res, 429, resendError(429, "rate_limit_exceeded", "Too many requests."), { "retry-after": String(active.retryAfterS) });
  }
  if (active.kind === "fail" && draw() < active.share) {
    count("500");
    return reply(res, 500, resendError(500, "internal_server_error", "An unexpected error occurred."));
  }
  // From here the request is being handled: a replay of its key waits for its answer.
  const claimed = key !== undefined;
  if (claimed) idempotency.set(key, { digest, inFlight: true });
  const forget = () => claimed && idempotency.delete(key);
  if (active.kind === "hang-drop") {
    count("hung, dropped");
    await wait(active.hangMs);
    forget();
    return res.destroy();
  }
  const requestKey = key ?? `none-${posts}`;
  // A batch's emails share the request's key, so each is told apart by its place in it.
  const emails = batch ? body.map((email, i) => ({ email, key: `${requestKey}/${i}` })) : [{ email: body, key: requestKey }];
  const answer = deliver(emails, batch, active.refuse ? new RegExp(active.refuse) : null);
  if (active.kind === "hang-deliver") {
    count("sent, answered late");
    await wait(active.hangMs);
  } else {
    count("200");
    if (pause > 0) await wait(pause);
  }
  if (claimed) idempotency.set(key, { digest, answer });
  reply(res, 200, answer);
}

function received(to) {
  const list = byRecipient.get(to) ?? [];
  return { posts: list.length, distinctKeys: new Set(list.map((e) => e.key)).size };
}

/**
 * For every recipient ending in `suffix`: how many there are, the fewest and most emails one
 * got, and how many recipients got each number of emails.
 */
function recipients(suffix) {
  let total = 0;
  let fewest = Infinity;
  let most = 0;
  const histogram = {};
  for (const [to, list] of byRecipient) {
    if (!to.endsWith(suffix)) continue;
    total++;
    fewest = Math.min(fewest, list.length);
    most = Math.max(most, list.length);
    histogram[list.length] = (histogram[list.length] ?? 0) + 1;
  }
  return { recipients: total, fewest: total ? fewest : 0, most, histogram };
}

/** Emails delivered per address and subject, for addresses ending in `suffix`. */
function delivered(suffix) {
  const rows = [];
  for (const [to, list] of byRecipient) {
    if (!to.endsWith(suffix)) continue;
    const bySubject = new Map();
    for (const email of list) bySubject.set(email.subject, (bySubject.get(email.subject) ?? 0) + 1);
    for (const [subject, n] of bySubject) rows.push({ to, subject, count: n });
  }
  return rows;
}

function setMode(next) {
  const kinds = ["ok", "fail", "throttle", "hang-deliver", "hang-drop", "slow"];
  if (!kinds.includes(next?.kind)) throw new Error(`mode.kind is one of ${kinds.join(", ")}`);
  if (next.refuse !== undefined) new RegExp(next.refuse);
  mode = next;
  modeUntil = next.forMs === undefined ? Infinity : Date.now() + next.forMs;
}

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://stub");
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const raw = Buffer.concat(chunks).toString("utf8");
    const batch = url.pathname === "/emails/batch";
    if (req.method === "POST" && (batch || url.pathname === "/emails")) {
      handleSend(req, res, raw, batch).catch((error) => reply(res, 500, resendError(500, "stub_error", String(error))));
      return;
    }
    if (url.pathname === "/__stub/state") {
      return reply(res, 200, { delayMs, mode: currentMode(), posts, distinctKeys: deliveredKeys.size, recipients: byRecipient.size, requests });
    }
    if (url.pathname === "/__stub/count") return reply(res, 200, received(url.searchParams.get("to")));
    if (url.pathname === "/__stub/recipients") return reply(res, 200, recipients(url.searchParams.get("suffix") ?? ""));
    if (url.pathname === "/__stub/delivered") return reply(res, 200, delivered(url.searchParams.get("suffix") ?? ""));
    if (url.pathname === "/__stub/emails") return reply(res, 200, byRecipient.get(url.searchParams.get("to")) ?? []);
    if (req.method === "POST" && url.pathname === "/__stub/delay") {
      delayMs = Number(url.searchParams.get("ms") ?? 0);
      return reply(res, 200, { delayMs });
    }
    if (req.method === "POST" && url.pathname === "/__stub/mode") {
      try {
        setMode(JSON.parse(raw));
      } catch (error) {
        return reply(res, 400, { message: String(error.message ?? error) });
      }
      return reply(res, 200, { mode });
    }
    const link = linkCheckAnswer(req.method, url);
    if (link) return res.writeHead(link.status, { "content-type": link.type }).end(link.body);
    reply(res, 404, resendError(404, "not_found", `no route ${req.method} ${url.pathname}`));
  });
});

server.keepAliveTimeout = 60_000;
// Hung requests are held on purpose; the stub must not cut them short itself.
server.requestTimeout = 0;
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(`ready ${server.address().port}`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
