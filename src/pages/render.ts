import { escapeHtml } from "../html";
import type { FieldErrors } from "../http/errors";

/** The values a page shows. Every string is inserted as text or an attribute: escaped. */
export interface View {
  title: string;
  /** [data-text=key] elements get the value as their text. */
  text?: Record<string, string | number>;
  /** [data-href=key] links get the value as their href. */
  href?: Record<string, string>;
  /** <time data-time=key> gets the instant, formatted in the visitor's time zone. */
  times?: Record<string, number>;
  /** Form controls are filled by name: text values, checked boxes. */
  fields?: Record<string, unknown>;
  /** [data-error-for=name] shows the message; the control is marked aria-invalid. */
  errors?: FieldErrors;
  /** [data-show=key] elements stay only when the flag is true. */
  show?: Record<string, boolean>;
  /** [data-html=key] gets markup the caller built and escaped itself. */
  html?: Record<string, string>;
  /** [data-attrs=key] gets these attributes (names chosen by the page's code, values escaped). */
  attributes?: Record<string, Record<string, string>>;
}

export interface RenderOptions {
  status?: number;
  /** IANA zone to format times in before the page's script localises them. */
  timeZone?: string;
  headers?: HeadersInit;
}

/** Fills a page template with HTMLRewriter and answers it as an HTML response. */
export function render(template: string, view: View, options: RenderOptions = {}): Response {
  const errors = view.errors ?? {};
  const show: Record<string, boolean> = { hasErrors: Object.keys(errors).length > 0, ...view.show };
  const formatTime = timeFormatter(options.timeZone);
  const formatUtcTime = timeFormatter("UTC");
  const headers = new Headers(options.headers);
  headers.set("content-type", "text/html; charset=utf-8");

  const rewriter = new HTMLRewriter()
    .on("title", {
      element: (el) => void el.setInnerContent(view.title),
    })
    .on("[data-show]", {
      element: (el) => {
        if (!show[el.getAttribute("data-show")!]) el.remove();
      },
    })
    .on("[data-text]", {
      element: (el) => {
        const value = view.text?.[el.getAttribute("data-text")!];
        if (value !== undefined) el.setInnerContent(String(value));
      },
    })
    .on("[data-href]", {
      element: (el) => {
        const value = view.href?.[el.getAttribute("data-href")!];
        if (value !== undefined) el.setAttribute("href", attributeValue(value));
      },
    })
    .on("time[data-time]", {
      element: (el) => {
        const value = view.times?.[el.getAttribute("data-time")!];
        if (value === undefined) return;
        el.setAttribute("datetime", new Date(value).toISOString());
        // data-zone="utc": the same instant in UTC, which the page's script leaves as it is.
        el.setInnerContent(el.getAttribute("data-zone") === "utc" ? formatUtcTime(value) : formatTime(value));
      },
    })
    .on("[data-html]", {
      element: (el) => {
        const value = view.html?.[el.getAttribute("data-html")!];
        if (value !== undefined) el.setInnerContent(value, { html: true });
      },
    })
    .on("[data-attrs]", {
      element: (el) => {
        for (const [name, value] of Object.entries(view.attributes?.[el.getAttribute("data-attrs")!] ?? {})) el.setAttribute(name, attributeValue(value));
      },
    })
    .on("[data-error-for]", {
      element: (el) => {
        const message = errors[el.getAttribute("data-error-for")!];
        if (message) el.setInnerContent(message);
      },
    })
    .on("input[name], textarea[name], select[name]", {
      element: (el) => {
        const name = el.getAttribute("name")!;
        if (errors[name]) {
          el.setAttribute("aria-invalid", "true");
          el.setAttribute("aria-describedby", `error-${name}`);
        }
        // A select's options are built with the chosen one selected.
        if (!view.fields || !(name in view.fields) || el.tagName === "select") return;
        fill(el, view.fields[name]);
      },
    });

  return rewriter.transform(new Response(template, { status: options.status ?? 200, headers }));
}

function fill(el: Element, value: unknown): void {
  const type = el.getAttribute("type");
  if (type === "checkbox") {
    const own = el.getAttribute("value") ?? "on";
    const checked = Array.isArray(value) ? value.includes(own) : value === true || value === own;
    if (checked) el.setAttribute("checked", "");
    else el.removeAttribute("checked");
  } else if (el.tagName === "textarea") {
    el.setInnerContent(typeof value === "string" ? value : "");
  } else if (typeof value === "string" || typeof value === "number") {
    el.setAttribute("value", attributeValue(String(value)));
  }
}

/**
 * HTMLRewriter escapes only the double quote in attribute values, so "&amp;" typed by a
 * visitor would come back as "&". Escaping fully first keeps values exact (and no quote is
 * left for it to escape twice).
 */
function attributeValue(value: string): string {
  return escapeHtml(value);
}

const TIME_FORMAT: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZoneName: "short",
};

function timeFormatter(timeZone = "UTC"): (instant: number) => string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-GB", { ...TIME_FORMAT, timeZone });
  } catch {
    format = new Intl.DateTimeFormat("en-GB", { ...TIME_FORMAT, timeZone: "UTC" });
  }
  return (instant) => format.format(new Date(instant));
}
