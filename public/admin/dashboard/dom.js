// @ts-check
/**
 * Building the page. Entrant data is hostile: every value from the API goes in as text or
 * an attribute, through el() and svg() here; nothing in the dashboard assigns markup. Text
 * shows bidi controls as visible markers (bidi.js).
 */
import { bidiSegments } from "./bidi.js";

/**
 * What el() takes as children: nodes, text (numbers too), nested lists; null, undefined and
 * false are left out, so a child can be written as a condition.
 * @typedef {Node | string | number | null | undefined | false | Child[]} Child
 */

/**
 * Attribute values: true is an empty (boolean) attribute; null, undefined and false leave
 * the attribute out.
 * @typedef {Record<string, string | number | boolean | null | undefined>} Attributes
 */

/**
 * The first element matching `selector`; the dashboard's own markup has each one it asks for.
 * @template {Element} [E=HTMLElement]
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {E}
 */
export function $(selector, root = document) {
  const found = root.querySelector(selector);
  if (!found) throw new Error(`The dashboard has no ${selector}`);
  return /** @type {E} */ (found);
}

/**
 * Nodes that show `value` as text, each bidi control replaced by a visible marker.
 * @param {string} value
 * @returns {Node[]}
 */
export function textNodes(value) {
  return bidiSegments(value).map((segment) =>
    typeof segment === "string"
      ? document.createTextNode(segment)
      : el("span", { class: "bidi", title: `Hidden text-direction control: ${segment.name} (${segment.code})`, "data-testid": "bidi-marker" }, `[${segment.code}]`),
  );
}

/**
 * @param {Node} node
 * @param {Child[]} children
 */
function appendChildren(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) appendChildren(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else for (const text of textNodes(String(child))) node.appendChild(text);
  }
}

/**
 * An HTML element with its attributes and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  appendChildren(node, children);
  return node;
}

/**
 * An SVG element with its attributes and children (for the chart: our own numbers and dates).
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number>} [attributes]
 * @param {...(Node | string | number)} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/**
 * Replaces an element's content with `value` as text (bidi controls marked).
 * @param {Element} node
 * @param {string} value
 */
export function setText(node, value) {
  node.replaceChildren(...textNodes(value));
}
