/**
 * 11. Even timing: does an answer's time tell whether an address is registered? 200
 * requests, one at a time, alternating a registered address with an unregistered one, for
 * POST /signup (a repeat against a new signup) and POST /link (a known address against an
 * unknown one). The goal (issue 12): the two medians within 2 ms of each other.
 */
import { check, FORM, log, percentiles, round, signupBody, startWorker } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";

const REQUESTS = Number(process.env.BENCH_EVEN_TIMING ?? 200);
const WARM_UP = 20;
const GOAL_MS = 2;

/** One request's time from writing it to the end of its answer, in ms. */
async function timed(url, path, body, expected) {
  const started = performance.now();
  const response = await fetch(`${url}${path}`, { method: "POST", headers: { accept: "application/json", "content-type": FORM }, body });
  await response.arrayBuffer();
  const ms = performance.now() - started;
  check(response.status === expected, `POST ${path} answered ${response.status}, not ${expected}`);
  return ms;
}

/**
 * `count` requests in alternation, registered first; each side's latencies. Warm-up
 * requests go first and are not counted.
 */
async function alternate({ url, path, registered, unregistered, count }) {
  const sides = { registered: [], unregistered: [] };
  for (let i = 0; i < WARM_UP + count; i++) {
    const side = i % 2 === 0 ? "registered" : "unregistered";
    const body = side === "registered" ? registered(i) : unregistered(i);
    const ms = await timed(url, path, body, 202);
    if (i >= WARM_UP) sides[side].push(ms);
  }
  const summary = (values) => ({ n: values.length, ...percentiles(values, [10, 50, 90]) });
  const ours = { registered: summary(sides.registered), unregistered: summary(sides.unregistered) };
  return { ...ours, gap: Math.abs(ours.registered.p50 - ours.unregistered.p50) };
}

/** The two alternations against one running Swagbox, as the report shows them. */
async function measure(swagbox) {
  const run = Date.now().toString(36);
  const known = (i) => `known${run}n${i}@even.bench`;
  const half = Math.ceil((WARM_UP + REQUESTS) / 2);
  log(`registering ${half} addresses`);
  for (let i = 0; i < half; i++) await timed(swagbox.url, "/signup", signupBody(known(i)), 202);

  log(`${REQUESTS} alternating signups: a repeat, then a new address`);
  const signups = await alternate({
    url: swagbox.url,
    path: "/signup",
    registered: (i) => signupBody(known(i / 2)),
    unregistered: (i) => signupBody(`new${run}n${i}@even.bench`),
    count: REQUESTS,
  });
  log(`${REQUESTS} alternating requests for a new link: a registered address, then an unknown one`);
  const links = await alternate({
    url: swagbox.url,
    path: "/link",
    registered: (i) => new URLSearchParams({ email: known(i / 2) }).toString(),
    unregistered: (i) => new URLSearchParams({ email: `nobody${run}n${i}@even.bench` }).toString(),
    count: REQUESTS,
  });
  log(`median gap: signup ${round(signups.gap, 1)} ms, link ${round(links.gap, 1)} ms`);

  const ms = (value) => round(value, 1);
  const row = (route, side, s) => [route, side, s.n, ms(s.p10), ms(s.p50), ms(s.p90)];
  const within = (result) => result.gap <= GOAL_MS;
  return {
    summary: [
      ["11", `signup: median gap, repeat vs new address, ms (${REQUESTS} alternating)`, ms(signups.gap), "–", "–", "–", `≤ ${GOAL_MS}`, within(signups) ? "yes" : "no"],
      ["11", `new link: median gap, known vs unknown address, ms (${REQUESTS} alternating)`, ms(links.gap), "–", "–", "–", `≤ ${GOAL_MS}`, within(links) ? "yes" : "no"],
    ],
    tables: [
      {
        caption: `${REQUESTS} requests one at a time (after ${WARM_UP} to warm up), alternating the two kinds of address; latency in ms from writing the request to the end of its answer.`,
        columns: ["route", "address", "requests", "p10 ms", "p50 ms", "p90 ms"],
        rows: [
          row("POST /signup", "already registered (repeat)", signups.registered),
          row("POST /signup", "new", signups.unregistered),
          row("POST /link", "registered", links.registered),
          row("POST /link", "unknown", links.unregistered),
        ],
      },
    ],
    checks: [
      { what: `signup: the medians of repeat and new signups within ${GOAL_MS} ms`, ok: within(signups), detail: `${ms(signups.registered.p50)} vs ${ms(signups.unregistered.p50)} ms` },
      { what: `new link: the medians for a known and an unknown address within ${GOAL_MS} ms`, ok: within(links), detail: `${ms(links.registered.p50)} vs ${ms(links.unregistered.p50)} ms` },
    ],
    notes: [
      "The fast way (a repeat signup, a link for a known address) waits until the slow way's usual time, learned in the isolate from its last 31 slow answers of the last minute (src/http/even-timing.ts); the slow way itself is never slowed.",
    ],
    data: { signups, links },
  };
}

const scenario = {
  id: "11-even-timing",
  title: "11. Even timing",
  uses: [],
  async run({ build, stub }) {
    // A Swagbox of its own, so that no other scenario's load shares the isolate's timings.
    const swagbox = await startWorker({ worker: "swagbox", stub, buildDir: build.outdir });
    try {
      return await measure(swagbox);
    } finally {
      await swagbox.stop();
    }
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
