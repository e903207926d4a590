/**
 * 5. Live fan-out: 1,000, then 5,000, then 10,000 WebSocket clients on /live (held by
 * client pools in their own processes), on a Swagbox of its own so that the runtime's
 * file descriptors go to the sockets. For each size, one award changes the count; the
 * figure is the time from sending the award to each client receiving the new count. Then,
 * with the largest crowd connected, 50 awards in quick succession: how fast they go, and
 * that every client ends on the final count.
 * The sockets are held as wrangler.toml deploys them: by the LIVE_RELAYS relay objects,
 * which the counter pushes each change to. Also: how fast the polling fallback
 * (/api/prizes) is served, for clients past the caps.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ceiling, check, checkStatuses, exactRemaining, load, log, now, ORGANISER, percentiles, round, runtimeDescriptors, sleep, startWorker, until } from "../lib/harness.mjs";
import { createEntrants } from "../lib/entrants.mjs";
import { ROOT } from "../lib/paths.mjs";
import { standalone } from "../lib/scenario.mjs";
import { linePlot } from "../lib/svg.mjs";

const SIZES = (process.env.BENCH_FANOUT ?? "1000,5000,10000").split(",").map(Number);
const POOLS = 2;
const GOAL_MS = 1000;
const STORM = 50;

function openFileLimit() {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
  return Number(line.split(/\s+/)[3]);
}

/** The `index`th client pool process and a way to await its next message of a given type. */
function startPool(_, index) {
  const child = fork(join(ROOT, "bench", "lib", "ws-pool.mjs"), [String(index)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waiting = new Map();
  child.on("message", (message) => {
    const resolve = waiting.get(message.type);
    waiting.delete(message.type);
    resolve?.(message);
  });
  return {
    child,
    ask(message, answer) {
      const reply = new Promise((resolve) => waiting.set(answer, resolve));
      child.send(message);
      return reply;
    },
    next: (type) => new Promise((resolve) => waiting.set(type, resolve)),
  };
}

async function organiser(swagbox, method, id) {
  const response = await fetch(`${swagbox.url}/admin/api/entries/${id}/award`, { method, headers: ORGANISER });
  const body = await response.json();
  return { status: response.status, body };
}

/** Every pool expects `value`; resolves with all arrival times once every client has it. */
async function expectEverywhere(pools, value) {
  await Promise.all(pools.map((p) => p.ask({ type: "expect", remaining: value }, "expecting")));
  return pools.map((p) => p.next("arrivals"));
}

/** Connects the clients size by size, and times one award at each size. */
async function fanout(swagbox, stub) {
  // workerd holds two descriptors per WebSocket; the clients one each, split over the pools.
  const runtime = runtimeDescriptors(swagbox.pid);
  check(runtime, "could not find the runtime's process");
  const fits = Math.floor((runtime.limit - runtime.open - 200) / 2 / 100) * 100;
  const clientFits = Math.floor((openFileLimit() - 200) * POOLS / 100) * 100;
  const sizes = [...new Set(SIZES.map((n) => Math.min(n, fits, clientFits)))];
  const notes = [];
  if (sizes.at(-1) < Math.max(...SIZES)) {
    notes.push(
      `The largest size is ${sizes.at(-1).toLocaleString("en")}, not ${Math.max(...SIZES).toLocaleString("en")}: the runtime may open ${runtime.limit} files ` +
        `(the hard limit here, which this container cannot raise), had ${runtime.open} open, and workerd uses two per WebSocket.`,
    );
  }
  // One entrant for the timed single award, and STORM more for the storm while everyone watches.
  const [id, ...others] = await createEntrants(swagbox, stub, 1 + STORM, `fanout${Date.now().toString(36)}`);
  const url = `${swagbox.url.replace(/^http/, "ws")}/live`;

  const pools = Array.from({ length: POOLS }, startPool);
  const levels = [];
  let watched;
  try {
    let open = 0;
    for (const size of sizes) {
      const started = now();
      const replies = await Promise.all(
        pools.map((p) => p.ask({ type: "connect", url, count: Math.ceil((size - open) / POOLS), concurrency: 25 }, "connected")),
      );
      const failed = replies.reduce((a, r) => a + r.failed, 0);
      const retried = replies.reduce((a, r) => a + r.retried, 0);
      check(failed === 0, `${failed} WebSockets failed to open after retries: ${JSON.stringify(replies.map((r) => r.reasons))}`);
      if (retried) notes.push(`At ${size} clients, ${retried} handshakes failed once and opened on a retry (${JSON.stringify(replies.map((r) => r.reasons))}).`);
      open = replies.reduce((a, r) => a + r.open, 0);
      const connectSeconds = (now() - started) / 1000;
      log(`${open} clients on /live (${round((size - (levels.at(-1)?.clients ?? 0)) / connectSeconds)} connections/s)`);

      // Free a slot if the entrant holds one, and let that count reach every client first
      // (only a message with the award's new count is timed below).
      const revoked = await organiser(swagbox, "DELETE", id);
      check(revoked.status === 200 || revoked.status === 409, `revoke answered ${revoked.status}`);
      await sleep(2_000);
      const left = await exactRemaining(swagbox.url);

      const arrivals = await expectEverywhere(pools, left - 1);
      const sent = now();
      const awarded = await organiser(swagbox, "POST", id);
      const answered = now();
      check(awarded.status === 201 && awarded.body.remaining === left - 1, `award answered ${awarded.status} ${JSON.stringify(awarded.body)}`);
      const results = await Promise.all(arrivals);
      const missing = results.reduce((a, r) => a + r.missing, 0);
      const delays = results.flatMap((r) => r.times.map((t) => t - sent));
      check(missing === 0, `${missing} of ${open} clients never got the new count`);
      check(delays.length === open, `${delays.length} arrivals for ${open} clients`);
      const p = percentiles(delays, [50, 99]);
      log(`${open} clients: p50 ${round(p.p50)} ms, p99 ${round(p.p99)} ms, max ${round(p.max)} ms (award answered in ${round(answered - sent)} ms)`);
      levels.push({ clients: open, connectSeconds, awardMs: answered - sent, ...p });
    }

    // Awards in quick succession while the largest crowd watches: every change reaches every
    // socket, which on this one-thread runtime takes time that grows with the crowd.
    const left = await exactRemaining(swagbox.url);
    const arrivals = await expectEverywhere(pools, left - STORM);
    const sent = now();
    const awards = await load({
      url: swagbox.url, method: "POST", headers: ORGANISER, connections: 10, amount: STORM,
      request: (i) => ({ path: `/admin/api/entries/${others[i]}/award` }),
    });
    checkStatuses("awards while clients watch", awards.statuses, [201]);
    const results = await Promise.all(arrivals);
    const missing = results.reduce((a, r) => a + r.missing, 0);
    check(missing === 0, `${missing} clients never got the count after the award storm`);
    // Every client must end on the final count; how many messages it took is reported (the
    // counter may send one per change, or fold a burst of changes into fewer pushes).
    const fewest = Math.min(...results.map((r) => r.fewestMessages));
    const most = Math.max(...results.map((r) => r.mostMessages));
    check(fewest >= 1 && most <= STORM, `clients got ${fewest} to ${most} messages for ${STORM} awards`);
    const lastArrival = Math.max(...results.flatMap((r) => r.times)) - sent;
    watched = { clients: open, awards: STORM, awardsPerSecond: awards.throughput, p50: awards.p50, p99: awards.p99, allUpdatedMs: lastArrival, fewest, most };
    log(`${STORM} awards with ${open} clients watching: ${round(awards.throughput)} awards/s, every client had the final count after ${round(lastArrival)} ms (${fewest}–${most} messages each)`);
  } finally {
    await Promise.all(pools.map((p) => new Promise((resolve) => {
      p.child.once("exit", resolve);
      p.child.send({ type: "close" });
    })));
  }
  // The closes keep the object busy for a moment; measure the polling path after that.
  await until("the runtime to let go of the sockets", () => runtimeDescriptors(swagbox.pid).open < runtime.open + 100, 60_000);
  await sleep(1_000);

  const empty = await ceiling(swagbox.url, { connections: 50, duration: 4 });
  const polls = await load({ url: swagbox.url, path: "/api/prizes", connections: 50, duration: 4 });
  const at = (n) => levels.find((l) => l.clients === n);
  const largest = levels.at(-1);
  return {
    summary: [
      ...levels.map((l) => [
        "5", `fan-out p99 to ${l.clients.toLocaleString("en")} clients (ms)`, round(l.p99), "–", "–", "–",
        l === largest ? `< ${GOAL_MS} ms at 10,000` : "–", l === largest ? (l.p99 < GOAL_MS ? (l.clients >= 10_000 ? "yes" : `yes at ${l.clients.toLocaleString("en")}`) : "no") : "–",
      ]),
      ["5", `award requests/s with ${watched.clients.toLocaleString("en")} clients watching (${STORM} awards, concurrency 10)`, round(watched.awardsPerSecond), "–", "–", "–", "–", "–"],
      ["5", "polling fallback GET /api/prizes req/s (concurrency 50)", round(polls.throughput), round(empty.throughput), round(polls.throughput / empty.throughput, 2), "–", "–", "–"],
    ],
    tables: [
      {
        caption: "Time from sending one award to each client holding the new count (ms), clients spread over two client processes.",
        columns: ["clients", "p50 ms", "p99 ms", "max ms", "award request ms", "connect rate /s"],
        rows: levels.map((l, i) => [
          l.clients.toLocaleString("en"), round(l.p50), round(l.p99), round(l.max), round(l.awardMs),
          round((l.clients - (levels[i - 1]?.clients ?? 0)) / l.connectSeconds),
        ]),
      },
    ],
    checks: [
      { what: "every WebSocket opened (none refused by the socket cap)", ok: true, detail: `${largest?.clients} open at the end` },
      { what: "every client received the new count after each award", ok: true, detail: levels.map((l) => l.clients).join(", ") },
      { what: `after ${STORM} awards in a row, every client holds the final count`, ok: true, detail: `${watched.clients} clients, ${watched.fewest}–${watched.most} messages each` },
    ],
    notes: [
      ...notes,
      `${STORM} awards (concurrency 10) with ${watched.clients.toLocaleString("en")} clients connected ran at ${round(watched.awardsPerSecond)} awards/s (p50 ${watched.p50} ms, p99 ${watched.p99} ms); ` +
        `every client held the final count ${round(watched.allUpdatedMs)} ms after the first award was sent, having received ${watched.fewest}–${watched.most} messages for the ${STORM} changes.`,
      `The polling fallback answered ${round(polls.throughput)} req/s (p99 ${polls.p99} ms) against ${round(empty.throughput)} req/s for the empty route: polls are answered from the location's cache for 2 s (Cache API), so the PrizeCounter answered about one of them every 2 s.`,
    ],
    plots: [
      {
        file: "fanout-latency.svg",
        title: "Fan-out latency vs clients",
        svg: linePlot({
          title: "Live fan-out: award → every client has the new count",
          xLabel: "WebSocket clients on /live",
          yLabel: "milliseconds after the award was sent",
          series: [
            { name: "p50", points: levels.map((l) => [l.clients, round(l.p50)]), colour: "#f6821f" },
            { name: "p99", points: levels.map((l) => [l.clients, round(l.p99)]), colour: "#1f6feb" },
            { name: "max", points: levels.map((l) => [l.clients, round(l.max)]), dashed: true, colour: "#6e7781" },
          ],
          goal: { y: GOAL_MS, label: "goal: p99 < 1 s" },
        }),
      },
    ],
    data: { levels, watched, polls, empty, at10k: at(10_000) ?? null },
  };
}

const scenario = {
  id: "5-live-fanout",
  title: "5. Live fan-out",
  uses: [],
  async run({ build, stub }) {
    const swagbox = await startWorker({ worker: "swagbox", stub, buildDir: build.outdir });
    try {
      return await fanout(swagbox, stub);
    } finally {
      await swagbox.stop();
    }
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
