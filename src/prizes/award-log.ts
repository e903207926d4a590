import { createHash } from "node:crypto";

/**
 * The public, hash-chained log of the prize pool. Every event's hash is
 * SHA-256(previous hash + "\n" + its canonical content), starting from GENESIS, so anyone
 * holding the log can check that no event was inserted, removed, changed or reordered.
 * Only public fields are hashed; who acted is kept in the private audit, not here. Under a
 * first-come review window a claim is `provisional` (its slot taken), then `confirmed` when
 * the window ends, or `released` (the slot freed for the waitlist's head).
 */
export type AwardEventType = "award" | "revoke" | "resize" | "waitlist" | "provisional" | "confirmed" | "released";

export interface AwardEvent {
  seq: number;
  type: AwardEventType;
  /** A stable per-registrant pseudonym, never the email (see pseudonym()). */
  pseudonym: string | null;
  slot: number | null;
  /** Place on the first-come waitlist. */
  position: number | null;
  /** The pool size after the event. */
  total: number;
  /** ISO 8601 time of the event. */
  at: string;
}

export interface HashedAwardEvent extends AwardEvent {
  hash: string;
}

export const GENESIS = "0".repeat(64);

export function canonical(event: AwardEvent): string {
  return JSON.stringify([event.seq, event.type, event.pseudonym, event.slot, event.position, event.total, event.at]);
}

export function chainHash(previous: string, event: AwardEvent): string {
  return sha256(`${previous}\n${canonical(event)}`);
}

/** What the log shows instead of a registrant id: the first 16 hex digits of its SHA-256. */
export function pseudonym(registrantId: string): string {
  return sha256(`swagbox-pseudonym\n${registrantId}`).slice(0, 16);
}

export type Verification = { ok: true; head: string } | { ok: false; seq: number; reason: string };

/**
 * Checks a whole log from its first event: sequence numbers 1, 2, 3… without gaps, every
 * hash recomputed from the one before, and the last one equal to the published head.
 */
export function verifyAwardLog(events: readonly HashedAwardEvent[], head: string): Verification {
  let previous = GENESIS;
  for (const [index, event] of events.entries()) {
    if (event.seq !== index + 1) return { ok: false, seq: event.seq, reason: `expected event ${index + 1}` };
    if (chainHash(previous, event) !== event.hash) return { ok: false, seq: event.seq, reason: "hash does not match" };
    previous = event.hash;
  }
  if (previous !== head) return { ok: false, seq: events.length, reason: "the head hash does not match the last event" };
  return { ok: true, head };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
