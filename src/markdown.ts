import { Marked, type Token, type Tokens } from "marked";
import { escapeHtml } from "./html";

/**
 * Organisers' Markdown (page content, announcements), rendered with marked (GFM): raw HTML
 * is shown as the text it is (a `<script>` never becomes one), images show their alt text
 * (pages load nothing from elsewhere), and a link is kept only if it goes to http(s),
 * mailto or a path on this site; any other (javascript:, data:, vbscript:) stays as the
 * text it was written as. Headings start below the page's own.
 */
const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ text }) => escapeHtml(text),
    link(token) {
      if (!isAllowedLink(token.href)) return escapeHtml(token.raw);
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
      return `<a href="${escapeHtml(token.href)}"${title}>${this.parser.parseInline(token.tokens)}</a>`;
    },
  },
});

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
  const tokens = marked.lexer(source);
  const headings: Tokens.Heading[] = [];
  marked.walkTokens(tokens, (token) => void (token.type === "heading" && headings.push(token as Tokens.Heading)));
  const shift = Math.max(0, headingFrom - Math.min(...headings.map((heading) => heading.depth)));
  for (const heading of headings) heading.depth = Math.min(6, heading.depth + shift);
  return marked.parser(tokens);
}

const BLOCKS = new Set(["paragraph", "heading", "list_item", "blockquote", "code", "table", "hr", "space"]);

/** The words of `source` without its Markdown, on one line (a meta description, an excerpt). */
export function markdownText(source: string): string {
  const words: string[] = [];
  const collect = (tokens: readonly Token[]) => {
    for (const token of tokens) {
      if ("tokens" in token && token.tokens?.length) collect(token.tokens);
      else if (token.type === "list") collect((token as Tokens.List).items);
      else if (token.type === "text" || token.type === "codespan" || token.type === "html" || token.type === "escape") words.push((token as Tokens.Text).text);
      // A block ends with a space, so that its last word and the next block's first stay apart.
      if (BLOCKS.has(token.type) || (token.type === "html" && (token as Tokens.HTML).block)) words.push(" ");
    }
  };
  collect(marked.lexer(source));
  return decodeEntities(words.join("")).replace(/\s+/g, " ").replace(/ ([.,;:!?])/g, "$1").trim();
}

/** The few entities marked writes into a token's text. */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name]!);
}

/** The first `max` characters of `text`, cut at a word and marked with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const plain = text.replace(/\s+/g, " ").trim();
  if (plain.length <= max) return plain;
  const cut = plain.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
