import * as v from "valibot";
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { LinkCode } from "../schemas/link-code";

/** A link code from a query or form, or the 404 `message` says what to do about it. */
export function parseLinkCode(value: unknown, message: string): LinkCode {
  const parsed = v.safeParse(LinkCode, value);
  if (!parsed.success) throw new HttpError(404, "unknown_code", message);
  return parsed.output;
}

/** The Registrant object a code names; a forged id is as unknown as a wrong secret. */
export function registrantFor(env: Env, code: LinkCode, message: string) {
  let id: DurableObjectId;
  try {
    id = env.REGISTRANT.idFromString(code.registrantId);
  } catch {
    throw new HttpError(404, "unknown_code", message);
  }
  return env.REGISTRANT.get(id);
}
