// @ts-check
/**
 * The organisers' page content (Markdown): edit each part, preview it as the pages render
 * it, save it as the next version, and read or restore an earlier one.
 */
import { api, asApiError } from "./api.js";
import { $, el } from "./dom.js";
import { safeNodes } from "./markup.js";
import { say } from "./status.js";
import { when } from "./time.js";

/** The parts, by form field, as the pages name them. @type {Record<string, string>} */
const PARTS = { intro: "Introduction", prize: "The prize", eligibility: "Who can enter", faq: "Questions and answers" };

/** @typedef {{ version: number, fields: Record<string, string>, defaults: Record<string, string>, history: { version: number, actor: string, at: number }[] }} Content */

/** Wires the content editor; it loads when first opened. */
export function startContent() {
  const details = /** @type {HTMLDetailsElement} */ ($("#content-details"));
  const form = /** @type {HTMLFormElement} */ ($("#content-form"));
  const previews = $("#content-previews");
  let base = 0;

  /** What the form holds, as the API takes it. */
  const fields = () => Object.fromEntries([...new FormData(form)].map(([name, value]) => [name, String(value)]));

  /** @param {Record<string, string>} values */
  function fill(values) {
    for (const [name, value] of Object.entries(values)) {
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement) field.value = value;
    }
  }

  async function load() {
    try {
      /** @type {Content} */
      const content = await api("/admin/api/content");
      base = content.version;
      fill(content.fields);
      // A part left empty shows its default: offered as the field's placeholder.
      for (const [name, text] of Object.entries(content.defaults)) {
        const field = form.elements.namedItem(name);
        if (field instanceof HTMLTextAreaElement) field.placeholder = text;
      }
      $("#content-version").textContent = base ? `Version ${base}.` : "Nothing saved yet: the pages show the defaults.";
      $("#content-history").replaceChildren(...content.history.map((saved) => {
        const restore = el("button", { type: "button", class: "secondary small", "data-testid": "content-restore" }, `Load version ${saved.version}`);
        restore.addEventListener("click", async () => {
          try {
            /** @type {{ fields: Record<string, string> }} */
            const old = await api(`/admin/api/content/versions/${saved.version}`);
            fill(old.fields);
            say(`Version ${saved.version} is in the editor; save it to publish it again.`, "good");
          } catch (error) {
            say(`Could not load version ${saved.version}: ${asApiError(error).message}`, "bad");
          }
        });
        return el("li", {}, `Version ${saved.version} by ${saved.actor}, `, when(saved.at), " ", restore);
      }));
    } catch (error) {
      say(`Could not load the page content: ${asApiError(error).message}`, "bad");
    }
  }

  /** @param {Record<string, string>} errors */
  function showErrors(errors) {
    for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
    for (const name of Object.keys(errors)) {
      const field = form.elements.namedItem(name);
      if (field instanceof Element) field.setAttribute("aria-invalid", "true");
    }
  }

  $("#content-preview").addEventListener("click", async () => {
    try {
      /** @type {{ html: Record<string, string> }} */
      const { html } = await api("/admin/api/content/preview", { method: "POST", body: fields() });
      showErrors({});
      previews.replaceChildren(...Object.entries(PARTS).map(([name, label]) =>
        el("section", { "data-testid": `content-preview-${name}` }, el("h3", {}, label), el("div", { class: "preview" }, ...safeNodes(html[name] ?? "")))));
      say("The preview shows the parts as the pages will.", "good");
    } catch (error) {
      const failure = asApiError(error);
      showErrors(failure.fields);
      say(`Could not preview: ${failure.message} ${Object.values(failure.fields).join(" ")}`, "bad");
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      /** @type {{ version: number }} */
      const saved = await api("/admin/api/content", { method: "PUT", body: { ...fields(), base } });
      showErrors({});
      say(`Saved as version ${saved.version}; the pages show it within a minute.`, "good");
      await load();
    } catch (error) {
      const failure = asApiError(error);
      showErrors(failure.fields);
      say(`${failure.message} ${Object.values(failure.fields).join(" ")}`, "bad");
      // Someone saved meanwhile, or KV did not take it: the editor starts again from what is saved, keeping the text.
      if (failure.code === "content_changed" || failure.status === 503) {
        const text = fields();
        await load();
        fill(text);
      }
    }
  });

  details.addEventListener("toggle", () => {
    if (details.open) load();
  });
}
