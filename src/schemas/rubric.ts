import * as v from "valibot";

/** One criterion of the judging rubric: scored 0…max, counted with its weight. */
export const Criterion = v.object({
  id: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,39}$/, "a criterion id is lower-case letters, digits and _")),
  label: v.pipe(v.string(), v.trim(), v.nonEmpty(), v.maxLength(100)),
  weight: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
  max: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)),
});

export type Criterion = v.InferOutput<typeof Criterion>;

export const Rubric = v.pipe(
  v.array(Criterion),
  v.minLength(1, "the rubric needs at least one criterion"),
  v.check((criteria) => new Set(criteria.map((c) => c.id)).size === criteria.length, "criterion ids must be unique"),
  v.check((criteria) => criteria.some((c) => c.weight > 0), "at least one criterion needs a weight above 0"),
);

export type Rubric = v.InferOutput<typeof Rubric>;

/** The seed challenge's three criteria, equally weighted. */
export const DEFAULT_RUBRIC: Rubric = [
  { id: "requirements", label: "Meets the requirements", weight: 1, max: 5 },
  { id: "innovation", label: "Innovation", weight: 1, max: 5 },
  { id: "breadth", label: "Breadth of platform products used", weight: 1, max: 5 },
];

/** A judge's scores: one whole number per criterion, each within 0…max. */
export function scoreSchema(rubric: Rubric) {
  return v.object({
    criteria: v.optional(v.strictObject(
      Object.fromEntries(
        rubric.map((c) => [
          c.id,
          v.pipe(
            // A missing criterion reads as NaN, which fails with the same "needs a score".
            v.optional(v.number(`${c.label} needs a score`), Number.NaN),
            v.integer(`${c.label} is a whole number`),
            v.minValue(0, `${c.label} is at least 0`),
            v.maxValue(c.max, `${c.label} is at most ${c.max}`),
          ),
        ]),
      ),
      "Unknown criterion",
    ), {}),
    comment: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(5000, "The comment is at most 5000 characters")), ""),
  });
}

/** The weighted mean of the scores, as a percentage of the best possible. */
export function weightedScore(rubric: Rubric, criteria: Record<string, number>): number {
  const totalWeight = rubric.reduce((sum, c) => sum + c.weight, 0);
  const points = rubric.reduce((sum, c) => sum + c.weight * ((criteria[c.id] ?? 0) / c.max), 0);
  return Math.round((points / totalWeight) * 10_000) / 100;
}
