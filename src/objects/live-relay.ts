import { DurableObject } from "cloudflare:workers";
import * as v from "valibot";
import { requireConfig } from "../config";
import type { Env } from "../env";
import { LiveUpdate } from "../schemas/prizes";
import { acceptSocket, answerPings, busy, closeBack, closeChatter, refuseSocket, sendToAll } from "./live-sockets";
import { prizeCounter } from "./stubs";

const LATEST = "latest";

/**
 * A relay sends its sockets at most one count per FOLD_MS: the first change after a quiet
 * spell at once, and during a burst the newest at the end of each window. A fan-out to
 * thousands of sockets is the relay's real cost, and a count older than the next one by a
 * tenth of a second is not worth sending.
 */
const FOLD_MS = 100;

/**
 * Carries the live counter to more browsers than one object can hold: each relay holds up
 * to LIVE_SOCKET_CAP hibernatable sockets and passes on every count the PrizeCounter pushes
 * to it, so a change costs the counter one message per relay instead of one per browser.
 * A relay subscribes when it takes its first socket and is dropped by the counter once it
 * answers a push with none left. The latest count is kept in storage, for the next socket
 * after a hibernation.
 */
export class LiveRelay extends DurableObject<Env> {
  /** A subscription under way, which sockets accepted meanwhile wait for. */
  private subscribing: Promise<LiveUpdate> | undefined;
  /** Until when a fan-out waits (the current window's end), and the one waiting for it. */
  private windowEnd = 0;
  private folded: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    answerPings(ctx);
  }

  override async fetch(request: Request): Promise<Response> {
    const refused = refuseSocket(request, this.ctx, requireConfig(this.env).liveSocketCap);
    if (refused) return refused;
    // Accepted before subscribing: a push that arrives meanwhile finds a socket, so the
    // counter keeps this relay. The first socket (re)subscribes; sockets accepted during a
    // subscription wait for it.
    const { socket, response } = acceptSocket(this.ctx, request);
    const stored = this.latest();
    try {
      const resubscribe = this.ctx.getWebSockets().length === 1 || this.subscribing !== undefined || !stored;
      socket.send((resubscribe ? await this.subscribe() : stored!).message);
    } catch (error) {
      console.warn("live relay: could not subscribe to the counter", error);
      socket.close(1011, "counter unreachable");
      return busy();
    }
    return response;
  }

  /**
   * A change from the PrizeCounter: kept and sent to every socket (folded with those that
   * follow it closely) unless a newer one is already here. Returns false when no socket is
   * left, so the counter stops pushing.
   */
  async relay(update: LiveUpdate): Promise<boolean> {
    const pushed = v.parse(LiveUpdate, update);
    if (this.ctx.getWebSockets().length === 0) return false;
    if (this.keep(pushed)) this.fanOut();
    return true;
  }

  /** Clients have nothing to say but "ping", which the runtime answers: anything else closes the socket. */
  override async webSocketMessage(ws: WebSocket): Promise<void> {
    closeChatter(ws);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeBack(ws, code, reason);
  }

  /** Sends the newest count to every socket now, or at the window's end if one is open. */
  private fanOut(): void {
    if (this.folded) return;
    const wait = this.windowEnd - Date.now();
    if (wait > 0) {
      this.folded = setTimeout(() => {
        this.folded = undefined;
        this.fanOut();
      }, wait);
      return;
    }
    this.windowEnd = Date.now() + FOLD_MS;
    const latest = this.latest();
    if (latest) sendToAll(this.ctx, latest.message);
  }

  private subscribe(): Promise<LiveUpdate> {
    this.subscribing ??= prizeCounter(this.env)
      .subscribeRelay(this.ctx.id.toString())
      .then((update) => {
        this.keep(update);
        return this.latest()!;
      })
      .finally(() => {
        this.subscribing = undefined;
      });
    return this.subscribing;
  }

  /** Stores `update` unless a newer one is already here; true when it was stored. */
  private keep(update: LiveUpdate): boolean {
    const latest = this.latest();
    if (latest && latest.seq > update.seq) return false;
    this.ctx.storage.kv.put(LATEST, update);
    return true;
  }

  private latest(): LiveUpdate | undefined {
    return this.ctx.storage.kv.get<LiveUpdate>(LATEST);
  }
}
