/**
 * What judges and organisers send and see of conflicts of interest: the declaration's
 * schema, and a conflict as a judge may read it (blind judging withholds an entrant's email
 * address an organiser recorded, which the judge did not type themselves).
 */
import * as v from "valibot";
import { EmailAddress, EmailDomain } from "../schemas/fields";
import type { Judge } from "../schemas/judges";
import { RegistrantId } from "../schemas/prizes";
import type { Conflict } from "../store/conflicts";
import { WITHHELD } from "./blind";

const Reason = v.optional(v.pipe(v.string("reason must be text"), v.trim(), v.maxLength(500, "reason is at most 500 characters")), "");
/** Whose conflict: the caller's own unless an organiser names another judge. */
const JudgeName = v.optional(v.pipe(v.string("judge must be text"), v.trim(), v.nonEmpty("judge is a judge's name"), v.maxLength(100, "judge is at most 100 characters")));

/** POST /admin/api/conflicts. */
export const ConflictDeclaration = v.variant(
  "kind",
  [
    v.object({ kind: v.literal("email"), value: EmailAddress, reason: Reason, judge: JudgeName }),
    v.object({ kind: v.literal("domain"), value: EmailDomain, reason: Reason, judge: JudgeName }),
    v.object({ kind: v.literal("entry"), value: v.pipe(v.string("value must be an entry id"), v.trim(), v.toLowerCase(), RegistrantId), reason: Reason, judge: JudgeName }),
  ],
  "kind is email, domain or entry",
);

/** The conflict as `viewer` may see it. */
export function conflictFor(conflict: Conflict, viewer: Judge, blind: boolean): Conflict {
  const withheld = blind && conflict.kind === "email" && conflict.declared_by !== viewer.name;
  return withheld ? { ...conflict, value: WITHHELD } : conflict;
}

/** Why `viewer` may not score the entry, naming each conflict as they may see it. */
export function conflictMessage(conflicts: readonly Conflict[], viewer: Judge, blind: boolean): string {
  const named = conflicts.map((conflict) => {
    const shown = conflictFor(conflict, viewer, blind);
    const who = shown.declared_by === viewer.name ? "you declared" : `${shown.declared_by} recorded`;
    return `${shown.kind} ${shown.value} (#${shown.id}, ${who})`;
  });
  return `You have a conflict of interest with this entry: ${named.join("; ")}. Your score would not count, so it is refused.`;
}
