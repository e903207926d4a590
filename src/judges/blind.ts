/**
 * Blind judging (BLIND_JUDGING=true): a judge sees no entrant's name or email, and no other
 * judge's score, of an entry until they have scored it themselves; organisers always see
 * everything. Every judges' answer that carries entrants' data asks `isBlind` and hides
 * through here, so what is hidden is decided in one place.
 */
import type { Config } from "../config";
import type { Judge } from "../schemas/judges";

/** Whether judging is blind for this caller: the setting is on and they are not an organiser. */
export function isBlind(config: Pick<Config, "blindJudging">, judge: Judge): boolean {
  return config.blindJudging && judge.role === "judge";
}

/** Who the entrant is, and what the other judges made of the entry. */
const HIDDEN = ["email", "mailbox", "firstname", "lastname", "score", "rank_value"] as const;

type Hidden<T> = { [K in keyof T]: K extends (typeof HIDDEN)[number] ? null : T[K] } & { blind: true };

/** The row with the entrant's identity and the judges' scores taken out, marked `blind`. */
export function hideIdentity<T extends object>(row: T): Hidden<T> {
  const copy: Record<string, unknown> = { ...row, blind: true };
  for (const field of HIDDEN) if (field in copy) copy[field] = null;
  return copy as Hidden<T>;
}

/** Shown instead of what a blind judge may not read in an operational log. */
export const WITHHELD = "(hidden while judging is blind)";
