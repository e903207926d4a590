// @ts-check
/** Who is signed in (GET /admin/api/me): the role, the rubric, the product catalogue. */
import { api, asApiError } from "./api.js";
import { say } from "./status.js";

/**
 * A judge until the profile says otherwise: organiser controls appear only once it does.
 * @type {import("./types.js").Profile}
 */
export const me = { role: "judge", rubric: [], products: [] };

/** @type {Promise<void> | undefined} */
let loading;

/** Loads the profile once; every caller waits for the same answer (or failure, announced). */
export function profileLoaded() {
  loading ??= api("/admin/api/me").then(
    (profile) => void Object.assign(me, profile),
    (error) => say(`Could not load your profile: ${asApiError(error).message}`, "bad"),
  );
  return loading;
}

/**
 * A product's name from the catalogue, or its id before the profile arrives.
 * @param {string} id
 */
export function productName(id) {
  return (me.products || []).find((product) => product.id === id)?.label ?? id;
}
