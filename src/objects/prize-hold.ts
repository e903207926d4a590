import type { ResendKind } from "../messages/email-keys";
import { emailKey } from "../messages/email-keys";
import type { EmailJob } from "../schemas/email-job";
import { addressSummary, type ShippingAddress } from "../schemas/shipping";
import { generateSecret, hashSecret, sameHash } from "../secrets";
import type { Sql } from "./sql";

/** Schema of a registrant's prize hold; part of the Registrant's schema. */
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

export type GiveAddress =
  | { ok: true; shipping: ShippingState }
  | { ok: false; reason: "unknown_code" | "expired" | "shipped" };

export type MarkShipped = { ok: true; shipping: ShippingState } | { ok: false; reason: "no_address" };

/** A new shipping link: the secret goes in the email, only its hash is stored. */
export interface ShippingLink {
  secret: string;
  hash: ArrayBuffer;
}

/** Makes a link before the transaction that uses it: hashing awaits, and nothing may await inside one. */
export async function shippingLink(): Promise<ShippingLink> {
  const secret = generateSecret();
  return { secret, hash: await hashSecret(secret) };
}

/** Who the hold is for, as its Registrant knows them, and how to email them. */
export interface Winner {
  id: string;
  contact(): { to: string; firstname: string } | null;
  email(job: EmailJob): void;
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
 * A winner's prize hold, inside the Registrant's storage: the shipping link, the reminder
 * halfway, the expiry, the address and the shipment, and the email each of them sends.
 * Every method is synchronous, for the Registrant to call inside its transactions; the
 * Registrant arms the alarms and hands the emails over after the commit.
 */
export class PrizeHold {
  constructor(
    private readonly sql: Sql,
    private readonly winner: Winner,
  ) {}

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
  matches(presented: ArrayBuffer): boolean {
    const row = this.row();
    return row !== undefined && sameHash(presented, row.code_hash);
  }

  /**
   * A newly awarded slot opens a hold until `holdExpiresAt`, replacing any earlier one; the
   * winner gets the link, told as a move up from the waitlist when `promoted`.
   */
  open(slot: number, seq: number, link: ShippingLink, holdExpiresAt: number, { promoted = false } = {}): void {
    const winner = this.winner.contact();
    if (!winner) return;
    this.sql`DELETE FROM shipping`;
    this.sql`INSERT INTO shipping (singleton, slot, code_hash, links_issued, hold_expires_at)
      VALUES (1, ${slot}, ${link.hash}, 1, ${holdExpiresAt})`;
    const template = promoted ? "waitlist_promoted" : "prize_won";
    this.winner.email({ template, key: this.key(template, seq), ...winner, code: this.code(link), slot, holdExpiresAt });
  }

  /** The prize was revoked: nothing is held any more (an expiry or a shipment stays on record). */
  close(): void {
    this.sql`DELETE FROM shipping WHERE expired_at IS NULL AND shipped_at IS NULL`;
  }

  /** Why an address cannot be given with `presented` now, or null when it can. Reads only. */
  refusal(presented: ArrayBuffer): Extract<GiveAddress, { ok: false }> | null {
    const state = this.state();
    if (!state || !this.winner.contact() || !this.matches(presented)) return { ok: false, reason: "unknown_code" };
    if (state.status === "expired" || state.status === "shipped") return { ok: false, reason: state.status };
    return null;
  }

  /** Stores (or corrects) the address while the hold lasts and before shipping; the winner gets a confirmation. */
  giveAddress(presented: ArrayBuffer, address: ShippingAddress, now: number): GiveAddress {
    const refused = this.refusal(presented);
    const winner = this.winner.contact();
    if (refused || !winner) return refused ?? { ok: false, reason: "unknown_code" };
    this.sql`UPDATE shipping SET address = ${JSON.stringify(address)}, address_given_at = ${now}`;
    this.winner.email({ template: "shipping_confirmed", key: this.key("shipping_confirmed", now), ...winner, summary: addressSummary(address), tshirtSize: address.tshirt_size || null });
    return { ok: true, shipping: this.state()! };
  }

  /** The box left (once); the winner gets the tracking link. */
  ship(trackingUrl: string | null, now: number): MarkShipped {
    const state = this.state();
    const winner = this.winner.contact();
    if (!state || !winner || state.status === "awaiting" || state.status === "expired") return { ok: false, reason: "no_address" };
    if (state.status === "shipped") return { ok: true, shipping: state };
    this.sql`UPDATE shipping SET shipped_at = ${now}, tracking_url = ${trackingUrl}`;
    this.winner.email({ template: "shipped", key: this.key("shipped", state.holdExpiresAt), ...winner, trackingUrl });
    return { ok: true, shipping: this.state()! };
  }

  /** Halfway through the hold, once, while no address came: a reminder with a fresh link (the old one retires). */
  remind(link: ShippingLink, now: number): boolean {
    const row = this.row();
    if (!row || row.address !== null || row.expired_at !== null || row.reminded_at !== null) return false;
    return this.sendLinkAgain(link, now, { reminder: true });
  }

  /** Ends a hold that got no address by its expiry, and tells the winner; false when there is nothing to end. */
  expire(now: number): boolean {
    const row = this.row();
    const winner = this.winner.contact();
    if (!row || !winner || row.address !== null || row.expired_at !== null || now < row.hold_expires_at) return false;
    this.sql`UPDATE shipping SET expired_at = ${now}`;
    this.winner.email({ template: "hold_expired", key: this.key("hold_expired", row.hold_expires_at), ...winner });
    return true;
  }

  /**
   * An organiser retries a failed email about the hold: a shipping link goes out fresh (the
   * old one retires), a notice again under its own key. False when it no longer applies.
   */
  resend(kind: Exclude<ResendKind, "link" | "disqualified" | "prize_revoked" | "announcement">, link: ShippingLink, now: number): boolean {
    const state = this.state();
    const winner = this.winner.contact();
    if (!state || !winner) return false;
    switch (kind) {
      case "shipping_link":
        return (state.status === "awaiting" || state.status === "ready") && this.sendLinkAgain(link, now, { reminder: false });
      case "shipping_confirmed":
        if (!state.address) return false;
        this.winner.email({ template: "shipping_confirmed", key: this.key("shipping_confirmed", now), ...winner, summary: addressSummary(state.address), tshirtSize: state.address.tshirt_size || null });
        return true;
      // A notice sent again goes under a key of its own: the email log keeps the failed one's
      // key as settled ("retried"), and would take a second job under it for a duplicate.
      case "shipped":
        if (state.status !== "shipped") return false;
        this.winner.email({ template: "shipped", key: this.key("shipped", `${state.holdExpiresAt}-${now}`), ...winner, trackingUrl: state.trackingUrl });
        return true;
      case "hold_expired":
        if (state.status !== "expired") return false;
        this.winner.email({ template: "hold_expired", key: this.key("hold_expired", `${state.holdExpiresAt}-${now}`), ...winner });
        return true;
    }
  }

  /**
   * Retires the link and emails a new one (the reminder template). Only the halfway
   * reminder counts as the reminder: an organiser's resend leaves it to come.
   */
  private sendLinkAgain(link: ShippingLink, now: number, { reminder }: { reminder: boolean }): boolean {
    const winner = this.winner.contact();
    const holdExpiresAt = this.row()?.hold_expires_at;
    if (!winner || holdExpiresAt === undefined) return false;
    const links = this.sql<{ links_issued: number }>`UPDATE shipping SET code_hash = ${link.hash},
      links_issued = links_issued + 1, reminded_at = CASE WHEN ${reminder ? 1 : 0} = 1 THEN ${now} ELSE reminded_at END
      RETURNING links_issued`.one().links_issued;
    this.winner.email({ template: "shipping_reminder", key: this.key("shipping_reminder", links), ...winner, code: this.code(link), holdExpiresAt });
    return true;
  }

  private key(template: EmailJob["template"], occasion: number | string): string {
    return emailKey(this.winner.id, template, occasion);
  }

  private code(link: ShippingLink): string {
    return `${this.winner.id}.${link.secret}`;
  }

  private row(): Row | undefined {
    return this.sql<Row>`SELECT slot, code_hash, links_issued, hold_expires_at, reminded_at, expired_at,
      address, shipped_at, tracking_url FROM shipping`.toArray()[0];
  }
}
