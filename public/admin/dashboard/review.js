// @ts-check
/**
 * The drawer's review section: who the entrant is ("registered as" and the canonical
 * mailbox every spelling of it folds into), the judges' flags for organiser review, a
 * judge's own flag with a note, and for organisers the flags' resolution.
 */
import { api, asApiError } from "./api.js";
import { el } from "./dom.js";
import { afterChange, isOpen, opened, sections } from "./open-entry.js";
import { me } from "./profile.js";
import { reasonedAction } from "./reasoned-action.js";
import { say } from "./status.js";
import { plural } from "./text.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").EntryReview} EntryReview */

/**
 * Loads the open entry's review state (GET /admin/api/entries/:id/review) into it; false
 * when the entry closed meanwhile or the call failed (announced).
 */
export async function loadReview() {
  const { id } = opened();
  try {
    /** @type {EntryReview} */
    const review = await api(`/admin/api/entries/${encodeURIComponent(id)}/review`);
    if (!isOpen(id)) return false;
    opened().review = review;
    return true;
  } catch (error) {
    if (isOpen(id)) say(`Could not load the entry's review: ${asApiError(error).message}`, "bad");
    return false;
  }
}

/** Draws the section from the review state loaded with loadReview(). */
export function renderReview() {
  const { review } = opened();
  if (!sections.review || !review) return;
  sections.review.replaceChildren(...reviewParts(review));
}

/** @param {EntryReview} review */
function reviewParts(review) {
  const { id } = opened();
  const open = review.flags.filter((flag) => flag.resolved_at == null);
  const identity = review.identity
    ? el("dl", { class: "meta", "data-testid": "identity" },
      el("dt", {}, "Registered as"), el("dd", { "data-testid": "registered-as" }, review.identity.registeredAs),
      el("dt", {}, "Canonical mailbox"), el("dd", { "data-testid": "canonical-mailbox" }, review.identity.mailbox))
    : el("p", { class: "hint", "data-testid": "identity" }, "Who entered is hidden until you score the entry (blind judging).");
  const flags = review.flags.length
    ? el("ul", { class: "flags", "data-testid": "flags" }, review.flags.map((flag) =>
      el("li", { "data-testid": "flag", "data-open": flag.resolved_at == null ? "true" : "false" },
        el("strong", {}, flag.judge), " ", when(flag.flagged_at), flag.resolved_at != null ? el("span", { class: "hint" }, ` · resolved by ${flag.resolved_by ?? "an organiser"}`) : "",
        el("p", { class: "comment" }, flag.note))))
    : el("p", { class: "hint" }, "No judge has flagged this entry.");
  const parts = [
    el("h3", { id: "drawer-review-heading" }, "Review"),
    identity,
    el("h4", {}, open.length ? `Flagged for organiser review (${plural(open.length, "open flag")})` : "Flags"),
    flags,
    reasonedAction({
      id: "flag",
      label: "Flag for organiser review",
      hint: "say what an organiser should look at",
      field: "note",
      maxlength: 2000,
      trigger: "Flag for review…",
      question: () => "Flag this entry for the organisers with your note?",
      yes: "Yes, flag it",
      testid: "flag",
      send: async (note) => {
        await api(`/admin/api/entries/${encodeURIComponent(id)}/flag`, { method: "PUT", body: { note } });
        say("Flagged for the organisers.", "good");
        await afterChange.review(id);
        afterChange.list();
      },
    }),
  ];
  if (me.role === "organiser" && open.length) {
    const resolve = el("button", { type: "button", class: "secondary small", "data-testid": "resolve-flags" }, "Resolve the flags");
    resolve.addEventListener("click", async () => {
      resolve.disabled = true;
      try {
        const { resolved } = await api(`/admin/api/entries/${encodeURIComponent(id)}/flag`, { method: "DELETE" });
        say(`${plural(Number(resolved), "flag")} resolved.`, "good");
        await afterChange.review(id);
        afterChange.list();
      } catch (error) {
        resolve.disabled = false;
        say(`Could not resolve the flags: ${asApiError(error).message}`, "bad");
      }
    });
    parts.push(el("div", { class: "actions" }, resolve));
  }
  return parts;
}
