import * as v from "valibot";
import { RegistrantId } from "./prizes";

/**
 * What the PrizeCounter tells a Registrant about its eligibility: disqualified or not, as
 * of the counter's `seq` for such changes (a Registrant keeps the newest). The reason stays
 * with the counter and the audit log.
 */
export const EligibilityUpdate = v.object({
  registrantId: RegistrantId,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  disqualified: v.boolean(),
});

export type EligibilityUpdate = v.InferOutput<typeof EligibilityUpdate>;

/** A disqualification as the counter keeps it, for organisers. */
export interface Disqualification {
  disqualified: boolean;
  reason: string;
  by: string;
  at: number;
  reinstatedBy: string | null;
  reinstatedAt: number | null;
}
