import MarkdownIt from "markdown-it";

/**
 * Organisers' Markdown (page content, announcements), rendered with markdown-it: raw HTML is
 * off (a `<script>` is shown as text), images are off (pages load nothing from elsewhere),
 * and a link is kept only if it goes to http(s), mailto or a path on this site; any other
 * (javascript:, data:, vbscript:) stays as the text it was written as. Headings start at
 * the level `headingFrom` says, below the page's own.
 */
const parser = new MarkdownIt("default", { html: false, linkify: false, typographer: false });
parser.disable(["image"]);
parser.validateLink = (url) => isAllowedLink(url);

/** http(s) and mailto links, and paths on this site (one leading slash: "//host" is another site). */
export function isAllowedLink(url: string): boolean {
  const link = url.trim().toLowerCase();
  return /^(https?:\/\/|mailto:)/.test(link) || /^\/(?!\/)/.test(link);
}

/**
 * Safe HTML for `source`: every character of it either Markdown's own markup or escaped
 * text. Its highest heading becomes at least `headingFrom` (2 under a page's h1; 3 under a
 * section's h2), the others keep their steps below it, down to h6.
 */
export function renderMarkdown(source: string, headingFrom = 3): string {
  return parser.renderer.render(shiftHeadings(parser.parse(source, {}), headingFrom), parser.options, {});
}

/** The words of `source` without its Markdown, on one line (a meta description, an excerpt). */
export function markdownText(source: string): string {
  const words: string[] = [];
  for (const token of parser.parse(source, {})) {
    if (token.type === "inline") words.push(...(token.children ?? []).filter((child) => child.type === "text" || child.type === "code_inline").map((child) => child.content));
    if (token.type.endsWith("_close") && token.block) words.push(" ");
  }
  return words.join("").replace(/\s+/g, " ").trim();
}

type Tokens = ReturnType<typeof parser.parse>;

/** Moves the text's headings down so that its highest is at least `from`, keeping their steps between. */
function shiftHeadings(tokens: Tokens, from: number): Tokens {
  const headings = tokens.filter((token) => token.type === "heading_open" || token.type === "heading_close");
  const top = Math.min(...headings.map((token) => Number(token.tag.slice(1))));
  const shift = Math.max(0, from - top);
  for (const token of headings) token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + shift)}`;
  return tokens;
}

/** The first `max` characters of `text`, cut at a word and marked with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const plain = text.replace(/\s+/g, " ").trim();
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
