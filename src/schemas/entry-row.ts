import * as v from "valibot";
import { RegistrantId } from "./prizes";

const Instant = v.pipe(v.number(), v.integer());
const Text = v.nullable(v.string());

/**
 * A registrant's row in the judges' index, as its Registrant object projects it: the
 * message body of the `index` queue, and the columns `upsertEntries` writes. Never holds
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
  /** JSON array of product ids. */
  products: v.string(),
  slot: v.nullable(v.number()),
  waitlist_position: v.nullable(v.number()),
  shipping_status: v.nullable(v.picklist(["awaiting", "ready", "shipped", "expired"])),
  hold_expires_at: v.nullable(Instant),
  /** JSON of the shipping address, once given. */
  shipping_address: Text,
  tracking_url: Text,
});

export type EntryRow = v.InferOutput<typeof EntryRow>;
