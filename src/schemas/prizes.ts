import * as v from "valibot";

/** A registrant's public id: the hex of their Durable Object id. */
export const RegistrantId = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "Not a registrant id"));

/** Entries that might take a released prize, best first (the judges' ranking). */
export const Candidates = v.pipe(v.array(RegistrantId), v.maxLength(100));

/** Who made a change: a judge's name, "first_come", "config"… Kept in the private audit. */
export const Actor = v.pipe(v.string(), v.trim(), v.nonEmpty("An actor is required"), v.maxLength(200));

export const PoolSize = v.pipe(v.number(), v.integer("The pool size must be a whole number"), v.minValue(0), v.maxValue(1_000_000));

/** What the PrizeCounter tells a Registrant about its place in the pool. */
export const PrizeUpdate = v.object({
  registrantId: RegistrantId,
  /** The award log's sequence number: a Registrant keeps only the newest update. */
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** provisional: a first-come slot under review (FIRST_COME_REVIEW_HOURS); released: that slot freed again. */
  status: v.picklist(["awarded", "revoked", "waitlisted", "provisional", "released"]),
  slot: v.nullable(v.number()),
  position: v.nullable(v.number()),
  /** For a revoke: the reason the organiser gave, told to the entrant in the notice. */
  reason: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(500)))),
  /** For a revoke: false when no notice should go (a mistake, an expired hold, an erasure). */
  notify: v.optional(v.boolean()),
});

export type PrizeUpdate = v.InferOutput<typeof PrizeUpdate>;

/** The live count, as /live, /api/prizes and the KV snapshot carry it. */
export const PrizeStatus = v.object({
  type: v.literal("prizes"),
  remaining: v.number(),
  total: v.number(),
  /** The award log's head hash. */
  head: v.string(),
});

export type PrizeStatus = v.InferOutput<typeof PrizeStatus>;

/** The KV snapshot of the pool for fast page renders; may lag the counter by seconds. */
export const PrizeSnapshot = v.object({
  ...PrizeStatus.entries,
  updatedAt: v.string(),
});

export type PrizeSnapshot = v.InferOutput<typeof PrizeSnapshot>;

export const PRIZE_SNAPSHOT_KEY = "prizes";

/** A Durable Object's id as its hex string. */
export const ObjectId = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "Not a Durable Object id"));

/**
 * What the PrizeCounter pushes to a LiveRelay: the live message and the award log's last
 * sequence number, so that a relay never replaces a newer count with an older one.
 */
export const LiveUpdate = v.object({
  seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
  message: v.pipe(v.string(), v.maxLength(1_000)),
});

export type LiveUpdate = v.InferOutput<typeof LiveUpdate>;
