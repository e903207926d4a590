/**
 * A pool of WebSocket clients on /live, run as a child process (bench/scenarios/5-live-fanout.mjs
 * starts a few). Driven over IPC:
 *
 *   {type: "connect", url, count, concurrency} -> {type: "connected", open, failed, retried, reasons}
 *   {type: "expect", remaining}                -> {type: "expecting"}, later {type: "arrivals",
 *                                                 times, missing, fewestMessages, mostMessages}
 *   {type: "close"}                            -> closes every socket and exits
 *
 * "expect" notes, for every open socket, when it first receives a count equal to `remaining`
 * (wall-clock ms, comparable across processes), and counts the messages each socket got until
 * then; it answers when all have it, or after 30 s.
 *
 * A crowd comes from many networks, and Swagbox lets one address hold only
 * SOCKETS_PER_CLIENT sockets per object: each pool (its index the first argument) opens its
 * sockets from its own range of loopback addresses, PER_ADDRESS sockets from each.
 */
import WebSocket from "ws";

const PER_ADDRESS = 50;
const pool = Number(process.argv[2] ?? 0);
const now = () => performance.timeOrigin + performance.now();
const sockets = [];
let expected = null;
let opened = 0;

/** 127.<pool + 1>.x.y, a new address every PER_ADDRESS sockets. */
function nextLocalAddress() {
  const n = Math.floor(opened++ / PER_ADDRESS);
  return `127.${pool + 1}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

function openOne(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: nextLocalAddress() });
    const entry = { ws, arrival: null, messages: 0 };
    ws.on("message", (data) => {
      const at = now();
      if (expected === null || entry.arrival !== null) return;
      entry.messages++;
      if (JSON.parse(data.toString()).remaining === expected.remaining) {
        entry.arrival = at;
        if (++expected.count === expected.total) finish();
      }
    });
    ws.once("open", () => {
      sockets.push(entry);
      resolve(null);
    });
    ws.once("unexpected-response", (_request, response) => {
      response.resume();
      resolve(`HTTP ${response.statusCode}`);
    });
    ws.once("error", (error) => resolve(error.code ?? error.message));
  });
}

/**
 * Opens `count` sockets, `concurrency` handshakes at a time. A failed handshake is tried
 * again up to twice, after a pause, as the page's script reconnects; `reasons` counts every
 * failed attempt, `failed` the sockets that never opened.
 */
async function connect({ url, count, concurrency }) {
  let next = 0;
  let failed = 0;
  let retried = 0;
  const reasons = {};
  async function lane() {
    while (next < count) {
      next++;
      for (let attempt = 1; ; attempt++) {
        const reason = await openOne(url);
        if (!reason) break;
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        if (attempt === 3) {
          failed++;
          break;
        }
        retried++;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  process.send({ type: "connected", open: sockets.length, failed, retried, reasons });
}

function finish() {
  if (!expected) return;
  clearTimeout(expected.timer);
  const open = sockets.filter((s) => s.ws.readyState === WebSocket.OPEN || s.arrival !== null);
  const times = open.filter((s) => s.arrival !== null).map((s) => s.arrival);
  const messages = open.map((s) => s.messages);
  process.send({
    type: "arrivals",
    times,
    missing: open.length - times.length,
    fewestMessages: Math.min(...messages),
    mostMessages: Math.max(...messages),
  });
  expected = null;
}

process.on("message", async (message) => {
  if (message.type === "connect") await connect(message);
  if (message.type === "expect") {
    for (const s of sockets) {
      s.arrival = null;
      s.messages = 0;
    }
    const total = sockets.filter((s) => s.ws.readyState === WebSocket.OPEN).length;
    expected = { remaining: message.remaining, count: 0, total, timer: setTimeout(finish, 30_000) };
    process.send({ type: "expecting" });
    if (total === 0) finish();
  }
  if (message.type === "close") {
    for (const s of sockets) s.ws.terminate();
    process.exit(0);
  }
});
