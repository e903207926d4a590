// @ts-check
/**
 * The organisers' review card: the queue of entries judges flagged, and the winners who
 * gave the same postal address; each entry opens in the drawer.
 */
import { api, asApiError } from "./api.js";
import { $, el } from "./dom.js";
import { pagedList } from "./paged-list.js";
import { say } from "./status.js";
import { fullName, STATUS_LABELS } from "./text.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").QueuedFlag} QueuedFlag */
/** @typedef {import("./types.js").AddressGroup} AddressGroup */

/**
 * A button that opens entry `id` in the drawer.
 * @param {string} id
 * @param {(id: string) => void} open
 */
function openButton(id, open) {
  const button = el("button", { type: "button", class: "secondary small", "data-testid": "review-open", "data-entry-id": id }, "Open");
  button.addEventListener("click", () => open(id));
  return button;
}

/**
 * Wires the card's two panels (each loads when first opened) and returns how to refresh them.
 * @param {{ open: (id: string) => void }} actions
 */
export function startReviewQueue({ open }) {
  const flagsDetails = /** @type {HTMLDetailsElement} */ ($("#flags-details"));
  const pairsDetails = /** @type {HTMLDetailsElement} */ ($("#pairs-details"));
  const pairRows = /** @type {HTMLTableSectionElement} */ ($("#pair-rows"));
  const pairsCount = $("#pairs-count");

  const flags = pagedList({
    path: "/admin/api/flags",
    key: "flags",
    noun: { one: "open flag", many: "open flags" },
    what: "the flagged entries",
    rows: /** @type {HTMLTableSectionElement} */ ($("#flag-rows")),
    count: $("#flags-count"),
    more: /** @type {HTMLButtonElement} */ ($("#flags-more")),
    query: () => new URLSearchParams(),
    /** @param {QueuedFlag} flag */
    row: (flag) =>
      el("tr", { "data-testid": "flag-row", "data-entry-id": flag.entry_id },
        el("td", {}, fullName(flag) || "—", el("span", { class: "sub" }, flag.email ?? "")),
        el("td", { class: "comment" }, flag.note, el("span", { class: "sub" }, flag.judge, " · ", when(flag.flagged_at))),
        el("td", {}, openButton(flag.entry_id, open))),
  });

  async function loadPairs() {
    try {
      /** @type {{ groups: AddressGroup[] }} */
      const { groups } = await api("/admin/api/address-pairs");
      pairRows.replaceChildren(...groups.map((group) =>
        el("tr", { "data-testid": "address-pair", "data-pending": group.pending ? "true" : "false" },
          el("td", {}, el("span", { class: `badge ${group.pending ? "duplicate" : "sent"}` }, group.pending ? "Waiting for review" : "Cleared")),
          el("td", {}, el("ul", { class: "plain" }, group.entries.map((entry) =>
            el("li", { "data-entry-id": entry.id }, fullName(entry) || "Erased entrant", " ",
              el("span", { class: "hint" }, `${entry.email ?? ""} · ${STATUS_LABELS[entry.status] ?? entry.status}${entry.disqualified_at != null ? " · disqualified" : ""}`), " ",
              openButton(entry.id, open))))))));
      pairsCount.textContent = groups.length ? `${groups.length} group${groups.length === 1 ? "" : "s"} of winners share an address.` : "No two winners gave the same address.";
    } catch (error) {
      say(`Could not load the shared addresses: ${asApiError(error).message}`, "bad");
    }
  }

  flagsDetails.addEventListener("toggle", () => {
    if (flagsDetails.open && !flags.loaded) flags.load();
  });
  pairsDetails.addEventListener("toggle", () => {
    if (pairsDetails.open) void loadPairs();
  });

  return {
    /** Loads again whichever panel is open, after a change in the drawer. */
    refreshIfOpen() {
      if (flagsDetails.open) flags.load();
      if (pairsDetails.open) void loadPairs();
    },
  };
}
