// @ts-check
/** A winner's hold, address and parcel, and marking it shipped (organisers). */
import { api, asApiError } from "./api.js";
import { $, el } from "./dom.js";
import { externalLink, renderSummary } from "./entry-view.js";
import { afterChange, current, isOpen, opened, reloadEntry, reloadUntil, sections } from "./open-entry.js";
import { me } from "./profile.js";
import { say } from "./status.js";
import { addressLines } from "./text.js";
import { when } from "./time.js";

/** @type {Record<string, string>} */
const SHIPPING_STATES = {
  awaiting: "Awaiting the winner's address",
  ready: "Address given: ready to ship",
  shipped: "Shipped",
  expired: "The hold expired without an address",
};

const countryNames = (() => {
  try {
    return new Intl.DisplayNames(undefined, { type: "region" });
  } catch {
    return null;
  }
})();

/** @param {string} code */
const countryName = (code) => countryNames?.of(code);

/** The section's line that says where the parcel is, which takes focus after a change. */
const stateLine = () => /** @type {HTMLElement | null | undefined} */ (sections.shipping?.querySelector("[data-testid=shipping-state]"));

export function renderShipping() {
  if (!sections.shipping || !current) return;
  const section = sections.shipping;
  const { entry } = current.detail;
  const status = entry.shipping_status && Object.hasOwn(SHIPPING_STATES, entry.shipping_status) ? entry.shipping_status : null;
  // Only winners, and former winners whose hold ran out, have anything to ship.
  section.hidden = !status && entry.status !== "winner";
  if (section.hidden) {
    section.replaceChildren();
    return;
  }
  const heading = el("h3", { id: "drawer-shipping-heading" }, "Shipping");
  const state = el("p", { tabindex: "-1", "data-testid": "shipping-state", "data-shipping-status": status || "" },
    status ? SHIPPING_STATES[status] : "Waiting for the prize's shipping details…");
  if (status === "awaiting" && typeof entry.hold_expires_at === "number") {
    state.append(entry.hold_expires_at < Date.now() ? "; the hold ended " : "; the prize is held until ", when(entry.hold_expires_at), ".");
  }
  const details = el("dl", { class: "meta" });
  if (status === "shipped") {
    details.append(el("dt", {}, "Tracking"), el("dd", { "data-testid": "tracking-link" }, entry.tracking_url ? externalLink(entry.tracking_url) : "No tracking link"));
  }
  if (me.role === "organiser" && entry.shipping_address != null) {
    const address = addressLines(entry.shipping_address, countryName);
    details.append(el("dt", {}, "Address"), el("dd", {}, address ? el("address", { class: "postal", "data-testid": "shipping-address" }, address.lines.join("\n")) : "Could not read the address."));
    if (address?.phone) details.append(el("dt", {}, "Phone"), el("dd", {}, address.phone));
    if (address?.size) details.append(el("dt", {}, "T-shirt size"), el("dd", {}, address.size));
  }
  /** @type {HTMLElement[]} */
  const parts = [heading, state];
  if (details.childElementCount) parts.push(details);
  if (me.role === "organiser" && status === "ready") parts.push(shippedForm());
  section.replaceChildren(...parts);
}

function shippedForm() {
  const input = el("input", {
    type: "url", id: "tracking-url", name: "tracking_url", maxlength: 2048, inputmode: "url", autocomplete: "off", spellcheck: "false",
    placeholder: "https://", "aria-describedby": "tracking-url-error", "data-testid": "tracking-url",
  });
  const error = el("p", { class: "error", id: "tracking-url-error", "data-error-for": "tracking_url" });
  const button = el("button", { type: "submit", "data-testid": "mark-shipped" }, "Mark shipped");
  const shipForm = el("form", { novalidate: true, "aria-labelledby": "drawer-shipping-heading" },
    el("label", { for: "tracking-url" }, "Tracking URL ", el("span", { class: "hint" }, "optional; the winner is emailed it")),
    input,
    error,
    button,
  );
  shipForm.addEventListener("submit", (event) => {
    event.preventDefault();
    markShipped(input, error, button);
  });
  return shipForm;
}

/**
 * @param {HTMLInputElement} input
 * @param {HTMLElement} error
 * @param {HTMLButtonElement} button
 */
async function markShipped(input, error, button) {
  const { id } = opened();
  const trackingUrl = input.value.trim();
  error.textContent = "";
  input.removeAttribute("aria-invalid");
  button.disabled = true;
  try {
    // Blank means no tracking link: null, since the server refuses an empty URL.
    /** @type {{ shipping_status?: string, tracking_url?: string | null }} */
    const state = await api(`/admin/api/entries/${encodeURIComponent(id)}/shipped`, { method: "POST", body: { tracking_url: trackingUrl || null } });
    say(state.tracking_url ? "Marked shipped; the winner is emailed the tracking link." : "Marked shipped; the winner is emailed.", "good");
    if (isOpen(id)) {
      // The index catches up a moment later; until then, show what the server answered.
      Object.assign(opened().detail.entry, { shipping_status: state.shipping_status || "shipped", tracking_url: state.tracking_url ?? null });
      renderShipping();
      stateLine()?.focus();
      await reloadUntil(id, (detail) => detail.entry.shipping_status === "shipped");
      if (isOpen(id)) refreshShipping();
    }
    afterChange.list();
  } catch (caught) {
    const failure = asApiError(caught);
    if (failure.status === 422) {
      error.textContent = failure.fields.tracking_url || failure.message;
      input.setAttribute("aria-invalid", "true");
      say(failure.message, "bad");
      input.focus();
    } else {
      say(failure.code === "no_address" ? failure.message : `Could not mark it shipped: ${failure.message}`, "bad");
      if (isOpen(id)) {
        await reloadEntry().catch(() => {});
        refreshShipping();
      }
    }
  } finally {
    button.disabled = false;
  }
}

/** Re-renders the shipping section, keeping focus on its state line if it was inside. */
function refreshShipping() {
  const hadFocus = sections.shipping?.contains(document.activeElement);
  renderSummary();
  renderShipping();
  if (hadFocus) (stateLine() || $("#drawer-title")).focus();
}
