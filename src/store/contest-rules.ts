/**
 * Which entries judging works on, and which of them may be awarded: each rule is a SQL
 * condition on an index row (alias `e`) that an entry must meet, and the reason it is
 * passed over when it does not. `next`, progress, the top-N preview and the batch award
 * read these lists, so a new check (disqualified, flagged) is one more rule here.
 * A condition must never be NULL, or an entry would pass it unnoticed.
 */
export interface Rule {
  reason: string;
  holds: string;
  params?: readonly unknown[];
}

/** What makes an entry part of the contest: reviewed, ranked, counted in the progress. */
export const IN_CONTEST: readonly Rule[] = [
  // An erased entrant's tombstone has no submission either.
  { reason: "no_submission", holds: "e.submission_version IS NOT NULL" },
  { reason: "disqualified", holds: "e.disqualified_at IS NULL" },
];

/** What an entry must meet to win: checked by the preview, and again when the award is made. */
export function awardRules(minReviews: number): Rule[] {
  return [
    ...IN_CONTEST,
    { reason: "below_min_reviews", holds: "e.scores_count >= ?", params: [minReviews] },
    // A judge asked the organisers to look first.
    { reason: "flagged", holds: "e.flags_open = 0" },
  ];
}

/**
 * Not a winner already, as the index says: the preview passes winners over by it; the
 * award itself asks the prize counter, which knows for sure.
 */
export const NOT_A_WINNER: Rule = { reason: "already_winner", holds: "e.status != 'winner'" };

/**
 * Every rule as one WHERE condition, with its parameters in order. Given `first`, each `?`
 * becomes a numbered parameter from `first` on, for a statement with numbered parameters.
 */
export function allHold(rules: readonly Rule[], first?: number): { sql: string; params: unknown[] } {
  const numbered = numberParams(rules.map((rule) => `(${rule.holds})`), first);
  return { sql: numbered.join(" AND "), params: rules.flatMap((rule) => rule.params ?? []) };
}

/** The reason of the first rule an entry breaks, or NULL when it meets them all; parameters as in allHold. */
export function firstBroken(rules: readonly Rule[], first?: number): { sql: string; params: unknown[] } {
  const tests = numberParams(rules.map((rule) => rule.holds), first);
  const cases = rules.map((rule, i) => `WHEN NOT (${tests[i]}) THEN '${rule.reason.replace(/'/g, "''")}'`);
  return { sql: `CASE ${cases.join(" ")} END`, params: rules.flatMap((rule) => rule.params ?? []) };
}

function numberParams(conditions: string[], first: number | undefined): string[] {
  if (first === undefined) return conditions;
  let next = first;
  return conditions.map((condition) => condition.replace(/\?/g, () => `?${next++}`));
}
