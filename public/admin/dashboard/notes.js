// @ts-check
/** Organisers' private notes on the open entry: who wrote what, when; and a new one. */
import { api, asApiError } from "./api.js";
import { el } from "./dom.js";
import { isOpen, opened, sections } from "./open-entry.js";
import { me } from "./profile.js";
import { say } from "./status.js";
import { when } from "./time.js";

/** @typedef {import("./types.js").Note} Note */

export async function renderNotes() {
  if (me.role !== "organiser" || !sections.notes) return;
  const section = sections.notes;
  const { id } = opened();
  const heading = el("h3", { id: "drawer-notes-heading" }, "Organisers' notes");
  const list = el("ul", { class: "notes", "data-testid": "notes" }, el("li", { class: "hint" }, "Loading…"));
  const text = el("textarea", { id: "note-body", maxlength: 5000, "aria-describedby": "note-error", "data-testid": "note-body" });
  const error = el("p", { class: "error", id: "note-error", role: "alert" });
  const add = el("button", { type: "submit", class: "secondary small", "data-testid": "add-note" }, "Add note");
  const form = el("form", { novalidate: true, "aria-labelledby": "drawer-notes-heading" },
    el("label", { for: "note-body" }, "New note ", el("span", { class: "hint" }, "only organisers see notes")), text, error, el("div", { class: "actions" }, add));
  section.replaceChildren(heading, list, form);

  async function show() {
    try {
      /** @type {{ notes: Note[] }} */
      const { notes } = await api(`/admin/api/entries/${encodeURIComponent(id)}/notes`);
      if (!isOpen(id)) return;
      list.replaceChildren(...(notes.length ? notes.map((note) =>
        el("li", { "data-testid": "note" }, el("p", { class: "comment" }, note.body), el("span", { class: "sub" }, `${note.author}, `, when(note.created_at)))) : [el("li", { class: "hint" }, "No notes yet.")]));
    } catch (failure) {
      list.replaceChildren(el("li", { class: "error" }, `Could not load the notes: ${asApiError(failure).message}`));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    add.disabled = true;
    error.textContent = "";
    try {
      await api(`/admin/api/entries/${encodeURIComponent(id)}/notes`, { method: "POST", body: { body: text.value } });
      text.value = "";
      say("Note added.", "good");
      await show();
    } catch (failure) {
      const problem = asApiError(failure);
      error.textContent = problem.fields.body ?? problem.message;
    } finally {
      add.disabled = false;
    }
  });
  await show();
}
