// @ts-check
/** The audit log: who did what, newest first, filtered by who, what and which entry. */
import { el } from "./dom.js";
import { statusPanel } from "./status-panel.js";
import { when } from "./time.js";

/** @typedef {{ id: number, at: number, actor: string, role: string, action: string, target: string | null, detail: Record<string, unknown> }} AuditEntry */

/** @param {AuditEntry} entry */
function auditRow(entry) {
  return el("tr", { "data-testid": "audit-row" },
    el("td", {}, when(entry.at)),
    el("td", {}, String(entry.actor ?? ""), el("span", { class: "sub" }, String(entry.role ?? ""))),
    el("td", {}, String(entry.action ?? "")),
    el("td", {}, entry.target ? el("code", {}, String(entry.target).slice(0, 12)) : "—"),
    el("td", {}, el("code", {}, JSON.stringify(entry.detail ?? {}))),
  );
}

/** Wires the audit log's panel; it loads when first opened, and again when filtered. */
export function startAudit() {
  return statusPanel({
    name: "audit",
    rows: "#audit-rows",
    path: "/admin/api/audit",
    key: "entries",
    noun: { one: "action", many: "actions" },
    what: "the audit log",
    row: auditRow,
    actions: false,
    cursorParam: "before",
  });
}
