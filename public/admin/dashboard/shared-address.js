// @ts-check
/**
 * The drawer's shared-address section (organisers): the other winners who gave the same
 * postal address, each to open, and clearing the box for the vendor's list, asked first.
 */
import { api, asApiError } from "./api.js";
import { askFirst } from "./confirm.js";
import { el } from "./dom.js";
import { afterChange, opened, sections } from "./open-entry.js";
import { me } from "./profile.js";
import { say } from "./status.js";
import { fullName, STATUS_LABELS } from "./text.js";

/** How the dashboard opens another entry from a section (the drawer sets it). */
export const openOther = { entry: (/** @type {string} */ _id) => {} };

export function renderSharedAddress() {
  if (me.role !== "organiser" || !sections.sharedAddress) return;
  const { id, review } = opened();
  const section = sections.sharedAddress;
  if (!review || !review.address.review) {
    section.hidden = true;
    section.replaceChildren();
    return;
  }
  section.hidden = false;
  const pending = review.address.review === "pending";
  const peers = el("ul", { "data-testid": "address-peers" }, review.address.peers.map((peer) => {
    const button = el("button", { type: "button", class: "secondary small", "data-testid": "open-peer", "data-entry-id": peer.id }, "Open");
    button.addEventListener("click", () => openOther.entry(peer.id));
    return el("li", {}, fullName(peer) || "Erased entrant", " ", el("span", { class: "hint" }, `${peer.email ?? ""} · ${STATUS_LABELS[peer.status] ?? peer.status}`), " ", button);
  }));
  /** @type {HTMLElement[]} */
  const parts = [
    el("h3", { id: "drawer-shared-address-heading" }, "Same address as another winner"),
    el("p", { class: pending ? "notice bad" : "notice", "data-testid": "address-review", "data-review": review.address.review },
      pending
        ? "Another winner gave this postal address. The box is held back from the shipping list until an organiser clears it."
        : "An organiser cleared this: the box is on the shipping list."),
    peers,
  ];
  if (pending) {
    const trigger = el("button", { type: "button", class: "secondary", "data-testid": "clear-address-button" }, "Clear for shipping…");
    const yes = el("button", { type: "button", class: "small", "data-testid": "clear-address-confirm" }, "Yes, ship to it");
    const no = el("button", { type: "button", class: "secondary small", "data-testid": "clear-address-cancel" }, "Cancel");
    yes.addEventListener("click", async () => {
      yes.disabled = no.disabled = true;
      try {
        await api(`/admin/api/entries/${encodeURIComponent(id)}/clear-address`, { method: "POST", body: {} });
        say("Cleared: the box goes on the shipping list.", "good");
        await afterChange.review(id);
        afterChange.list();
      } catch (error) {
        yes.disabled = no.disabled = false;
        say(`Could not clear it: ${asApiError(error).message}`, "bad");
      }
    });
    parts.push(el("div", { class: "actions" }, trigger),
      askFirst({ id: "clear-address-confirm-box", trigger, question: "Send a box to this address though another winner gave it too?", yes, no }));
  }
  section.replaceChildren(...parts);
}
