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
import { BAN_SNAPSHOT_KEY, BanRequest, Reason } from "../schemas/bans";
import type { Disqualification, EligibilityUpdate } from "../schemas/eligibility";
import { AwardBatch, type BatchOutcome, type BatchResult } from "../schemas/awards";
import { ALARM_SCHEDULE_SCHEMA, AlarmSchedule } from "./alarms";
import { acceptSocket, answerPings, closeBack, closeChatter, refuseSocket, sendToAll } from "./live-sockets";
import { OUTBOX_SCHEMA, OUTBOX_SCHEMA_V1, OUTBOX_UPGRADE } from "./outbox";
import { auditRoute, prizeUpdateRoute } from "./outbox-routes";
import { ELIGIBILITY_SCHEMA, EligibilityLedger, type Ban } from "./eligibility-ledger";
import { eligibilityRoute } from "./fair-play-routes";
import { OutboxHolder } from "./outbox-holder";
import type { Schema } from "./sql";

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

// Open at its end, like POOL_TABLE: today's schema closes it after the column added since.
const AWARD_TABLE = `
  CREATE TABLE award (
    registrant_id TEXT PRIMARY KEY,
    slot INTEGER NOT NULL UNIQUE,
    awarded_at INTEGER NOT NULL,
    awarded_by TEXT NOT NULL`;

const WAITLIST_AND_EVENT_TABLES = `
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

// A first-come slot under review (FIRST_COME_REVIEW_HOURS): taken, counted, not yet confirmed.
// Added with ALTER TABLE to an older counter; a new one creates it with its table.
const PROVISIONAL_COLUMN = `provisional INTEGER NOT NULL DEFAULT 0`;

// The LiveRelays that want each change; since tells a subscription from a newer one.
const LIVE_RELAY_TABLE = `
  CREATE TABLE live_relay (
    id TEXT PRIMARY KEY,
    since INTEGER NOT NULL
  );`;

// Batch awards done, by id: a batch repeated is answered from here and awards nothing.
const AWARD_BATCH_TABLE = `
  CREATE TABLE award_batch (
    id TEXT PRIMARY KEY,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    results TEXT NOT NULL
  );`;

export const SCHEMA: Schema = {
  current: `${POOL_TABLE},
      configured_total INTEGER NOT NULL DEFAULT 0
    );
    ${AWARD_TABLE},
      ${PROVISIONAL_COLUMN}
    );
    ${WAITLIST_AND_EVENT_TABLES}
    ${LIVE_RELAY_TABLE}
    ${OUTBOX_SCHEMA}
    ${ALARM_SCHEDULE_SCHEMA}
    ${ELIGIBILITY_SCHEMA}
    ${AWARD_BATCH_TABLE}`,
  upgrades: [
    `${POOL_TABLE});
     ${AWARD_TABLE});
     ${WAITLIST_AND_EVENT_TABLES}
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
    // One box per person: the disqualified entrants and the ban list.
    ELIGIBILITY_SCHEMA,
    // Judging at scale: each top-N batch, awarded once.
    AWARD_BATCH_TABLE,
    // First come with a review window: a slot may be provisional.
    `ALTER TABLE award ADD COLUMN ${PROVISIONAL_COLUMN};`,
  ],
};

export type AwardResult =
  | { ok: true; slot: number; remaining: number; already: boolean }
  | { ok: false; reason: "no_prizes_left"; remaining: 0 }
  | { ok: false; reason: "disqualified"; remaining: number };

/** What disqualifying did: the slot it freed (if any) and who the slot was re-offered to. */
export type DisqualifyResult =
  | { ok: true; revokedSlot: number | null; reofferedTo: string | null }
  | { ok: false; reason: "already_disqualified" };

export type BanResult = { id: number; added: boolean; disqualified: DisqualifyResult | null };

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
  /** Slots taken, provisional ones included (the public count treats them as gone). */
  awarded: number;
  /** Of those, first-come slots still under review. */
  provisional: number;
  head: string;
}

/** What releasing a provisional slot did: freed it (and gave it to the waitlist's head, if any), or nothing. */
export type ReleaseResult =
  | { released: true; slot: number; promoted: string | null }
  | { released: false; reason: "not_provisional" | "not_awarded" };

export interface PublicLog {
  head: string;
  total: number;
  remaining: number;
  events: HashedAwardEvent[];
  /** Pass as `after` for the next page; null on the last page. */
  next: number | null;
}

type EventRow = Omit<HashedAwardEvent, "type"> & { type: AwardEventType };

const BanId = v.pipe(v.number(), v.integer(), v.minValue(1));

/**
 * The prize pool, one object per deployment. Every award, revoke, resize and waitlist entry
 * runs as one synchronous transaction (no await inside), so racing calls are serialised
 * and the pool can never be over-awarded. Each change appends a hash-chained event, tells
 * the registrant through the outbox, pushes the count to every live socket, and schedules
 * a debounced KV snapshot.
 */
export class PrizeCounter extends OutboxHolder {
  private readonly alarms: AlarmSchedule<"outbox" | "snapshot" | "bans">;
  protected readonly outbox;
  private readonly eligibility: EligibilityLedger;
  /** Only the pending coalesced broadcast: nothing the constructor would need to rebuild. */
  private broadcastTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA);
    this.alarms = new AlarmSchedule(ctx.storage, this.sql);
    this.outbox = this.outboxOf(
      this.alarms,
      { prize_update: prizeUpdateRoute(env), audit: auditRoute(env), eligibility: eligibilityRoute(env) },
      "prize-counter",
    );
    this.eligibility = new EligibilityLedger(this.sql);
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
   * Awards a batch in one transaction, in the order given: each candidate the caller did not
   * refuse takes the lowest free slot, unless it holds one already or none is left. A batch
   * id is awarded once: repeated (or raced by a second caller), it changes nothing and
   * answers what the first call did.
   */
  async awardBatch(input: AwardBatch): Promise<BatchOutcome> {
    const { batch, actor, candidates } = v.parse(AwardBatch, input);
    const outcome = this.ctx.storage.transactionSync((): BatchOutcome => {
      const done = this.sql<{ results: string }>`SELECT results FROM award_batch WHERE id = ${batch}`.toArray()[0];
      if (done) return { batch, replayed: true, results: JSON.parse(done.results) as BatchResult[], remaining: this.status().remaining };
      const results = candidates.map(({ id, refused }): BatchResult => {
        if (refused) return { id, awarded: false, reason: refused };
        if (this.slotOf(id) !== null) return { id, awarded: false, reason: "already_winner" };
        const awarded = this.awardNew(id, actor);
        return awarded.ok ? { id, awarded: true, slot: awarded.slot } : { id, awarded: false, reason: awarded.reason };
      });
      this.sql`INSERT INTO award_batch (id, actor, at, results) VALUES (${batch}, ${actor}, ${Date.now()}, ${JSON.stringify(results)})`;
      return { batch, replayed: false, results, remaining: this.status().remaining };
    });
    if (!outcome.replayed && outcome.results.some((result) => result.awarded)) this.afterChange();
    return outcome;
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
   * same answer. A disqualified registrant gets neither: null. With a review window
   * (FIRST_COME_REVIEW_HOURS) the slot is provisional: taken and counted, but confirmed
   * only when the window ends (confirmProvisional).
   */
  async claim(registrantId: string): Promise<PrizeUpdate | null> {
    const id = v.parse(RegistrantId, registrantId);
    let changed = false;
    const update = this.ctx.storage.transactionSync((): PrizeUpdate | null => {
      // A disqualified entrant takes no slot and no waitlist place.
      if (this.eligibility.isDisqualified(id)) return null;
      const known = this.updateFor(id);
      if (known) return known;
      changed = true;
      const awarded = this.awardNew(id, "first_come", { provisional: this.underReview() });
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
    const result = this.ctx.storage.transactionSync(() => {
      const slot = this.slotOf(id);
      if (slot === null) return { released: false, reofferedTo: null };
      this.sql`DELETE FROM award WHERE registrant_id = ${id}`;
      const seq = this.append("revoke", "hold_expiry", { pseudonym: pseudonym(id), slot });
      // The registrant told its entrant already, with the hold's own email.
      this.tell({ registrantId: id, seq, status: "revoked", slot: null, position: null, notify: false });
      this.audit({ action: "hold_expired", target: id, detail: { slot } });
      return { released: true, reofferedTo: this.reoffer(id, ranked) };
    });
    if (result.released) this.afterChange();
    return result;
  }

  /**
   * Disqualifies an entrant, in one transaction: no slot, no waitlist place, and from now
   * on no award, claim or re-offer. A slot they held is freed, and re-offered as an
   * expired hold's would be (REOFFER_EXPIRED, `candidates` as for releaseExpired). The
   * registrant learns it through the outbox.
   */
  async disqualify(registrantId: string, actor: string, reason: string, candidates: readonly string[] = []): Promise<DisqualifyResult> {
    const id = v.parse(RegistrantId, registrantId);
    const by = v.parse(Actor, actor);
    const why = v.parse(Reason, reason);
    const ranked = v.parse(Candidates, candidates);
    const result = this.ctx.storage.transactionSync(() => this.disqualifyNow(id, by, why, ranked));
    if (result.ok) this.afterChange();
    return result;
  }

  /** Lifts a disqualification (a prize it revoked stays revoked); false when `registrantId` is not disqualified. */
  async reinstate(registrantId: string, actor: string): Promise<boolean> {
    const id = v.parse(RegistrantId, registrantId);
    const by = v.parse(Actor, actor);
    const reinstated = this.ctx.storage.transactionSync(() => {
      const seq = this.eligibility.reinstate(id, by, Date.now());
      if (seq !== null) this.tellEligibility({ registrantId: id, seq, disqualified: false });
      return seq !== null;
    });
    if (reinstated) void this.outbox.afterCommit();
    return reinstated;
  }

  /** The registrant's disqualification record, if they ever had one. */
  async disqualification(registrantId: string): Promise<Disqualification | null> {
    return this.eligibility.get(v.parse(RegistrantId, registrantId));
  }

  /**
   * Adds to the ban list, and publishes it to KV. Banning a mailbox disqualifies its
   * registrant in the same transaction. Banning again changes nothing.
   */
  async ban(input: BanRequest, actor: string, candidates: readonly string[] = []): Promise<BanResult> {
    const request = v.parse(BanRequest, input);
    const by = v.parse(Actor, actor);
    const ranked = v.parse(Candidates, candidates);
    const result = this.ctx.storage.transactionSync((): BanResult => {
      const { id, added } = this.eligibility.ban(request, by, Date.now());
      const disqualified = request.kind === "mailbox" ? this.disqualifyNow(request.registrantId, by, request.reason, ranked) : null;
      return { id, added, disqualified };
    });
    if (result.disqualified?.ok) this.afterChange();
    if (result.added) await this.alarms.setEarliest("bans", Date.now());
    return result;
  }

  /** Lifts a ban and publishes the list; false when there is no such ban. */
  async unban(banId: number): Promise<boolean> {
    const id = v.parse(BanId, banId);
    const removed = this.eligibility.unban(id);
    if (removed) await this.alarms.setEarliest("bans", Date.now());
    return removed;
  }

  /** The ban list, newest first (mailboxes only as hashes). */
  async bans(): Promise<Ban[]> {
    return this.eligibility.bans();
  }

  /**
   * A provisional slot's review window ended without a disqualification: the slot is the
   * registrant's for good (the log's `confirmed`), and it is told so, which sends the winner
   * email. Idempotent: a confirmed slot returns its update again; null when the registrant
   * holds no slot (it was released meanwhile).
   */
  async confirmProvisional(registrantId: string): Promise<PrizeUpdate | null> {
    const id = v.parse(RegistrantId, registrantId);
    let changed = false;
    const update = this.ctx.storage.transactionSync((): PrizeUpdate | null => {
      const held = this.awardOf(id);
      if (!held || !held.provisional) return held && this.updateFor(id);
      this.sql`UPDATE award SET provisional = 0 WHERE registrant_id = ${id}`;
      const seq = this.append("confirmed", "review_window", { pseudonym: pseudonym(id), slot: held.slot });
      const confirmed: PrizeUpdate = { registrantId: id, seq, status: "awarded", slot: held.slot, position: null };
      this.tell(confirmed);
      changed = true;
      return confirmed;
    });
    if (changed) this.afterChange();
    return update;
  }

  /**
   * Frees a provisional slot during its review window (a disqualification, or a failed link
   * check under FIRST_COME_REQUIRE_LIVE) and, in the same transaction, gives it to the
   * waitlist's head, whose own window starts. A confirmed slot is left alone
   * (`not_provisional`: revoke it instead). Idempotent: a slot no longer held is not freed twice.
   */
  async releaseProvisional(registrantId: string, actor: string): Promise<ReleaseResult> {
    const id = v.parse(RegistrantId, registrantId);
    const by = v.parse(Actor, actor);
    const result = this.ctx.storage.transactionSync((): ReleaseResult => {
      const held = this.awardOf(id);
      if (!held) return { released: false, reason: "not_awarded" };
      if (!held.provisional) return { released: false, reason: "not_provisional" };
      this.sql`DELETE FROM award WHERE registrant_id = ${id}`;
      const seq = this.append("released", by, { pseudonym: pseudonym(id), slot: held.slot });
      this.tell({ registrantId: id, seq, status: "released", slot: null, position: null });
      const head = this.waitlistHead();
      const promoted = head !== null && this.awardNew(head, "waitlist", { provisional: this.underReview() }).ok ? head : null;
      this.audit({ action: "provisional_released", target: id, detail: { slot: held.slot, by, promoted } });
      return { released: true, slot: held.slot, promoted };
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
    await this.alarms.runDue(async (source) => {
      if (source === "snapshot") await this.writeSnapshot();
      else if (source === "bans") await this.writeBanSnapshot();
      else await this.outbox.flush();
    });
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
    const { awarded, provisional } = this.sql<{ awarded: number; provisional: number }>`
      SELECT COUNT(*) AS awarded, COALESCE(SUM(provisional), 0) AS provisional FROM award`.one();
    return { total, awarded, provisional, remaining: Math.max(total - awarded, 0), head: this.head() };
  }

  private head(): string {
    return this.sql<{ hash: string }>`SELECT hash FROM event ORDER BY seq DESC LIMIT 1`.toArray()[0]?.hash ?? GENESIS;
  }

  private everAwarded(id: string): boolean {
    return this.sql`SELECT 1 FROM event WHERE type IN ('award', 'confirmed') AND pseudonym = ${pseudonym(id)} LIMIT 1`.toArray().length > 0;
  }

  private awardOf(id: string): { slot: number; provisional: boolean } | null {
    const row = this.sql<{ slot: number; provisional: number }>`SELECT slot, provisional FROM award WHERE registrant_id = ${id}`.toArray()[0];
    return row ? { slot: row.slot, provisional: row.provisional === 1 } : null;
  }

  private slotOf(id: string): number | null {
    return this.sql<{ slot: number }>`SELECT slot FROM award WHERE registrant_id = ${id}`.toArray()[0]?.slot ?? null;
  }

  /**
   * Inside a transaction: gives `id` the lowest free slot, if the pool has one and `id` may
   * hold it (provisionally, under a review window).
   */
  private awardNew(id: string, by: string, { provisional = false } = {}): AwardResult {
    const { remaining } = this.status();
    if (this.eligibility.isDisqualified(id)) return { ok: false, reason: "disqualified", remaining };
    if (remaining <= 0) return { ok: false, reason: "no_prizes_left", remaining: 0 };
    const slot = this.sql<{ slot: number }>`
      SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM award WHERE slot = 1) THEN 1
        ELSE (SELECT MIN(a.slot + 1) FROM award a
              WHERE NOT EXISTS (SELECT 1 FROM award b WHERE b.slot = a.slot + 1)) END AS slot`.one().slot;
    this.sql`INSERT INTO award (registrant_id, slot, awarded_at, awarded_by, provisional)
      VALUES (${id}, ${slot}, ${Date.now()}, ${by}, ${provisional ? 1 : 0})`;
    this.sql`DELETE FROM waitlist WHERE registrant_id = ${id}`;
    const seq = this.append(provisional ? "provisional" : "award", by, { pseudonym: pseudonym(id), slot });
    this.tell({ registrantId: id, seq, status: provisional ? "provisional" : "awarded", slot, position: null });
    return { ok: true, slot, remaining: remaining - 1, already: false };
  }

  /**
   * Inside a transaction: a freed slot goes on at once when REOFFER_EXPIRED is on, to the
   * head of the first-come waitlist, or (judged) the first of `ranked` that never won;
   * never to `from` nor to anyone disqualified. Who took it, if anyone.
   */
  private reoffer(from: string, ranked: readonly string[]): string | null {
    const { reofferExpired, awardPolicy } = this.config;
    if (!reofferExpired) return null;
    const next =
      awardPolicy === "first_come"
        ? this.waitlistHead(from)
        : (ranked.find((candidate) => candidate !== from && !this.eligibility.isDisqualified(candidate) && this.slotOf(candidate) === null && !this.everAwarded(candidate)) ?? null);
    if (next === null || !this.awardNew(next, "reoffer", { provisional: this.underReview() }).ok) return null;
    this.audit({ action: "reoffer", target: next, detail: { from } });
    return next;
  }

  /** The first on the waitlist who may take a slot (not `except`, not disqualified). */
  private waitlistHead(except?: string): string | null {
    const waiting = this.sql<{ registrant_id: string }>`SELECT registrant_id FROM waitlist ORDER BY position`.toArray().map((row) => row.registrant_id);
    return waiting.find((candidate) => candidate !== except && !this.eligibility.isDisqualified(candidate)) ?? null;
  }

  /** First come with a review window: a slot given now is provisional. */
  private underReview(): boolean {
    return this.config.awardPolicy === "first_come" && this.config.firstComeReviewHours > 0;
  }

  /** Inside a transaction: disqualifies `id`, revoking and re-offering a slot they hold and taking them off the waitlist. */
  private disqualifyNow(id: string, by: string, reason: string, ranked: readonly string[]): DisqualifyResult {
    const seq = this.eligibility.disqualify(id, by, reason, Date.now());
    if (seq === null) return { ok: false, reason: "already_disqualified" };
    // The registrant drops its waitlist place itself when it learns of the disqualification.
    this.sql`DELETE FROM waitlist WHERE registrant_id = ${id}`;
    this.tellEligibility({ registrantId: id, seq, disqualified: true });
    const slot = this.slotOf(id);
    if (slot === null) return { ok: true, revokedSlot: null, reofferedTo: null };
    this.sql`DELETE FROM award WHERE registrant_id = ${id}`;
    const revoked = this.append("revoke", by, { pseudonym: pseudonym(id), slot });
    // The disqualification's own email tells the entrant; no revoke notice besides.
    this.tell({ registrantId: id, seq: revoked, status: "revoked", slot: null, position: null, notify: false });
    return { ok: true, revokedSlot: slot, reofferedTo: this.reoffer(id, ranked) };
  }

  private tellEligibility(update: EligibilityUpdate): void {
    this.outbox.add("eligibility", update);
  }

  /** The registrant's current place in the pool, as the update that last told them so. */
  private updateFor(id: string): PrizeUpdate | null {
    const held = this.awardOf(id);
    const name = pseudonym(id);
    if (held !== null) {
      const seq = this.sql<{ seq: number }>`
        SELECT MAX(seq) AS seq FROM event WHERE type IN ('award', 'provisional', 'confirmed') AND pseudonym = ${name}`.one().seq;
      return { registrantId: id, seq, status: held.provisional ? "provisional" : "awarded", slot: held.slot, position: null };
    }
    const waiting = this.sql<{ position: number }>`SELECT position FROM waitlist WHERE registrant_id = ${id}`.toArray()[0];
    if (waiting) {
      const seq = this.sql<{ seq: number }>`
        SELECT MAX(seq) AS seq FROM event WHERE type = 'waitlist' AND pseudonym = ${name}`.one().seq;
      return { registrantId: id, seq, status: "waitlisted", slot: null, position: waiting.position };
    }
    // A provisional slot released stays released: a claim delivered again never takes another.
    const released = this.sql<{ seq: number }>`
      SELECT seq FROM event WHERE type = 'released' AND pseudonym = ${name} ORDER BY seq DESC LIMIT 1`.toArray()[0];
    return released ? { registrantId: id, seq: released.seq, status: "released", slot: null, position: null } : null;
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

  /** Publishes the ban list to KV for the signup path; retried while KV refuses. */
  private async writeBanSnapshot(): Promise<void> {
    const now = Date.now();
    try {
      await this.env.SNAPSHOTS.put(BAN_SNAPSHOT_KEY, JSON.stringify(this.eligibility.snapshot(now)));
    } catch (error) {
      console.warn("ban snapshot: KV write failed, retrying", error);
      await this.alarms.setEarliest("bans", now + SNAPSHOT_RETRY_MS);
    }
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
