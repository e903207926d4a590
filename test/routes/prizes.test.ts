import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prizeCounter } from "../../src/objects/stubs";
import { verifyAwardLog, type HashedAwardEvent } from "../../src/prizes/award-log";
import type { PrizeStatus } from "../../src/schemas/prizes";
import { ORIGIN, registrantId, send } from "../helpers";

const entrant = (i: number) => registrantId(`live-${i}@example.com`);

interface LiveClient {
  socket: WebSocket;
  messages: unknown[];
  /** Resolves with the first message (already received or still to come) that matches. */
  waitFor(match: (message: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
}

async function connect(): Promise<LiveClient> {
  const response = await exports.default.fetch(new Request(`${ORIGIN}/live`, { headers: { upgrade: "websocket" } }));
  expect(response.status).toBe(101);
  const socket = response.webSocket!;
  const messages: unknown[] = [];
  socket.accept();
  socket.addEventListener("message", (event) => {
    messages.push(typeof event.data === "string" && event.data.startsWith("{") ? JSON.parse(event.data) : event.data);
  });
  return {
    socket,
    messages,
    waitFor(match, timeoutMs = 3_000) {
      return vi.waitFor(
        () => {
          const found = messages.find(match);
          if (found === undefined) throw new Error(`no matching message; got ${JSON.stringify(messages)}`);
          return found;
        },
        { timeout: timeoutMs, interval: 10 },
      );
    },
  };
}

const remaining = (n: number) => (message: unknown) => (message as PrizeStatus).type === "prizes" && (message as PrizeStatus).remaining === n;

describe("the live counter", () => {
  it("sends the count on connect and every change to every client, also after the object hibernates", async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, connect));
    for (const client of clients) {
      expect(await client.waitFor(remaining(300))).toMatchObject({ type: "prizes", remaining: 300, total: 300, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
    const counter = prizeCounter(env);
    await counter.award(entrant(1), "judge:ada");
    const { head } = await counter.getStatus();
    for (const client of clients) expect(await client.waitFor(remaining(299))).toEqual({ type: "prizes", remaining: 299, total: 300, head });

    await evictDurableObject(counter);
    const late = await connect();
    await late.waitFor(remaining(299));
    await counter.award(entrant(2), "judge:ada");
    for (const client of [...clients, late]) await client.waitFor(remaining(298));
    for (const client of [...clients, late]) client.socket.close(1000, "done");
  });

  it("answers ping with pong, and closes with 1008 a socket that sends junk, binary or oversized frames, acting on none", async () => {
    const client = await connect();
    await client.waitFor(remaining(298));
    client.socket.send("ping");
    await client.waitFor((m) => m === "pong");
    for (const junk of ["{not json", JSON.stringify({ type: "award", registrantId: entrant(9) }), new Uint8Array(1024).buffer, "x".repeat(512 * 1024)]) {
      const other = await connect();
      const closed = new Promise<number>((resolve) => other.socket.addEventListener("close", (event) => resolve(event.code)));
      other.socket.send(junk);
      expect(await closed).toBe(1008);
    }
    await prizeCounter(env).award(entrant(3), "judge:ada");
    await client.waitFor(remaining(297));
    expect((await prizeCounter(env).getStatus()).awarded).toBe(3);
    client.socket.close(1000, "done");
  });

  it("sends a burst of awards as a few messages with the final count, not one per award", async () => {
    const client = await connect();
    const counter = prizeCounter(env);
    const start = (await counter.getStatus()).remaining;
    await client.waitFor(remaining(start));
    const before = client.messages.length;
    await Promise.all(Array.from({ length: 30 }, (_, i) => counter.award(entrant(100 + i), "judge:ada")));
    await client.waitFor(remaining(start - 30));
    const counts = client.messages.slice(before) as PrizeStatus[];
    expect(counts.length).toBeLessThan(30);
    expect(counts.at(-1)).toMatchObject({ remaining: start - 30 });
    client.socket.close(1000, "done");
  });

  it("lets the PrizeCounter hold the socket itself when LIVE_RELAYS is 0, and sends it every change", async () => {
    const response = await send("/live", { headers: { upgrade: "websocket" }, vars: { LIVE_RELAYS: "0" } });
    expect(response.status).toBe(101);
    const socket = response.webSocket!;
    const received: PrizeStatus[] = [];
    socket.accept();
    socket.addEventListener("message", (event) => received.push(JSON.parse(event.data as string) as PrizeStatus));
    const counter = prizeCounter(env);
    expect(await runInDurableObject(counter, (_instance, state) => state.getWebSockets().length)).toBe(1);
    const start = (await counter.getStatus()).remaining;
    await counter.award(entrant(200), "judge:ada");
    await vi.waitFor(() => expect(received.map((message) => message.remaining)).toEqual([start, start - 1]), { timeout: 3_000, interval: 10 });
    socket.close(1000, "done");
  });

  it("moves on from a relay that fails to the next, and sends the browser to polling when none can take it", async () => {
    const get = env.LIVE_RELAY.get.bind(env.LIVE_RELAY);
    let failures = 1;
    const asked: string[] = [];
    vi.spyOn(env.LIVE_RELAY, "get").mockImplementation((id) => {
      asked.push(id.toString());
      if (failures-- > 0) return { fetch: () => Promise.reject(new Error("Durable Object is overloaded")) } as unknown as ReturnType<typeof get>;
      return get(id);
    });
    const taken = await exports.default.fetch(new Request(`${ORIGIN}/live`, { headers: { upgrade: "websocket" } }));
    expect(taken.status).toBe(101);
    expect(new Set(asked).size).toBe(2);
    taken.webSocket!.accept();
    taken.webSocket!.close(1000, "done");

    failures = Infinity;
    const refused = await exports.default.fetch(new Request(`${ORIGIN}/live`, { headers: { upgrade: "websocket" } }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toMatchObject({ error: "busy" });
  });

  it("answers a plain GET of /live with 426", async () => {
    const response = await send("/live", { acceptJson: true });
    expect(response.status).toBe(426);
    expect(await response.json()).toMatchObject({ error: "upgrade_required" });
  });
});

describe("GET /api/prizes", () => {
  it("returns the live message, briefly cacheable", async () => {
    const response = await send("/api/prizes", { acceptJson: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=2");
    const status = await prizeCounter(env).getStatus();
    expect(await response.json()).toEqual({ type: "prizes", remaining: status.remaining, total: status.total, head: status.head });
  });

  afterEach(() => vi.restoreAllMocks());

  /** Both copies of the answer (the isolate's and the location's cache) last two seconds. */
  const outlive = () => new Promise((resolve) => setTimeout(resolve, 2_100));

  it("answers a crowd of pollers with one counter call in two seconds, even where the Cache API keeps nothing (workers.dev)", async () => {
    await outlive();
    vi.spyOn(caches.default, "match").mockResolvedValue(undefined);
    vi.spyOn(caches.default, "put").mockResolvedValue(undefined);
    const counterCalls = vi.spyOn(env.PRIZE_COUNTER, "get");
    const answers = [];
    for (const query of ["", "?a=1", "?cache-buster=2", "", ""]) answers.push(await (await send(`/api/prizes${query}`, { acceptJson: true })).json());
    expect(counterCalls).toHaveBeenCalledTimes(1);
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]).toMatchObject({ type: "prizes", total: expect.any(Number) });

    await outlive();
    await send("/api/prizes", { acceptJson: true });
    expect(counterCalls).toHaveBeenCalledTimes(2);
  });

  it("answers from the location's cache, for every isolate there, once this isolate's copy is gone", async () => {
    await outlive();
    const cachedAnswer = { type: "prizes", remaining: 7, total: 9, head: "cached" };
    await caches.default.put(new Request(`${ORIGIN}/api/prizes`), Response.json(cachedAnswer, { headers: { "cache-control": "public, max-age=60" } }));
    const counterCalls = vi.spyOn(env.PRIZE_COUNTER, "get");
    expect(await (await send("/api/prizes?x=1", { acceptJson: true })).json()).toEqual(cachedAnswer);
    expect(counterCalls).not.toHaveBeenCalled();
    await caches.default.delete(new Request(`${ORIGIN}/api/prizes`));
  });
});

describe("GET /api/prizes/log", () => {
  it("serves a log anyone can verify, without ids or judges", async () => {
    const log = (await (await send("/api/prizes/log")).json()) as { events: HashedAwardEvent[]; head: string; next: null };
    expect(log.events.length).toBeGreaterThanOrEqual(4);
    expect(verifyAwardLog(log.events, log.head)).toEqual({ ok: true, head: log.head });
    const text = JSON.stringify(log);
    expect(text).not.toContain(entrant(1));
    expect(text).not.toContain("judge:ada");
    expect(text).not.toContain("@example.com");

    const page = (await (await send("/api/prizes/log?after=1&limit=2")).json()) as { events: HashedAwardEvent[]; next: number };
    expect(page.events.map((e) => e.seq)).toEqual([2, 3]);
    expect(page.next).toBe(3);
  });

  it("answers errors as JSON even to a browser", async () => {
    const response = await send("/api/prizes/log?limit=0");
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/json");
  });

  it("answers bad paging parameters with 400 naming the parameter", async () => {
    for (const [query, field] of [["limit=0", "limit"], ["limit=5000", "limit"], ["after=-1", "after"], ["after=abc", "after"]]) {
      const response = await send(`/api/prizes/log?${query}`, { acceptJson: true });
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: "malformed", fields: { [field!]: expect.any(String) } });
    }
  });
});

describe("the landing page", () => {
  it("shows the prizes left from the KV snapshot, which the counter keeps exact", async () => {
    const counter = prizeCounter(env);
    await counter.award(entrant(4), "judge:ada");
    const { remaining: left } = await counter.getStatus();
    // The snapshot is debounced to one write a second: wait for it to converge.
    await vi.waitFor(async () => {
      await runDurableObjectAlarm(counter);
      expect((await env.SNAPSHOTS.get<{ remaining: number }>("prizes", "json"))?.remaining).toBe(left);
    }, { timeout: 3_000, interval: 100 });
    const html = await (await send("/")).text();
    expect(html).toContain(`<strong data-text="prizesLeft" data-live="remaining">${left}</strong>`);
    expect(html).toContain('new WebSocket(location.origin.replace(/^http/, "ws") + "/live")');
  });

  it("falls back to the configured pool when the snapshot is missing or unreadable", async () => {
    await env.SNAPSHOTS.put("prizes", "{broken");
    const html = await (await send("/")).text();
    expect(html).toContain(`<strong data-text="prizesLeft" data-live="remaining">300</strong>`);
  });
});
