import type { ShippingAddress } from "../schemas/shipping";
import type { Sql } from "./sql";

/** Schema of a registrant's shipping state; part of the Registrant's migrations. */
export const SHIPPING_SCHEMA = `
  CREATE TABLE shipping (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    slot INTEGER NOT NULL,
    code_hash BLOB NOT NULL,
    links_issued INTEGER NOT NULL,
    hold_expires_at INTEGER NOT NULL,
    reminded_at INTEGER,
    expired_at INTEGER,
    address TEXT,
    address_given_at INTEGER,
    shipped_at INTEGER,
    tracking_url TEXT
  );
`;

export type ShippingStatus = "awaiting" | "ready" | "shipped" | "expired";

export interface ShippingState {
  slot: number;
  status: ShippingStatus;
  holdExpiresAt: number;
  address: ShippingAddress | null;
  shippedAt: number | null;
  trackingUrl: string | null;
}

type Row = {
  slot: number;
  code_hash: ArrayBuffer;
  links_issued: number;
  hold_expires_at: number;
  reminded_at: number | null;
  expired_at: number | null;
  address: string | null;
  shipped_at: number | null;
  tracking_url: string | null;
};

/**
 * A winner's prize hold and shipping details, inside the Registrant's storage. Every method
 * is synchronous: the Registrant calls them inside its transactions.
 */
export class Shipping {
  constructor(private readonly sql: Sql) {}

  /** A new hold for a newly awarded slot, replacing any earlier one. */
  open(slot: number, codeHash: ArrayBuffer, holdExpiresAt: number): void {
    this.sql`DELETE FROM shipping`;
    this.sql`INSERT INTO shipping (singleton, slot, code_hash, links_issued, hold_expires_at)
      VALUES (1, ${slot}, ${codeHash}, 1, ${holdExpiresAt})`;
  }

  /** The prize was revoked: nothing is held any more (an expiry marks, it does not clear). */
  close(): void {
    this.sql`DELETE FROM shipping WHERE expired_at IS NULL AND shipped_at IS NULL`;
  }

  state(): ShippingState | null {
    const row = this.row();
    if (!row) return null;
    return {
      slot: row.slot,
      status: row.shipped_at ? "shipped" : row.address ? "ready" : row.expired_at ? "expired" : "awaiting",
      holdExpiresAt: row.hold_expires_at,
      address: row.address ? (JSON.parse(row.address) as ShippingAddress) : null,
      shippedAt: row.shipped_at,
      trackingUrl: row.tracking_url,
    };
  }

  /** True when `presented` is the hash of the current shipping link's secret. */
  matches(presented: ArrayBuffer, same: (a: ArrayBuffer, b: ArrayBuffer) => boolean): boolean {
    const row = this.row();
    return row !== undefined && same(presented, row.code_hash);
  }

  setAddress(address: ShippingAddress, now: number): void {
    this.sql`UPDATE shipping SET address = ${JSON.stringify(address)}, address_given_at = ${now}`;
  }

  markShipped(trackingUrl: string | null, now: number): void {
    this.sql`UPDATE shipping SET shipped_at = ${now}, tracking_url = ${trackingUrl}`;
  }

  /**
   * Retires the link and stores a new one's hash; returns the link number. Only the halfway
   * reminder counts as the reminder (an organiser's resend leaves it to come).
   */
  reissue(codeHash: ArrayBuffer, now: number, { reminder }: { reminder: boolean }): number {
    return this.sql<{ links_issued: number }>`UPDATE shipping SET code_hash = ${codeHash},
      links_issued = links_issued + 1, reminded_at = CASE WHEN ${reminder ? 1 : 0} = 1 THEN ${now} ELSE reminded_at END
      RETURNING links_issued`.one().links_issued;
  }

  /** Whether the halfway reminder is due: still awaiting an address, not yet reminded. */
  needsReminder(): boolean {
    const row = this.row();
    return row !== undefined && row.address === null && row.expired_at === null && row.reminded_at === null;
  }

  /** Ends a hold that got no address by its expiry; false when there is nothing to end. */
  expire(now: number): boolean {
    const row = this.row();
    if (!row || row.address !== null || row.expired_at !== null || now < row.hold_expires_at) return false;
    this.sql`UPDATE shipping SET expired_at = ${now}`;
    return true;
  }

  private row(): Row | undefined {
    return this.sql<Row>`SELECT slot, code_hash, links_issued, hold_expires_at, reminded_at, expired_at,
      address, shipped_at, tracking_url FROM shipping`.toArray()[0];
  }
}
