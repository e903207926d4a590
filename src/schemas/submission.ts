import * as v from "valibot";
import { Consent, HttpUrl, Text } from "./fields";
import { PRODUCT_IDS, type ProductId } from "./products";

const Products = v.pipe(
  // One ticked checkbox arrives as a string, several as an array, none as nothing.
  v.optional(v.union([v.string(), v.array(v.string())]), []),
  v.transform((value) => (Array.isArray(value) ? value : [value])),
  v.array(v.picklist(PRODUCT_IDS, "Pick products from the list")),
  v.transform((ids) => PRODUCT_IDS.filter((id) => ids.includes(id))),
  v.check((ids: ProductId[]) => ids.includes("workers"), "The rules ask for a project built on Workers"),
  v.minLength(2, "The rules ask for Workers and at least one other product"),
);

/** POST /submit, without the code (which is checked before the fields). */
export const SubmissionForm = v.object({
  title: Text("Title", 120),
  description: Text("Description", 5000),
  repo_url: HttpUrl("Repository URL"),
  demo_url: HttpUrl("Demo URL"),
  products: Products,
  confirm_original: Consent("Confirm that this is your own work and you may share it"),
});

export type SubmissionForm = v.InferOutput<typeof SubmissionForm>;

/** One version of an entrant's submission, as the Registrant object keeps it. */
export interface SubmissionVersion extends SubmissionForm {
  version: number;
  submittedAt: number;
}
