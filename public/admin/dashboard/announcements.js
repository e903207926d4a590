// @ts-check
/**
 * Announcements (organisers): write a draft for a group of entrants, see it as a real
 * entrant of the group gets it and how many it goes to, send yourself a test, then send it
 * and follow its progress (sent, failed, pending) until every email has settled.
 */
import { api, asApiError } from "./api.js";
import { askFirst } from "./confirm.js";
import { $, el } from "./dom.js";
import { me } from "./profile.js";
import { say } from "./status.js";
import { plural } from "./text.js";

/** @typedef {{ queued: number, sent: number, failed: number, pending: number }} Progress */
/** @typedef {{ id: number, subject: string, body: string, segment: string, status: string, recipients: number, progress: Progress | null }} Announcement */
/** @typedef {{ count: number, sample: { firstname: string, email: string } | null, email: { subject: string, text: string } }} Preview */

/** @type {Record<string, string>} */
const SEGMENTS = { everyone: "Everyone", registered: "Signed up, no submission", submitted: "Submitted", winners: "Winners", waitlist: "Waitlist", unshipped: "Winners not shipped yet" };
/** @type {Record<string, string>} */
const STATES = { draft: "Draft", sending: "Sending", confirming: "Confirming", done: "Done" };

/** How often a send's progress is read again while it goes on. */
const POLL_MS = 2_000;

/**
 * "1,200 sent, 3 failed, 40 pending of 1,243".
 * @param {Announcement} announcement
 */
export function progressLine(announcement) {
  const p = announcement.progress;
  if (!p) return `${plural(Number(announcement.recipients) || 0, "recipient")} now`;
  return `${Number(p.sent) || 0} sent, ${Number(p.failed) || 0} failed, ${Number(p.pending) || 0} pending of ${Number(announcement.recipients) || 0}`;
}

/** Wires the announcements' panel; it loads when first opened. */
export function startAnnouncements() {
  const details = /** @type {HTMLDetailsElement} */ ($("#announcements-details"));
  const form = /** @type {HTMLFormElement} */ ($("#announcement-form"));
  const preview = $("#announcement-preview");
  const rows = $("#announcement-rows");
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  const field = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name));

  async function load() {
    clearTimeout(timer);
    try {
      /** @type {{ announcements: Announcement[] }} */
      const { announcements } = await api("/admin/api/announcements?limit=20");
      rows.replaceChildren(...announcements.map(row));
      if (details.open && announcements.some((a) => a.status === "sending" || a.status === "confirming")) timer = setTimeout(load, POLL_MS);
    } catch (error) {
      say(`Could not load the announcements: ${asApiError(error).message}`, "bad");
    }
  }

  /** @param {Announcement} announcement */
  function row(announcement) {
    const done = announcement.status === "done";
    const share = announcement.progress && announcement.recipients ? Math.round(((announcement.progress.sent + announcement.progress.failed) / announcement.recipients) * 100) : done ? 100 : 0;
    const edit = el("button", { type: "button", class: "secondary small", "data-testid": "announcement-edit" }, announcement.status === "draft" ? "Open" : "Read");
    edit.addEventListener("click", () => open(announcement));
    return el("tr", { "data-testid": "announcement-row", "data-status": announcement.status },
      el("td", {}, String(announcement.subject)),
      el("td", {}, SEGMENTS[announcement.segment] ?? String(announcement.segment)),
      el("td", {}, announcement.status === "draft" ? "" : el("progress", { max: "100", value: String(share), "aria-label": `${share}%` }), el("span", { class: "sub", "data-testid": "announcement-progress" }, progressLine(announcement))),
      el("td", {}, el("span", { class: `badge ${done ? "sent" : announcement.status === "draft" ? "" : "retrying"}` }, STATES[announcement.status] ?? String(announcement.status))),
      el("td", {}, edit),
    );
  }

  /** Puts an announcement in the form, and shows its preview. @param {Announcement} announcement */
  async function open(announcement) {
    field("id").value = String(announcement.id);
    field("subject").value = announcement.subject;
    /** @type {HTMLTextAreaElement} */ (form.elements.namedItem("body")).value = announcement.body;
    /** @type {HTMLSelectElement} */ (form.elements.namedItem("segment")).value = announcement.segment;
    await showPreview(announcement);
  }

  /** The email as a real entrant gets it, a test send, and (for a draft) the send. @param {Announcement} announcement */
  async function showPreview(announcement) {
    try {
      /** @type {Preview} */
      const seen = await api(`/admin/api/announcements/${announcement.id}/preview`);
      const to = el("input", { type: "email", id: "announcement-test-to", value: me.name && me.name.includes("@") ? me.name : "", "data-testid": "announcement-test-to" });
      const test = el("button", { type: "button", class: "secondary small", "data-testid": "announcement-test" }, "Send me a test");
      test.addEventListener("click", async () => {
        try {
          await api(`/admin/api/announcements/${announcement.id}/test`, { method: "POST", body: { to: to.value } });
          say(`A test is on its way to ${to.value}.`, "good");
        } catch (error) {
          const failure = asApiError(error);
          say(`Could not send the test: ${failure.message} ${Object.values(failure.fields).join(" ")}`, "bad");
        }
      });
      /** @type {HTMLElement[]} */
      const parts = [
        el("h3", {}, announcement.status === "draft" ? "Preview" : "As it was sent"),
        el("p", { "data-testid": "announcement-count" }, `Goes to ${plural(seen.count, "entrant")}${seen.sample ? `; shown as ${seen.sample.firstname || "an entrant"} (${seen.sample.email}) gets it` : ""}.`),
        el("p", {}, el("strong", {}, seen.email.subject)),
        el("pre", { class: "email-text", "data-testid": "announcement-text" }, seen.email.text),
        el("p", {}, el("a", { href: `/admin/api/announcements/${announcement.id}/preview.html`, target: "_blank", rel: "noopener" }, "Open the HTML version")),
        el("div", { class: "panel-tools" }, el("div", {}, el("label", { for: "announcement-test-to" }, "Test address"), to), test),
      ];
      if (announcement.status === "draft") {
        const trigger = el("button", { type: "button", class: "small", "data-testid": "announcement-send" }, "Send…");
        const yes = el("button", { type: "button", class: "danger small", "data-testid": "announcement-confirm" }, "Yes, send it");
        const no = el("button", { type: "button", class: "secondary small" }, "Cancel");
        yes.addEventListener("click", () => send(announcement, yes));
        parts.push(el("div", { class: "actions" }, trigger), askFirst({ id: "announcement-question", trigger, question: `Send “${announcement.subject}” to ${plural(seen.count, "entrant")} now? It cannot be taken back.`, yes, no }));
      }
      preview.replaceChildren(...parts);
    } catch (error) {
      say(`Could not preview it: ${asApiError(error).message}`, "bad");
    }
  }

  /** @param {Announcement} announcement @param {HTMLButtonElement} yes */
  async function send(announcement, yes) {
    yes.disabled = true;
    try {
      await api(`/admin/api/announcements/${announcement.id}/send`, { method: "POST", body: {} });
      say(`“${announcement.subject}” is being sent; its progress shows below.`, "good");
      preview.replaceChildren();
      form.reset();
      await load();
    } catch (error) {
      yes.disabled = false;
      say(`Could not send it: ${asApiError(error).message}`, "bad");
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = field("id").value;
    const body = { subject: field("subject").value, body: /** @type {HTMLTextAreaElement} */ (form.elements.namedItem("body")).value, segment: /** @type {HTMLSelectElement} */ (form.elements.namedItem("segment")).value };
    for (const name of ["subject", "body"]) $(`#error-announcement-${name}`).textContent = "";
    try {
      /** @type {{ announcement: Announcement }} */
      const saved = id ? await api(`/admin/api/announcements/${id}`, { method: "PUT", body }) : await api("/admin/api/announcements", { method: "POST", body });
      field("id").value = String(saved.announcement.id);
      say("Draft saved.", "good");
      await Promise.all([showPreview(saved.announcement), load()]);
    } catch (error) {
      const failure = asApiError(error);
      for (const [name, message] of Object.entries(failure.fields)) {
        const line = document.querySelector(`#error-announcement-${name}`);
        if (line) line.textContent = message;
      }
      say(`Could not save it: ${failure.message}`, "bad");
    }
  });
  $("#announcement-new").addEventListener("click", () => {
    form.reset();
    field("id").value = "";
    preview.replaceChildren();
  });
  details.addEventListener("toggle", () => {
    if (details.open) load();
    else clearTimeout(timer);
  });
}
