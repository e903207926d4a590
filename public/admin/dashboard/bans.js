// @ts-check
/**
 * The ban list (organisers): mailboxes (every spelling of one; kept only as a hash) and
 * whole domains that may not sign up or submit. Adding and lifting a ban are asked first.
 */
import { api, asApiError } from "./api.js";
import { askFirst } from "./confirm.js";
import { $, el } from "./dom.js";
import { say } from "./status.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").Ban} Ban */

/** Wires the ban list's panel (it loads when first opened) and its form. */
export function startBans() {
  const details = /** @type {HTMLDetailsElement} */ ($("#bans-details"));
  const rows = /** @type {HTMLTableSectionElement} */ ($("#ban-rows"));
  const count = $("#bans-count");
  const form = /** @type {HTMLFormElement} */ ($("#ban-form"));
  const kind = /** @type {HTMLSelectElement} */ ($("#ban-kind"));
  const value = /** @type {HTMLInputElement} */ ($("#ban-value"));
  const reason = /** @type {HTMLInputElement} */ ($("#ban-reason"));
  const trigger = /** @type {HTMLButtonElement} */ ($("#ban-add"));
  const yes = el("button", { type: "button", class: "danger small", "data-testid": "ban-confirm" }, "Yes, ban");
  const no = el("button", { type: "button", class: "secondary small", "data-testid": "ban-cancel" }, "Cancel");
  const confirmation = askFirst({ id: "ban-confirm-box", trigger, question: "", yes, no });
  form.append(confirmation);
  trigger.addEventListener("click", () => {
    const text = confirmation.querySelector("p");
    if (text) text.textContent = `Ban ${kind.value === "domain" ? "every address at" : "the mailbox"} ${value.value.trim() || "…"}?`;
  });

  /** @param {Ban} ban */
  function banRow(ban) {
    const lift = el("button", { type: "button", class: "secondary small", "data-testid": "ban-lift" }, "Lift…");
    const sure = el("button", { type: "button", class: "small", "data-testid": "ban-lift-confirm" }, "Yes, lift it");
    const cancel = el("button", { type: "button", class: "secondary small" }, "Cancel");
    sure.addEventListener("click", () => liftBan(ban, sure));
    return el("tr", { "data-testid": "ban-row", "data-kind": ban.kind },
      el("td", {}, ban.kind === "domain" ? `Domain ${ban.value}` : "Mailbox", ban.kind === "mailbox" ? el("span", { class: "sub" }, `SHA-256 ${ban.value.slice(0, 16)}…`) : ""),
      el("td", { class: "comment" }, ban.reason, el("span", { class: "sub" }, ban.actor, " · ", when(ban.at))),
      el("td", {}, lift, askFirst({ id: `ban-lift-${ban.id}`, trigger: lift, question: "Lift this ban? A disqualification made with it stays until you reinstate the entry.", yes: sure, no: cancel })));
  }

  async function load() {
    try {
      /** @type {{ bans: Ban[] }} */
      const { bans } = await api("/admin/api/bans");
      rows.replaceChildren(...bans.map(banRow));
      count.textContent = bans.length ? `${bans.length} ban${bans.length === 1 ? "" : "s"}.` : "Nobody is banned.";
    } catch (error) {
      say(`Could not load the ban list: ${asApiError(error).message}`, "bad");
    }
  }

  /**
   * @param {Ban} ban
   * @param {HTMLButtonElement} button
   */
  async function liftBan(ban, button) {
    button.disabled = true;
    try {
      await api(`/admin/api/bans/${encodeURIComponent(String(ban.id))}`, { method: "DELETE" });
      say("The ban is lifted.", "good");
      await load();
    } catch (error) {
      button.disabled = false;
      say(`Could not lift the ban: ${asApiError(error).message}`, "bad");
    }
  }

  yes.addEventListener("click", async () => {
    for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
    for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
    yes.disabled = no.disabled = true;
    try {
      await api("/admin/api/bans", { method: "POST", body: { kind: kind.value, value: value.value, reason: reason.value } });
      say(kind.value === "domain" ? "The domain is banned." : "The mailbox is banned, and its entrant disqualified.", "good");
      value.value = reason.value = "";
      confirmation.hidden = true;
      await load();
    } catch (error) {
      const failure = asApiError(error);
      for (const [field, message] of Object.entries(failure.fields)) {
        const slot = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
        if (slot) slot.textContent = message;
        form.querySelector(`[name="${CSS.escape(field)}"]`)?.setAttribute("aria-invalid", "true");
      }
      say(`Could not ban: ${failure.message}`, "bad");
      confirmation.hidden = true;
    } finally {
      yes.disabled = no.disabled = false;
    }
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  details.addEventListener("toggle", () => {
    if (details.open) void load();
  });
}
