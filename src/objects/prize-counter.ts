import * as v from "valibot";
import { requireConfig, type Config } from "../config";
import type { Env } from "../env";
import {
  chainHash,
  GENESIS,
  pseudonym,
  type AwardEvent,
  type AwardEventType,
  type HashedAwardEvent,
} from "../prizes/award-log";
import {
  Actor,
  Candidates,
  LiveUpdate,
  ObjectId,
  PoolSize,
  PRIZE_SNAPSHOT_KEY,
  RegistrantId,
  type PrizeSnapshot,
  type PrizeStatus,
  type PrizeUpdate,
} from "../schemas/prizes";
import type { SystemAudit } from "../messages/topics";
import { ALARM_SCHEDULE_SCHEMA, AlarmSchedule } from "./alarms";
import { acceptSocket, answerPings, closeBack, closeChatter, refuseSocket, sendToAll } from "./live-sockets";
import { OUTBOX_SCHEMA, OUTBOX_SCHEMA_V1, OUTBOX_UPGRADE, Outbox } from "./outbox";
import { OutboxObject } from "./outbox-object";
import { auditRoute, outboxOptions, prizeUpdateRoute } from "./outbox-routes";
import { migrate, sqlOf, type Schema, type Sql } from "./sql";

/** KV takes one write per second per key; the snapshot is written at most that often. */
export const SNAPSHOT_INTERVAL_MS = 1_000;
const SNAPSHOT_RETRY_MS = 5_000;
/** Changes within this window reach live sockets as one message. */
const BROADCAST_WINDOW_MS = 50;

const POOL_TABLE = `
  CREATE TABLE pool (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    total INTEGER NOT NULL,
    snapshot_at INTEGER NOT NULL DEFAULT 0`;

const LEDGER_TABLES = `
  CREATE TABLE award (
    registrant_id TEXT PRIMARY KEY,
    slot INTEGER NOT NULL UNIQUE,
    awarded_at INTEGER NOT NULL,
    awarded_by TEXT NOT NULL
  );
  CREATE TABLE waitlist (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    registrant_id TEXT NOT NULL UNIQUE,
    joined_at INTEGER NOT NULL
  );
  CREATE TABLE event (
    seq INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    pseudonym TEXT,
    slot INTEGER,
    position INTEGER,
    total INTEGER NOT NULL,
    at TEXT NOT NULL,
    hash TEXT NOT NULL,
    actor TEXT NOT NULL
  );`;

// The LiveRelays that want each change; since tells a subscription from a newer one.
const LIVE_RELAY_TABLE = `
  CREATE TABLE live_relay (
    id TEXT PRIMARY KEY,
    since INTEGER NOT NULL
  );`;

export const SCHEMA: Schema = {
  current: `${POOL_TABLE},
      configured_total INTEGER NOT NULL DEFAULT 0
    );
    ${LEDGER_TABLES}
    ${LIVE_RELAY_TABLE}
    ${OUTBOX_SCHEMA}
    ${ALARM_SCHEDULE_SCHEMA}`,
  upgrades: [
    `${POOL_TABLE});
     ${LEDGER_TABLES}
     ${OUTBOX_SCHEMA_V1}
     ${ALARM_SCHEDULE_SCHEMA}`,
    // The PRIZE_POOL value last applied, so that a changed setting is noticed.
    `ALTER TABLE pool ADD COLUMN configured_total INTEGER NOT NULL DEFAULT 0;
     UPDATE pool SET configured_total = total;`,
    LIVE_RELAY_TABLE,
    // End-to-end acknowledgement; the "registrant" topic is now named for what it carries.
    `${OUTBOX_UPGRADE}
     UPDATE outbox SET topic = 'prize_update' WHERE topic = 'registrant';
     UPDATE outbox SET body = json_set(body, '$.at', created_at) WHERE topic = 'audit';`,
  ],
};

export type AwardResult =
  | { ok: true; slot: number; remaining: number; already: boolean }
  | { ok: false; reason: "no_prizes_left"; remaining: 0 };

export type RevokeResult = { ok: true; slot: number; remaining: number } | { ok: false; reason: "not_awarded" };

/** What a revoke tells the entrant: the organiser's reason, or (notify false) nothing. */
const RevokeNotice = v.object({ reason: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(500)))), notify: v.optional(v.boolean()) });

export type RevokeNotice = v.InferOutput<typeof RevokeNotice>;

export type ResizeResult =
  | { ok: true; total: number; remaining: number }
  | { ok: false; reason: "below_awarded"; awarded: number };

export interface PoolStatus {
  total: number;
  remaining: number;
  awarded: number;
  head: string;
}

export interface PublicLog {
  head: string;
  total: number;
  remaining: number;
  events: HashedAwardEvent[];
  /** Pass as `after` for the next page; null on the last page. */
  next: number | null;
}

type EventRow = Omit<HashedAwardEvent, "type"> & { type: AwardEventType };

/**
 * The prize pool, one object per deployment. Every award, revoke, resize and waitlist entry
 * runs as one synchronous transaction (no await inside), so racing calls are serialised
 * and the pool can never be over-awarded. Each change appends a hash-chained event, tells
 * the registrant through the outbox, pushes the count to every live socket, and schedules
 * a debounced KV snapshot.
 */
export class PrizeCounter extends OutboxObject {
  private readonly sql: Sql;
  private readonly alarms: AlarmSchedule<"outbox" | "snapshot">;
  protected readonly outbox;
  /** Only the pending coalesced broadcast: nothing the constructor would need to rebuild. */
  private broadcastTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = sqlOf(ctx.storage.sql);
    migrate(ctx.storage.sql, SCHEMA);
    this.alarms = new AlarmSchedule(ctx.storage, this.sql);
    this.outbox = new Outbox(
      ctx,
      this.sql,
      this.alarms,
      { prize_update: prizeUpdateRoute(env), audit: auditRoute(env) },
      outboxOptions(env, "prize-counter", requireConfig(env).outboxConfirmSeconds * 1000),
    );
    answerPings(ctx);
    if (this.reconcilePool()) this.afterChange();
  }

  /** Awards the lowest free slot; awarding someone twice returns their slot. */
  async award(registrantId: string, actor: string): Promise<AwardResult> {
    const id = v.parse(RegistrantId, registrantId);
    const by = v.parse(Actor, actor);
    const result = this.ctx.storage.transactionSync((): AwardResult => {
      const existing = this.slotOf(id);
      if (existing !== null) return { ok: true, slot: existing, remaining: this.status().remaining, already: true };
      return this.awardNew(id, by);
    });
    if (result.ok && !result.already) this.afterChange();
    return result;
  }

  /**
   * Frees the registrant's slot, if they have one. `notice` says what the registrant tells
   * its entrant (the organiser's reason, or no notice at all); by default a notice without
   * a reason.
   */
  async revoke(registrantId: string, actor: string, notice: RevokeNotice = {}): Promise<RevokeResult> {
    const id = v.parse(RegistrantId, registrantId);
    const by = v.parse(Actor, actor);
    const { reason = null, notify = true } = v.parse(RevokeNotice, notice);
    const result = this.ctx.storage.transactionSync((): RevokeResult => {
      const slot = this.slotOf(id);
      if (slot === null) return { ok: false, reason: "not_awarded" };
      this.sql`DELETE FROM award WHERE registrant_id = ${id}`;
      const seq = this.append("revoke", by, { pseudonym: pseudonym(id), slot });
      this.tell({ registrantId: id, seq, status: "revoked", slot: null, position: null, reason, notify });
      return { ok: true, slot, remaining: this.status().remaining };
    });
    if (result.ok) this.afterChange();
    return result;
  }

  /**
   * First-come policy: the registrant's first valid submission claims the lowest free slot,
   * or a place at the end of the waitlist when none is left. Claiming again returns the
   * same answer.
   */
  async claim(registrantId: string): Promise<PrizeUpdate> {
    const id = v.parse(RegistrantId, registrantId);
    let changed = false;
    const update = this.ctx.storage.transactionSync((): PrizeUpdate => {
      const known = this.updateFor(id);
      if (known) return known;
      changed = true;
      const awarded = this.awardNew(id, "first_come");
      if (awarded.ok) return this.updateFor(id)!;
      const position = this.sql<{ position: number }>`
        INSERT INTO waitlist (registrant_id, joined_at) VALUES (${id}, ${Date.now()}) RETURNING position`.one().position;
      const seq = this.append("waitlist", "first_come", { pseudonym: pseudonym(id), position });
      const waitlisted: PrizeUpdate = { registrantId: id, seq, status: "waitlisted", slot: null, position };
      this.tell(waitlisted);
      return waitlisted;
    });
    if (changed) this.afterChange();
    return update;
  }

  /**
   * A winner's hold ran out without an address: their slot goes back to the pool and, when
   * REOFFER_EXPIRED is on, straight to the next entry in the same transaction — the head of
   * the first-come waitlist, or (judged) the first of `candidates` (the judges' ranking,
   * best first, read by the caller from the index) that never won. Idempotent: a slot no
   * longer held is left alone.
   */
  async releaseExpired(registrantId: string, candidates: readonly string[] = []): Promise<{ released: boolean; reofferedTo: string | null }> {
    const id = v.parse(RegistrantId, registrantId);
    const ranked = v.parse(Candidates, candidates);
    const { reofferExpired, awardPolicy } = this.config;
    const result = this.ctx.storage.transactionSync(() => {
      const slot = this.slotOf(id);
      if (slot === null) return { released: false, reofferedTo: null };
      this.sql`DELETE FROM award WHERE registrant_id = ${id}`;
      const seq = this.append("revoke", "hold_expiry", { pseudonym: pseudonym(id), slot });
      // The registrant told its entrant already, with the hold's own email.
      this.tell({ registrantId: id, seq, status: "revoked", slot: null, position: null, notify: false });
      this.audit({ action: "hold_expired", target: id, detail: { slot } });
      if (!reofferExpired) return { released: true, reofferedTo: null };
      const next =
        awardPolicy === "first_come"
          ? (this.sql<{ registrant_id: string }>`SELECT registrant_id FROM waitlist ORDER BY position LIMIT 1`.toArray()[0]?.registrant_id ?? null)
          : (ranked.find((candidate) => candidate !== id && this.slotOf(candidate) === null && !this.everAwarded(candidate)) ?? null);
      if (next === null || !this.awardNew(next, "reoffer").ok) return { released: true, reofferedTo: null };
      this.audit({ action: "reoffer", target: next, detail: { from: id } });
      return { released: true, reofferedTo: next };
    });
    if (result.released) this.afterChange();
    return result;
  }

  /** Changes the pool size; never below the number already awarded. */
  async resize(total: number, actor: string): Promise<ResizeResult> {
    const size = v.parse(PoolSize, total);
    const by = v.parse(Actor, actor);
    const result = this.ctx.storage.transactionSync((): ResizeResult => {
      const { awarded } = this.status();
      if (size < awarded) return { ok: false, reason: "below_awarded", awarded };
      this.sql`UPDATE pool SET total = ${size}`;
      this.append("resize", by, {});
      return { ok: true, total: size, remaining: size - awarded };
    });
    if (result.ok) this.afterChange();
    return result;
  }

  /** The exact count now. */
  async getStatus(): Promise<PoolStatus> {
    return this.status();
  }

  /** A page of the public log (never who acted, never a registrant id) and the head hash. */
  async log(after = 0, limit = 500): Promise<PublicLog> {
    const page = Math.min(Math.max(Math.trunc(limit), 1), 1000);
    const { head, total, remaining } = this.status();
    const events = this.sql<EventRow>`
      SELECT seq, type, pseudonym, slot, position, total, at, hash FROM event
      WHERE seq > ${Math.trunc(after)} ORDER BY seq LIMIT ${page + 1}`.toArray();
    const more = events.length > page;
    return { head, total, remaining, events: events.slice(0, page), next: more ? events[page - 1]!.seq : null };
  }

  /**
   * The live counter: a hibernatable WebSocket that gets the count now and on every change.
   * With LIVE_RELAYS the browsers connect to the relays instead, and this object holds none.
   */
  override async fetch(request: Request): Promise<Response> {
    const refused = refuseSocket(request, this.ctx, this.config.liveSocketCap);
    if (refused) return refused;
    const { socket, response } = acceptSocket(this.ctx, request);
    socket.send(this.message());
    return response;
  }

  /** Clients have nothing to say but "ping", which the runtime answers: anything else closes the socket. */
  override async webSocketMessage(ws: WebSocket): Promise<void> {
    closeChatter(ws);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeBack(ws, code, reason);
  }

  /**
   * A LiveRelay asks for every change from now on, until it answers a push with no socket
   * left; returns the count now, with its sequence number.
   */
  async subscribeRelay(relayId: string): Promise<LiveUpdate> {
    const id = v.parse(ObjectId, relayId);
    this.sql`INSERT INTO live_relay (id, since) VALUES (${id}, (SELECT COALESCE(MAX(since), 0) + 1 FROM live_relay))
      ON CONFLICT (id) DO UPDATE SET since = excluded.since`;
    return this.liveUpdate();
  }

  override async alarm(): Promise<void> {
    for (const source of this.alarms.takeDue()) {
      if (source === "snapshot") await this.writeSnapshot();
      else await this.outbox.flush();
    }
    await this.alarms.rearm();
  }

  private get config(): Config {
    return requireConfig(this.env);
  }

  /**
   * Brings the pool in line with the configuration, once, when the object starts: the
   * first start opens the pool (the log's first event), and a changed PRIZE_POOL resizes
   * it as `resize` would, unless that would go below the number already awarded (then the
   * pool stays as it is and the refusal is logged). True when it changed anything.
   */
  private reconcilePool(): boolean {
    const configured = this.config.prizePool;
    return this.ctx.storage.transactionSync(() => {
      const row = this.sql<{ total: number; configured_total: number }>`SELECT total, configured_total FROM pool`.toArray()[0];
      if (row && row.configured_total === configured) return false;
      if (!row) {
        this.sql`INSERT INTO pool (singleton, total, configured_total) VALUES (1, ${configured}, ${configured})`;
        this.append("resize", "config", {});
        return true;
      }
      this.sql`UPDATE pool SET configured_total = ${configured}`;
      const awarded = this.sql<{ n: number }>`SELECT COUNT(*) AS n FROM award`.one().n;
      if (configured < awarded) {
        console.error(`PRIZE_POOL ${configured} is below the ${awarded} prizes already awarded; the pool stays at ${row.total}`);
        return false;
      }
      this.sql`UPDATE pool SET total = ${configured}`;
      this.append("resize", "config", {});
      return true;
    });
  }

  /** The count now; reads only. */
  private status(): PoolStatus {
    const total = this.sql<{ total: number }>`SELECT total FROM pool`.one().total;
    const awarded = this.sql<{ n: number }>`SELECT COUNT(*) AS n FROM award`.one().n;
    return { total, awarded, remaining: Math.max(total - awarded, 0), head: this.head() };
  }

  private head(): string {
    return this.sql<{ hash: string }>`SELECT hash FROM event ORDER BY seq DESC LIMIT 1`.toArray()[0]?.hash ?? GENESIS;
  }

  private everAwarded(id: string): boolean {
    return this.sql`SELECT 1 FROM event WHERE type = 'award' AND pseudonym = ${pseudonym(id)} LIMIT 1`.toArray().length > 0;
  }

  private slotOf(id: string): number | null {
    return this.sql<{ slot: number }>`SELECT slot FROM award WHERE registrant_id = ${id}`.toArray()[0]?.slot ?? null;
  }

  /** Inside a transaction: gives `id` the lowest free slot, if the pool has one. */
  private awardNew(id: string, by: string): AwardResult {
    const { remaining } = this.status();
    if (remaining <= 0) return { ok: false, reason: "no_prizes_left", remaining: 0 };
    const slot = this.sql<{ slot: number }>`
      SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM award WHERE slot = 1) THEN 1
        ELSE (SELECT MIN(a.slot + 1) FROM award a
              WHERE NOT EXISTS (SELECT 1 FROM award b WHERE b.slot = a.slot + 1)) END AS slot`.one().slot;
    this.sql`INSERT INTO award (registrant_id, slot, awarded_at, awarded_by) VALUES (${id}, ${slot}, ${Date.now()}, ${by})`;
    this.sql`DELETE FROM waitlist WHERE registrant_id = ${id}`;
    const seq = this.append("award", by, { pseudonym: pseudonym(id), slot });
    this.tell({ registrantId: id, seq, status: "awarded", slot, position: null });
    return { ok: true, slot, remaining: remaining - 1, already: false };
  }

  /** The registrant's current place in the pool, as the update that last told them so. */
  private updateFor(id: string): PrizeUpdate | null {
    const slot = this.slotOf(id);
    const name = pseudonym(id);
    if (slot !== null) {
      const seq = this.sql<{ seq: number }>`
        SELECT MAX(seq) AS seq FROM event WHERE type = 'award' AND pseudonym = ${name}`.one().seq;
      return { registrantId: id, seq, status: "awarded", slot, position: null };
    }
    const waiting = this.sql<{ position: number }>`SELECT position FROM waitlist WHERE registrant_id = ${id}`.toArray()[0];
    if (!waiting) return null;
    const seq = this.sql<{ seq: number }>`
      SELECT MAX(seq) AS seq FROM event WHERE type = 'waitlist' AND pseudonym = ${name}`.one().seq;
    return { registrantId: id, seq, status: "waitlisted", slot: null, position: waiting.position };
  }

  /** Appends a hash-chained event; returns its sequence number. */
  private append(type: AwardEventType, actor: string, fields: Partial<Pick<AwardEvent, "pseudonym" | "slot" | "position">>): number {
    const previous = this.sql<{ seq: number; hash: string }>`SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1`.toArray()[0];
    const total = this.sql<{ total: number }>`SELECT total FROM pool`.one().total;
    const event: AwardEvent = {
      seq: (previous?.seq ?? 0) + 1,
      type,
      pseudonym: fields.pseudonym ?? null,
      slot: fields.slot ?? null,
      position: fields.position ?? null,
      total,
      at: new Date().toISOString(),
    };
    const hash = chainHash(previous?.hash ?? GENESIS, event);
    this.sql`INSERT INTO event (seq, type, pseudonym, slot, position, total, at, hash, actor)
      VALUES (${event.seq}, ${type}, ${event.pseudonym}, ${event.slot}, ${event.position}, ${total}, ${event.at}, ${hash}, ${actor})`;
    return event.seq;
  }

  private tell(update: PrizeUpdate): void {
    this.outbox.add("prize_update", update);
  }

  private audit(entry: Omit<SystemAudit, "at">): void {
    this.outbox.add("audit", { ...entry, at: Date.now() });
  }

  private message(): string {
    const { remaining, total, head } = this.status();
    const status: PrizeStatus = { type: "prizes", remaining, total, head };
    return JSON.stringify(status);
  }

  /** After a committed change: push the count, schedule the snapshot, deliver the outbox. */
  private afterChange(): void {
    this.broadcastSoon();
    const last = this.sql<{ snapshot_at: number }>`SELECT snapshot_at FROM pool`.one().snapshot_at;
    void this.alarms.setEarliest("snapshot", Math.max(Date.now(), last + SNAPSHOT_INTERVAL_MS));
    void this.outbox.afterCommit();
  }

  /**
   * Pushes the count to every live socket, once per BROADCAST_WINDOW_MS however many changes
   * fall in it: sending to 10,000 sockets takes a while, and a burst of awards should cost
   * one send per socket, not one per award. The message read at send time is the latest.
   */
  private broadcastSoon(): void {
    this.broadcastTimer ??= setTimeout(() => {
      this.broadcastTimer = undefined;
      const update = this.liveUpdate();
      sendToAll(this.ctx, update.message);
      void this.pushToRelays(update);
    }, BROADCAST_WINDOW_MS);
  }

  /** The count as live clients get it, numbered by the award log so that relays keep the latest. */
  private liveUpdate(): LiveUpdate {
    const seq = this.sql<{ seq: number | null }>`SELECT MAX(seq) AS seq FROM event`.one().seq ?? 0;
    return { seq, message: this.message() };
  }

  /**
   * Sends the update to every subscribed relay. A relay with no socket left is dropped,
   * unless it subscribed again while the push was on its way; one that cannot be reached
   * stays, and catches up with the next change.
   */
  private async pushToRelays(update: LiveUpdate): Promise<void> {
    const relays = this.sql<{ id: string; since: number }>`SELECT id, since FROM live_relay`.toArray();
    await Promise.all(
      relays.map(async ({ id, since }) => {
        try {
          const listening = await this.env.LIVE_RELAY.get(this.env.LIVE_RELAY.idFromString(id)).relay(update);
          if (!listening) this.sql`DELETE FROM live_relay WHERE id = ${id} AND since = ${since}`;
        } catch (error) {
          console.warn(`live relay ${id}: push failed`, error);
        }
      }),
    );
  }

  private async writeSnapshot(): Promise<void> {
    const now = Date.now();
    // Marked before the write, so a change racing it schedules the next one a second later.
    this.sql`UPDATE pool SET snapshot_at = ${now}`;
    const { remaining, total, head } = this.status();
    const snapshot: PrizeSnapshot = { type: "prizes", remaining, total, head, updatedAt: new Date(now).toISOString() };
    try {
      await this.env.SNAPSHOTS.put(PRIZE_SNAPSHOT_KEY, JSON.stringify(snapshot));
    } catch (error) {
      console.warn("prize snapshot: KV write failed, retrying", error);
      await this.alarms.setEarliest("snapshot", now + SNAPSHOT_RETRY_MS);
    }
  }
}
