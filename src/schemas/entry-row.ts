import * as v from "valibot";
import { RegistrantId } from "./prizes";

const Instant = v.pipe(v.number(), v.integer());
const Text = v.nullable(v.string());

/**
 * A registrant's row in the judges' index, as its Registrant object projects it: the
 * `rows` of a change message, and the columns `upsertStatements` writes. Never holds
 * a link code.
 */
export const EntryRow = v.object({
  id: RegistrantId,
  /** Increases with every change of the registrant; the index keeps the highest. */
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  email: v.string(),
  firstname: v.string(),
  lastname: v.string(),
  status: v.picklist(["registered", "submitted", "winner", "waitlisted", "erased"]),
  registered_at: Instant,
  submitted_at: v.nullable(Instant),
  amended_at: v.nullable(Instant),
  submission_version: v.nullable(v.pipe(v.number(), v.integer())),
  title: Text,
  description: Text,
  repo_url: Text,
  demo_url: Text,
  /**
   * JSON array of product ids. The index's triggers expand it with json_each, so anything
   * else would fail the D1 batch it travels in, and every other row of that batch with it.
   */
  products: v.pipe(v.string(), v.check(isJsonStringArray, "products is not a JSON array of strings")),
  slot: v.nullable(v.number()),
  waitlist_position: v.nullable(v.number()),
  shipping_status: v.nullable(v.picklist(["awaiting", "ready", "shipped", "expired"])),
  hold_expires_at: v.nullable(Instant),
  /** JSON of the shipping address, once given. */
  shipping_address: Text,
  tracking_url: Text,
  // One box per person. Optional with defaults: rows queued by an older version of the
  // object still parse, and the object's next row brings the values.
  /** The canonical mailbox the registrant is keyed by (`email` is the address as first registered). */
  mailbox: v.optional(v.string(), ""),
  /** When the PrizeCounter's disqualification reached the registrant; null while eligible. */
  disqualified_at: v.optional(v.nullable(Instant), null),
  /** Another winner gave the same postal address: pending an organiser's look, or cleared. */
  address_review: v.optional(v.nullable(v.picklist(["pending", "cleared"])), null),
  /** JSON array of the other winners' ids at the same address. */
  address_peers: v.optional(v.pipe(v.string(), v.check(isJsonStringArray, "address_peers is not a JSON array of ids")), "[]"),
  /** A first-come slot under review: until when (the status is then "winner", not yet confirmed). */
  provisional_until: v.optional(v.nullable(Instant), null),
  /** 1 when the entrant agreed to be listed on the public winners page. Rows sent before it existed say nothing: 0. */
  showcase: v.optional(v.picklist([0, 1]), 0),
});

export type EntryRow = v.InferOutput<typeof EntryRow>;

function isJsonStringArray(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === "string");
  } catch {
    return false;
  }
}
