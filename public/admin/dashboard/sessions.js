// @ts-check
/** Dashboard sessions (organisers): who is signed in, and ending a session. */
import { api, asApiError } from "./api.js";
import { $, el } from "./dom.js";
import { say } from "./status.js";
import { when } from "./time.js";

/** @typedef {{ id: string, judge: string, role: string, created_at: number, expires_at: number, current: boolean }} Session */

/** Wires the sessions' panel; it loads when opened. */
export function startSessions() {
  const details = /** @type {HTMLDetailsElement} */ ($("#sessions-details"));
  const rows = $("#session-rows");

  async function load() {
    try {
      /** @type {{ sessions: Session[] }} */
      const { sessions } = await api("/admin/api/sessions");
      rows.replaceChildren(...sessions.map(row));
      if (sessions.length === 0) rows.append(el("tr", {}, el("td", { colspan: "5" }, "Nobody is signed in with a session (tokens and Access need none).")));
    } catch (error) {
      say(`Could not load the sessions: ${asApiError(error).message}`, "bad");
    }
  }

  /** @param {Session} session */
  function row(session) {
    const end = el("button", { type: "button", class: "secondary small danger-text", "data-testid": "session-revoke" }, session.current ? "Sign this session out" : "End it");
    end.addEventListener("click", async () => {
      end.disabled = true;
      try {
        await api(`/admin/api/sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" });
        say(`${session.judge}'s session has ended.`, "good");
        await load();
      } catch (error) {
        end.disabled = false;
        say(`Could not end it: ${asApiError(error).message}`, "bad");
      }
    });
    return el("tr", { "data-testid": "session-row" },
      el("td", {}, String(session.judge), session.current ? el("span", { class: "sub" }, "this session") : null),
      el("td", {}, String(session.role)),
      el("td", {}, when(session.created_at)),
      el("td", {}, when(session.expires_at)),
      el("td", {}, end),
    );
  }

  details.addEventListener("toggle", () => {
    if (details.open) load();
  });
}
