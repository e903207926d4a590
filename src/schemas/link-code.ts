import * as v from "valibot";

/**
 * A secret link code: `<registrant object id, 64 hex>.<32 random bytes, base64url>`.
 * The id routes to the object without a lookup; only the object can check the secret.
 */
export const LinkCode = v.pipe(
  v.string("The link code is missing"),
  v.trim(),
  v.regex(/^[0-9a-f]{64}\.[A-Za-z0-9_-]{43}$/, "This link code is not valid"),
  v.transform((code) => {
    const [registrantId, secret] = code.split(".") as [string, string];
    return { registrantId, secret };
  }),
);

export type LinkCode = v.InferOutput<typeof LinkCode>;
