import * as v from "valibot";
import { Consent, HttpUrl, Text } from "./fields";
import { PRODUCT_IDS, PRODUCT_RULE, productLabel, type ProductId } from "./products";

const Products = v.pipe(
  // One ticked checkbox arrives as a string, several as an array, none as nothing.
  v.optional(v.union([v.string(), v.array(v.string())]), []),
  v.transform((value) => (Array.isArray(value) ? value : [value])),
  v.array(v.picklist(PRODUCT_IDS, "Pick products from the list")),
  v.transform((ids) => PRODUCT_IDS.filter((id) => ids.includes(id))),
  v.check((ids: ProductId[]) => ids.includes(PRODUCT_RULE.required), `The rules ask for a project built on ${productLabel(PRODUCT_RULE.required)}`),
  v.minLength(PRODUCT_RULE.atLeast, `The rules ask for ${productLabel(PRODUCT_RULE.required)} and at least ${PRODUCT_RULE.atLeast - 1 === 1 ? "one other product" : `${PRODUCT_RULE.atLeast - 1} other products`}`),
);

/** POST /submit, without the code (which is checked before the fields). */
export const SubmissionForm = v.object({
  // Each message names the field as the form labels it.
  title: Text("Project title", 120),
  description: Text("Description", 5000),
  repo_url: HttpUrl("Code repository URL"),
  demo_url: HttpUrl("Live project URL"),
  products: Products,
  confirm_original: Consent("Confirm that this is your own work and you may share it"),
});

export type SubmissionForm = v.InferOutput<typeof SubmissionForm>;

/** One version of an entrant's submission, as the Registrant object keeps it. */
export interface SubmissionVersion extends SubmissionForm {
  version: number;
  submittedAt: number;
}
