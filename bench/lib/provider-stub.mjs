/**
 * A stand-in for the email provider (Resend's POST /emails and /emails/batch), run as its
 * own process.
 * Both Workers reach it instead of https://api.resend.com: the runtime sends every
 * outbound fetch here (Miniflare's outboundService). It answers after a delay the
 * harness sets, and remembers what it received, so a scenario can count emails.
 *
 *   POST /emails                      one email (the seed's design): waits, answers 200 {id}
 *   POST /emails/batch                emails in a JSON array (Swagbox): waits, answers 200 {data}
 *   GET  /__stub/state                {delayMs, posts, distinctKeys, recipients}; posts counts
 *                                     emails received, each email of a batch as one
 *   GET  /__stub/emails?to=…          emails received for one address
 *   GET  /__stub/count?to=…           {posts, distinctKeys} for one address
 *   GET  /__stub/recipients?suffix=…  {recipients, fewest, most, histogram}: addresses ending
 *                                     in suffix, and how many distinct emails each got
 *   POST /__stub/delay?ms=…           sets the delay
 *   GET  /<host>/<path>                Swagbox's link checks, with LINK_CHECK_STUB (link-answers.mjs)
 *
 * Usage: node bench/lib/provider-stub.mjs <port>   (prints "ready <port>" once listening)
 */
import { createServer } from "node:http";
import { linkCheckAnswer } from "./link-answers.mjs";

let delayMs = 0;
let posts = 0;
/** recipient -> list of { key, subject, text } (one per POST, repeats included) */
const byRecipient = new Map();
const keys = new Set();

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function received(to) {
  const list = byRecipient.get(to) ?? [];
  return { posts: list.length, distinctKeys: new Set(list.map((e) => e.key)).size };
}

/**
 * For every recipient ending in `suffix`: how many there are, the fewest and most distinct
 * emails one got, and how many recipients got each number of distinct emails.
 */
function recipients(suffix) {
  let count = 0;
  let fewest = Infinity;
  let most = 0;
  const histogram = {};
  for (const to of byRecipient.keys()) {
    if (!to.endsWith(suffix)) continue;
    const { distinctKeys } = received(to);
    count++;
    fewest = Math.min(fewest, distinctKeys);
    most = Math.max(most, distinctKeys);
    histogram[distinctKeys] = (histogram[distinctKeys] ?? 0) + 1;
  }
  return { recipients: count, fewest: count ? fewest : 0, most, histogram };
}

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://stub");
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const batch = url.pathname === "/emails/batch";
    if (req.method === "POST" && (batch || url.pathname === "/emails")) {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reply(res, 422, { statusCode: 422, name: "validation_error", message: "body is not JSON" });
      }
      const requestKey = req.headers["idempotency-key"] ?? `none-${posts}`;
      // A batch's emails share the request's key, so each is told apart by its place in it:
      // a batch sent again under the same key counts as the same emails, as Resend would.
      const emails = batch ? body.map((email, i) => ({ email, key: `${requestKey}/${i}` })) : [{ email: body, key: requestKey }];
      for (const { email, key } of emails) {
        posts++;
        keys.add(key);
        for (const to of [email.to].flat()) {
          if (!byRecipient.has(to)) byRecipient.set(to, []);
          byRecipient.get(to).push({ key, subject: email.subject, text: email.text });
        }
      }
      const ids = emails.map((_, i) => ({ id: `stub-${posts - emails.length + i + 1}` }));
      const answer = () => reply(res, 200, batch ? { data: ids } : ids[0]);
      return delayMs > 0 ? setTimeout(answer, delayMs) : answer();
    }
    if (url.pathname === "/__stub/state") {
      return reply(res, 200, { delayMs, posts, distinctKeys: keys.size, recipients: byRecipient.size });
    }
    if (url.pathname === "/__stub/count") return reply(res, 200, received(url.searchParams.get("to")));
    if (url.pathname === "/__stub/recipients") return reply(res, 200, recipients(url.searchParams.get("suffix") ?? ""));
    if (url.pathname === "/__stub/emails") return reply(res, 200, byRecipient.get(url.searchParams.get("to")) ?? []);
    if (req.method === "POST" && url.pathname === "/__stub/delay") {
      delayMs = Number(url.searchParams.get("ms") ?? 0);
      return reply(res, 200, { delayMs });
    }
    const link = linkCheckAnswer(req.method, url);
    if (link) return res.writeHead(link.status, { "content-type": link.type }).end(link.body);
    reply(res, 404, { statusCode: 404, name: "not_found", message: `no route ${req.method} ${url.pathname}` });
  });
});

server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(`ready ${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
