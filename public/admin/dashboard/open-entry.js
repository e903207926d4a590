// @ts-check
/**
 * The entry open in the drawer, shared by the drawer's sections: its detail, the section
 * elements (drawn separately, so saving a score does not rebuild the form in use), and
 * what the rest of the dashboard does after a change.
 */
import { api, sleep } from "./api.js";

/** @typedef {import("./types.js").EntryDetail} EntryDetail */

/**
 * The open entry: its detail, and its review state once loaded (review.js).
 * @typedef {{ id: string, detail: EntryDetail, review?: import("./types.js").EntryReview }} OpenEntry
 */

/** @type {OpenEntry | null} */
export let current = null;

/**
 * @param {OpenEntry | null} entry
 */
export function setCurrent(entry) {
  current = entry;
}

/**
 * True while entry `id` is the one open: an answer for an entry closed meanwhile is dropped.
 * @param {string} id
 */
export function isOpen(id) {
  return current !== null && current.id === id;
}

/**
 * The open entry; only called by a section drawn for it.
 * @returns {OpenEntry}
 */
export function opened() {
  if (!current) throw new Error("No entry is open");
  return current;
}

/**
 * The drawer's sections, made for each entry opened.
 * @type {{ summary?: HTMLElement, checks?: HTMLElement, scores?: HTMLElement, scoreForm?: HTMLElement, skip?: HTMLElement, award?: HTMLElement, notes?: HTMLElement, shipping?: HTMLElement, history?: HTMLElement, erase?: HTMLElement, review?: HTMLElement, eligibility?: HTMLElement, sharedAddress?: HTMLElement }}
 */
export const sections = {};

/** What the rest of the dashboard does when an action in the drawer changed the entry. */
export const afterChange = {
  /** The list shows the entry's new score, status or shipping. */
  list: () => {},
  /** The counts changed (a prize was awarded or revoked). */
  stats: () => {},
  /**
   * The entrant is gone: the drawer closes, and what showed them is loaded again.
   * @param {string} _id
   * @returns {Promise<void>}
   */
  erased: async (_id) => {},
  /**
   * The entry's review state changed (a flag, a disqualification, a ban, a cleared address):
   * its review sections are drawn again, and the review queues refreshed.
   * @param {string} _id
   * @returns {Promise<void>}
   */
  review: async (_id) => {},
  /**
   * The judge is done with the entry (scored or skipped it): progress moves, and a judge
   * following "Next entry" gets the next one.
   * @param {string} _id
   */
  reviewed: (_id) => {},
};

/** How a section opens another entry in the drawer (an entry sharing a link); main.js wires it. */
export const navigate = {
  /** @param {string} _id */
  open: (_id) => {},
};

/**
 * @param {string} id
 * @returns {Promise<EntryDetail>}
 */
export function fetchEntry(id) {
  return api(`/admin/api/entries/${encodeURIComponent(id)}`);
}

/** Loads the open entry again; its detail is kept if it is still the one open. */
export async function reloadEntry() {
  if (!current) return;
  const id = current.id;
  const detail = await fetchEntry(id);
  if (isOpen(id)) opened().detail = detail;
  return detail;
}

/**
 * The index follows the objects a moment later: loads entry `id` again until `done` says it
 * has caught up (a few tries, backing off), or it is closed.
 * @param {string} id
 * @param {(detail: EntryDetail) => boolean} done
 */
export async function reloadUntil(id, done) {
  for (let attempt = 0; attempt < 8 && isOpen(id); attempt++) {
    const detail = await fetchEntry(id).catch(() => null);
    if (detail && done(detail)) {
      if (isOpen(id)) opened().detail = detail;
      return detail;
    }
    await sleep(250 * (attempt + 1));
  }
  return null;
}
