// @ts-check
/**
 * Showing the organisers' rendered Markdown (a preview from the API) without assigning
 * markup: the server's HTML is parsed into an inert document, and only the elements and
 * links Markdown makes are built again, with el(), from what was parsed. Anything else
 * (a script, an attribute, a javascript: link) is left out or kept as text.
 */
import { el } from "./dom.js";

/** The elements Markdown renders (images and raw HTML are off on the server). */
const ALLOWED = new Set(["p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "strong", "em", "code", "pre", "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "s", "del"]);

/**
 * A link the pages allow: http(s), mailto, or a path on this site; null for anything else.
 * @param {string | null} href
 * @returns {string | null}
 */
export function allowedHref(href) {
  const link = (href ?? "").trim();
  return /^(https?:\/\/|mailto:)/i.test(link) || /^\/(?!\/)/.test(link) ? link : null;
}

/**
 * @param {Node} node
 * @returns {Node[]}
 */
function rebuild(node) {
  if (node.nodeType === Node.TEXT_NODE) return [document.createTextNode(node.textContent ?? "")];
  if (!(node instanceof Element)) return [];
  const children = [...node.childNodes].flatMap(rebuild);
  const tag = node.tagName.toLowerCase();
  if (!ALLOWED.has(tag)) return children;
  const href = tag === "a" ? allowedHref(node.getAttribute("href")) : null;
  if (tag === "a" && href === null) return children;
  const copy = el(/** @type {keyof HTMLElementTagNameMap} */ (tag), href ? { href, rel: "noopener", target: "_blank" } : {});
  copy.append(...children);
  return [copy];
}

/**
 * The elements `html` (the API's rendering of Markdown) stands for, safely rebuilt.
 * @param {string} html
 * @returns {Node[]}
 */
export function safeNodes(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  return [...parsed.body.childNodes].flatMap(rebuild);
}
