import type { AddressPeers, AddressRelease } from "../schemas/address-claim";
import type { Sql } from "./sql";

/**
 * Schema of a winner's address claim inside the Registrant: the AddressClaim that holds
 * their address now (by its object id; the fingerprint itself is never stored) with the
 * token of that claim and the other winners an organiser cleared, and what each claim's
 * object last said about the winners who gave the same address.
 */
export const ADDRESS_REVIEW_SCHEMA = `
  CREATE TABLE address_claim (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    claim TEXT NOT NULL,
    token TEXT NOT NULL,
    stamp INTEGER NOT NULL,
    cleared TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE address_peers (
    claim TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    peers TEXT NOT NULL
  );
`;

/**
 * pending: another winner gave the same address, and no organiser has cleared them all yet
 * (the box is held back from the vendor's list); cleared: an organiser looked and let it go.
 */
export type AddressReviewStatus = "pending" | "cleared";

export interface AddressReviewState {
  status: AddressReviewStatus | null;
  /** The other winners at the same address. */
  peers: string[];
}

/** A claim an AddressClaim accepted: its object, the token and stamp it was made with, and who else gave the address then. */
export interface AcceptedClaim {
  claim: string;
  token: string;
  stamp: number;
  seq: number;
  peers: string[];
}

/**
 * One box per address, as a winner's Registrant sees it: which address claim is theirs,
 * who else gave that address, and whether an organiser cleared it. Synchronous, for the
 * Registrant to call inside its transactions; it hands back the releases the outbox must
 * deliver.
 */
export class AddressReview {
  constructor(
    private readonly sql: Sql,
    private readonly registrantId: string,
  ) {}

  state(): AddressReviewState {
    const current = this.current();
    if (!current) return { status: null, peers: [] };
    const peers = this.peersOf(current.claim);
    const cleared = JSON.parse(current.cleared) as string[];
    if (peers.length === 0) return { status: null, peers };
    return { status: peers.every((peer) => cleared.includes(peer)) ? "cleared" : "pending", peers };
  }

  /** The claim currently held, for an erasure to give back. */
  held(): AddressRelease | null {
    const current = this.current();
    return current ? { registrantId: this.registrantId, claim: current.claim, token: current.token } : null;
  }

  /**
   * The winner's address is saved under `accepted` (null: no claim, the rule is off). A
   * claim of another address that this replaces is returned, for the outbox to give back.
   */
  save(accepted: AcceptedClaim | null): AddressRelease | null {
    const previous = this.held();
    if (!accepted) {
      this.sql`DELETE FROM address_claim`;
      return previous;
    }
    const sameAddress = previous?.claim === accepted.claim;
    if (!sameAddress) {
      this.sql`INSERT INTO address_claim (singleton, claim, token, stamp) VALUES (1, ${accepted.claim}, ${accepted.token}, ${accepted.stamp})
        ON CONFLICT (singleton) DO UPDATE SET claim = excluded.claim, token = excluded.token, stamp = excluded.stamp, cleared = '[]'`;
    } else {
      // Racing claims of one address: the AddressClaim keeps the latest (highest stamp), and so does this.
      this.sql`UPDATE address_claim SET token = ${accepted.token}, stamp = ${accepted.stamp} WHERE stamp < ${accepted.stamp}`;
    }
    this.record({ claim: accepted.claim, seq: accepted.seq, peers: accepted.peers });
    // Claiming the same address again replaced the token there: the older one is nothing to give back.
    return sameAddress ? null : previous;
  }

  /** The hold closed without the box shipping: the claim goes, for the outbox to give back. */
  give(): AddressRelease | null {
    const previous = this.held();
    this.sql`DELETE FROM address_claim`;
    return previous;
  }

  /** What an AddressClaim said about who gave its address; an older word than the stored one changes nothing. True when it changed this winner's review. */
  record(update: Pick<AddressPeers, "claim" | "seq" | "peers">): boolean {
    const stored = this.sql<{ seq: number }>`SELECT seq FROM address_peers WHERE claim = ${update.claim}`.toArray()[0];
    if (stored && stored.seq >= update.seq) return false;
    this.sql`INSERT INTO address_peers (claim, seq, peers) VALUES (${update.claim}, ${update.seq}, ${JSON.stringify(update.peers)})
      ON CONFLICT (claim) DO UPDATE SET seq = excluded.seq, peers = excluded.peers`;
    return this.current()?.claim === update.claim;
  }

  /** An organiser saw the winners at this address and lets the box go; false when there is nothing to clear. */
  clear(): boolean {
    const { status, peers } = this.state();
    if (status !== "pending") return false;
    this.sql`UPDATE address_claim SET cleared = ${JSON.stringify(peers)}`;
    return true;
  }

  private current(): { claim: string; token: string; cleared: string } | undefined {
    return this.sql<{ claim: string; token: string; cleared: string }>`SELECT claim, token, cleared FROM address_claim`.toArray()[0];
  }

  private peersOf(claim: string): string[] {
    const row = this.sql<{ peers: string }>`SELECT peers FROM address_peers WHERE claim = ${claim}`.toArray()[0];
    return row ? (JSON.parse(row.peers) as string[]) : [];
  }
}
