// @ts-check
/**
 * The drawer's eligibility section (organisers): disqualifying the open entry with a reason,
 * reinstating it, and banning the entrant (their mailbox, as its hash) — each asked first.
 */
import { api } from "./api.js";
import { el } from "./dom.js";
import { afterChange, opened, sections } from "./open-entry.js";
import { me } from "./profile.js";
import { reasonedAction } from "./reasoned-action.js";
import { say } from "./status.js";
import { fullName } from "./text.js";
import { when } from "./time.js";

export function renderEligibility() {
  if (me.role !== "organiser" || !sections.eligibility) return;
  const { id, detail, review } = opened();
  if (!review) return;
  const who = fullName(detail.entry) || detail.entry.email || "this entrant";
  /** @param {string} action */
  const path = (action) => `/admin/api/entries/${encodeURIComponent(id)}/${action}`;
  /** @param {string} message */
  const done = async (message) => {
    say(message, "good");
    await afterChange.review(id);
    afterChange.list();
    afterChange.stats();
  };
  const record = review.disqualification;
  const state = review.disqualified
    ? el("p", { class: "notice bad", "data-testid": "eligibility-state", "data-disqualified": "true" },
      "Disqualified", record ? [` by ${record.by} `, when(record.at), `: ${record.reason}`] : "")
    : el("p", { "data-testid": "eligibility-state", "data-disqualified": "false" }, "Eligible",
      record?.reinstatedAt ? [" (reinstated by ", record.reinstatedBy ?? "an organiser", " ", when(record.reinstatedAt), ")"] : "");
  const change = review.disqualified
    ? reasonedAction({
      id: "reinstate", label: "Reinstate", hint: "optional: why, for the audit log", field: "reason", maxlength: 1000,
      trigger: "Reinstate…", question: () => `Reinstate ${who}? A prize the disqualification revoked stays revoked.`, yes: "Yes, reinstate",
      testid: "reinstate",
      send: async (reason) => {
        await api(path("reinstate"), { method: "POST", body: { reason } });
        await done("The entry is eligible again.");
      },
    })
    : reasonedAction({
      id: "disqualify", label: "Disqualify", hint: "the reason is required and kept in the audit log; the entrant is told by email, without it", field: "reason", maxlength: 1000,
      trigger: "Disqualify…", question: () => `Disqualify ${who}? Any prize is revoked, and the entry can no longer win.`, yes: "Yes, disqualify", danger: true,
      testid: "disqualify",
      send: async (reason) => {
        /** @type {{ revokedSlot: number | null }} */
        const result = await api(path("disqualify"), { method: "POST", body: { reason } });
        await done(result.revokedSlot ? `Disqualified; prize #${result.revokedSlot} is revoked.` : "Disqualified.");
      },
    });
  const ban = reasonedAction({
    id: "ban-entrant", label: "Ban the entrant", hint: "bans every spelling of their mailbox (kept only as a hash) and disqualifies them", field: "reason", maxlength: 1000,
    trigger: "Ban…", question: () => `Ban ${who}'s mailbox from this contest? They can no longer sign up or submit, and are disqualified.`, yes: "Yes, ban", danger: true,
    testid: "ban-entrant",
    send: async (reason) => {
      await api(path("ban"), { method: "POST", body: { reason } });
      await done("The entrant's mailbox is banned.");
    },
  });
  sections.eligibility.replaceChildren(el("h3", { id: "drawer-eligibility-heading" }, "Eligibility"), state, change, ban);
}
