import * as v from "valibot";
import { HttpError } from "../http/errors";

/** Keyset pagination: the last row's sort values, opaque to clients (base64url JSON). */
export function encodeCursor(values: readonly unknown[]): string {
  return btoa(JSON.stringify(values)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The values `encodeCursor` gave out, checked against `schema`; anything else is a 400. */
export function decodeCursor<T extends v.GenericSchema>(cursor: string, schema: T): v.InferOutput<T> {
  try {
    return v.parse(schema, JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/"))));
  } catch {
    throw new HttpError(400, "malformed", "The cursor is not one this API gave out.", { cursor: "Not a valid cursor" });
  }
}
