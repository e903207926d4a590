import * as v from "valibot";
import type { Env } from "../env";
import { AddressMode, ClaimToken, type AddressPeers, type ClaimResult } from "../schemas/address-claim";
import { RegistrantId } from "../schemas/prizes";
import { ALARM_SCHEDULE_SCHEMA } from "./alarms";
import { addressPeersRoute } from "./fair-play-routes";
import { OUTBOX_SCHEMA } from "./outbox";
import { OutboxOnlyHolder } from "./outbox-holder";
import type { Schema } from "./sql";

const CLAIM_TABLES = `
  CREATE TABLE claimant (
    registrant_id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    stamp INTEGER NOT NULL,
    claimed_at INTEGER NOT NULL
  );
  CREATE TABLE sequence (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );`;

const CURRENT = `${CLAIM_TABLES}
  ${OUTBOX_SCHEMA}
  ${ALARM_SCHEDULE_SCHEMA}`;

export const SCHEMA: Schema = { current: CURRENT, upgrades: [CURRENT] };

/** How an AddressClaim names itself as the origin of its dead letters, followed by its id. */
export const ADDRESS_CLAIM_ORIGIN = "address-claim:";

/**
 * One postal address, addressed by `idFromName(address fingerprint)`: the winners who gave
 * it, in the order they did. It decides, one claim at a time, who came first (invariant 7):
 * under `refuse` a second winner is turned away; under `review` both are kept and every
 * winner at the address is told, through the outbox, who else gave it. It holds registrant
 * ids and claim tokens only: never the address, nor its fingerprint.
 */
export class AddressClaim extends OutboxOnlyHolder<{ address_peers: ReturnType<typeof addressPeersRoute> }> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA, { address_peers: addressPeersRoute(env) }, `${ADDRESS_CLAIM_ORIGIN}${ctx.id}`);
  }

  /**
   * `registrantId` gives this address, under a new `token` (which replaces any older one of
   * theirs) and a new stamp, which only rises, so that of several racing claims the
   * Registrant keeps the token this object keeps. The first claimant is always accepted;
   * a later one is refused under `refuse`, and accepted under `review` with the others
   * named, each of whom is told too. Claiming again is accepted and tells nobody anything new.
   */
  async claim(registrantId: string, token: string, mode: string): Promise<ClaimResult> {
    const id = v.parse(RegistrantId, registrantId);
    const fresh = v.parse(ClaimToken, token);
    const rule = v.parse(AddressMode, mode);
    let joined = false;
    const result = this.ctx.storage.transactionSync((): ClaimResult => {
      const claimants = this.claimantIds();
      const mine = claimants.includes(id);
      const others = claimants.filter((claimant) => claimant !== id);
      if (!mine && others.length > 0 && rule === "refuse") return { ok: false, reason: "address_taken" };
      const stamp = this.next("claims");
      this.sql`INSERT INTO claimant (registrant_id, token, stamp, claimed_at) VALUES (${id}, ${fresh}, ${stamp}, ${Date.now()})
        ON CONFLICT (registrant_id) DO UPDATE SET token = excluded.token, stamp = excluded.stamp`;
      joined = !mine && others.length > 0;
      return { ok: true, stamp, seq: joined ? this.tellEveryone() : this.current("peers"), peers: others };
    });
    if (joined) void this.outbox.afterCommit();
    return result;
  }

  /**
   * `registrantId` no longer gives this address. Only the claim made with `token` is given
   * up, so a late release of an older claim leaves a newer one standing; the winners left
   * are told.
   */
  async release(registrantId: string, token: string): Promise<void> {
    const id = v.parse(RegistrantId, registrantId);
    const given = v.parse(ClaimToken, token);
    const released = this.ctx.storage.transactionSync(() => {
      const gone = this.sql`DELETE FROM claimant WHERE registrant_id = ${id} AND token = ${given} RETURNING 1`.toArray().length > 0;
      if (gone && this.claimantIds().length > 0) this.tellEveryone();
      return gone;
    });
    if (released) void this.outbox.afterCommit();
  }

  /** Who gave this address, first first. */
  async claimants(): Promise<string[]> {
    return this.claimantIds();
  }




  private claimantIds(): string[] {
    return this.sql<{ registrant_id: string }>`SELECT registrant_id FROM claimant ORDER BY claimed_at, registrant_id`
      .toArray()
      .map((row) => row.registrant_id);
  }

  private current(name: "peers" | "claims"): number {
    return this.sql<{ value: number }>`SELECT value FROM sequence WHERE name = ${name}`.toArray()[0]?.value ?? 0;
  }

  /** Inside a transaction: the next number of a sequence that only rises. */
  private next(name: "peers" | "claims"): number {
    return this.sql<{ value: number }>`INSERT INTO sequence (name, value) VALUES (${name}, 1)
      ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`.one().value;
  }

  /** Inside a transaction: a new change of who gave the address, told to each of them; its number. */
  private tellEveryone(): number {
    const seq = this.next("peers");
    const claimants = this.claimantIds();
    const claim = this.ctx.id.toString();
    for (const registrantId of claimants) {
      const update: AddressPeers = { registrantId, claim, seq, peers: claimants.filter((other) => other !== registrantId) };
      this.outbox.add("address_peers", update);
    }
    return seq;
  }
}
