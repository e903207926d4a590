/**
 * 4. Award storm: 5,000 award requests from concurrent organisers over 600 submitted
 * entrants, with a pool of 300. Each entrant is asked for several times (repeats are
 * idempotent and count as requests). Exactly 300 must be awarded: 300 answers 201, the
 * counter, the stats, the public log and the judges' index all say 300, and exactly 300
 * winners get a prize email.
 */
import { ceiling, check, checkStatuses, load, log, ORGANISER, round, until } from "../lib/harness.mjs";
import { createEntrants, indexStats } from "../lib/entrants.mjs";
import { standalone } from "../lib/scenario.mjs";

const ENTRANTS = Number(process.env.BENCH_ENTRANTS ?? 600);
const AWARDS = Number(process.env.BENCH_AWARDS ?? 5000);
const CONNECTIONS = 50;
const POOL = 300; // PRIZE_POOL in wrangler.toml; checked below against the counter
const GOAL = 200;

async function getJson(url, headers = ORGANISER) {
  const response = await fetch(url, { headers });
  check(response.ok, `GET ${url} answered ${response.status}`);
  return response.json();
}

/** Award events in the public, hash-chained log. */
async function loggedAwards(swagbox) {
  let awards = 0;
  let revokes = 0;
  let after = 0;
  for (;;) {
    const page = await getJson(`${swagbox.url}/api/prizes/log?after=${after}&limit=1000`, {});
    for (const event of page.events) {
      if (event.type === "award") awards++;
      if (event.type === "revoke") revokes++;
    }
    if (page.next === null) return awards - revokes;
    after = page.next;
  }
}

const scenario = {
  id: "4-award-storm",
  title: "4. Award storm",
  uses: ["swagbox"],
  async run({ swagbox, stub }) {
    const tag = `awards${Date.now().toString(36)}`;
    const before = await getJson(`${swagbox.url}/api/prizes`, {});
    check(before.total === POOL && before.remaining === POOL, `the pool should start at ${POOL}/${POOL}, it is ${before.remaining}/${before.total}`);

    log(`creating ${ENTRANTS} entrants with submissions`);
    const started = Date.now();
    const ids = await createEntrants(swagbox, stub, ENTRANTS, tag);
    const setupSeconds = (Date.now() - started) / 1000;

    // The entrants' emails go out first, so that their backlog does not slow the ceiling.
    await stub.drained(0, { quietMs: 2500 });
    const empty = await ceiling(swagbox.url, { connections: CONNECTIONS, duration: 5 });
    log(`${AWARDS} award requests over ${ENTRANTS} entrants, ${CONNECTIONS} at a time`);
    const storm = await load({
      url: swagbox.url,
      method: "POST",
      headers: ORGANISER,
      connections: CONNECTIONS,
      amount: AWARDS,
      request: (i) => ({ path: `/admin/api/entries/${ids[i % ids.length]}/award` }),
    });
    const indexStarted = Date.now();
    checkStatuses("award requests", storm.statuses, [200, 201, 409]);
    check(storm.requests === AWARDS, `${storm.requests} of ${AWARDS} award requests answered (${storm.errors} errors, ${storm.timeouts} timeouts)`);
    const granted = storm.statuses[201] ?? 0;
    check(granted === POOL, `${granted} award requests answered 201 (a new award), not ${POOL}`);

    const prizes = await getJson(`${swagbox.url}/api/prizes`, {});
    check(prizes.remaining === 0 && prizes.total === POOL, `GET /api/prizes says ${prizes.remaining} left of ${prizes.total}`);
    const stats = await getJson(`${swagbox.url}/admin/api/stats`);
    check(stats.prizes.awarded === POOL, `/admin/api/stats says ${stats.prizes.awarded} awarded`);
    const logged = await loggedAwards(swagbox);
    check(logged === POOL, `the public award log holds ${logged} awards net of revokes`);
    const winners = await until("the judges' index to show every winner", async () => {
      const { byStatus } = await indexStats(swagbox);
      return byStatus.winner >= POOL ? byStatus.winner : undefined;
    }, 120_000);
    const indexSeconds = (Date.now() - indexStarted) / 1000;
    check(winners === POOL, `the judges' index shows ${winners} winners`);
    // Every entrant got a registration and a submission email; winners one more.
    const emailed = await until("prize emails", async () => {
      const got = await stub.recipients(`@${tag}.entrant.bench`);
      return (got.histogram[3] ?? 0) >= POOL ? got : undefined;
    }, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const settled = await stub.recipients(`@${tag}.entrant.bench`);
    check(settled.histogram[3] === POOL && settled.histogram[2] === ENTRANTS - POOL && settled.most === 3,
      `emails per entrant: ${JSON.stringify(settled.histogram)} (expected ${POOL} with 3, ${ENTRANTS - POOL} with 2)`);

    const ratio = storm.throughput / empty.throughput;
    log(`awards: ${round(storm.throughput)} requests/s (empty route ${round(empty.throughput)}/s), p99 ${storm.p99} ms; 201 × ${granted}`);
    return {
      summary: [
        ["4", `awarded after ${AWARDS} award requests for ${POOL} slots`, granted, "–", "–", "–", `exactly ${POOL}`, "yes"],
        ["4", "award requests/s (organiser API, concurrency 50)", round(storm.throughput), round(empty.throughput), round(ratio, 2), "–", `≥ ${GOAL}/s`, storm.throughput >= GOAL ? "yes" : "no"],
      ],
      tables: [
        {
          caption: `${AWARDS} POST /admin/api/entries/:id/award over ${ENTRANTS} entrants (each asked for ${round(AWARDS / ENTRANTS, 1)} times on average), ${CONNECTIONS} connections.`,
          columns: ["requests/s", "empty route/s", "ratio", "p50 ms", "p99 ms", "max ms", "201 awarded", "200 already", "409 none left", "index complete, s after the last request"],
          rows: [[round(storm.throughput), round(empty.throughput), round(ratio, 2), storm.p50, storm.p99, storm.max, granted, storm.statuses[200] ?? 0, storm.statuses[409] ?? 0, round(indexSeconds, 1)]],
        },
      ],
      checks: [
        { what: `exactly ${POOL} requests answered 201, the rest 200 (already awarded) or 409 (none left)`, ok: true, detail: JSON.stringify(storm.statuses) },
        { what: "GET /api/prizes: 0 left of 300", ok: true, detail: `${prizes.remaining} / ${prizes.total}` },
        { what: "/admin/api/stats prizes.awarded", ok: true, detail: String(stats.prizes.awarded) },
        { what: "public award log: awards net of revokes", ok: true, detail: String(logged) },
        { what: "judges' index: entries with status winner", ok: true, detail: String(winners) },
        { what: "prize emails: entrants with registration + submission + prize email", ok: true, detail: `${settled.histogram[3]} (the other ${settled.histogram[2]} got two)` },
      ],
      notes: [
        `Setting up ${ENTRANTS} entrants over HTTP (signup, link from the email, submit, indexed) took ${round(setupSeconds)} s.`,
        "Each award request reads the index row in D1, asks the entrant's object for its submission, then the one PrizeCounter; a new award also writes the audit log.",
      ],
      data: { storm, empty, granted, prizes, stats: stats.prizes, logged, winners, indexSeconds, setupSeconds, emails: settled },
    };
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
