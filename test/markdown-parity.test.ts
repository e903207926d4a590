import { env } from "cloudflare:workers";
import { Marked } from "marked";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { escapeHtml } from "../src/html";
import { renderMarkdown } from "../src/markdown";
import { isAllowedLink } from "../src/markdown-inline";
import { defaultContent } from "../src/pages/contest-text";

/**
 * marked (GFM) as Swagbox configured it before its own renderer replaced it (docs/decisions.md:
 * "Organisers' words on the pages"): the reference the pages, emails and previews must still
 * match, so that no organiser sees their content change.
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

function markedHtml(source: string, headingFrom: number): string {
  const tokens = marked.lexer(source);
  const headings: { depth: number }[] = [];
  marked.walkTokens(tokens, (token) => void (token.type === "heading" && headings.push(token as { depth: number })));
  const shift = Math.max(0, headingFrom - Math.min(...headings.map((heading) => heading.depth)));
  for (const heading of headings) heading.depth = Math.min(6, heading.depth + shift);
  return marked.parser(tokens);
}

/** What organisers write: the pages' parts, announcements, and every construct the subset has. */
const DOCUMENTS = [
  "Build something **real** on Workers this winter. The best projects win a *limited* swag box: hoodie, stickers and a mug.\n\nRead the [rules](/rules) before you start, and ask us anything at team@example.com.",
  "## What's in the box\n\n- A hoodie (sizes XS to XXL)\n- Stickers\n- A ~~plastic~~ steel water bottle\n\n1 box per person, shipped worldwide.",
  "### Who can enter\n\nAnyone aged 18 or over, except:\n\n1. employees of the organiser;\n2. people who live where the law forbids the contest.\n\n> You must own the work you submit.\n> Teams enter as one person.",
  "### I lost my link. What now?\n\nAsk for a new one on the [new link page](/link) with the email address you signed up with. Your old link keeps working until you open the new one.\n\n### Can I change my submission?\n\nYes: open your link and save again until 28 Feb 2027, 23:59 UTC. Judges see the latest version.",
  "| Place | Prize |\n|:------|------:|\n| 1st | Swag box + keyboard |\n| 2nd–10th | Swag box |\n| Everyone | *Stickers* |",
  "Deploy with:\n\n```sh\nnpx wrangler deploy\n```\n\nor use `npm run deploy`.\n\n~~~\nplain <fence>\n~~~",
  "Hello everyone,\n\nSubmissions close **Friday at 23:59 UTC**. If you haven't submitted yet:\n\n* open your personal link,\n* fill in the form,\n* press *Submit*.\n\nQuestions? Reply to this email or write to <help@example.com>.\n\n— The team",
  "Setext Title\n============\n\nSubtitle\n--------\n\nText with a line break  \nand a [titled link](https://example.com/docs \"The docs\").\n\n***\n\nSee https://example.com/faq. Or www.example.org!",
  "- [x] Sign up\n- [ ] Submit\n\n1. first\n2. second\n   - nested bullet\n   - another\n3. third",
  "Loose list:\n\n- one\n\n- two\n\n  with a second paragraph\n\n- three",
  "[Docs][docs] and [the blog][] and [FAQ].\n\n[docs]: https://developers.example.com/workers/ \"Workers docs\"\n[the blog]: https://blog.example.com\n[faq]: /rules#faq",
  "Use `<script>` tags? No: write `**bold**` for **bold** and \\*stars\\* for literal stars. Snake_case_names stay as they are, and so does 2*3*4.",
  "    indented code block\n    second line\n\nAfter it.",
  "> Quote with **emphasis** and a list:\n>\n> - a\n> - b\n\nAfter the quote.",
  "Prices: 5 < 10 & \"quotes\" aren't 'special' — © 2026 &copy; ok.",
  "Emoji 🎉 and accents: café, naïve, Zürich. 日本語のテキスト。",
  "***Bold italic*** and **bold with *italic* inside** and *italic with **bold** inside* and __underscores__ and _too_.",
  "# Welcome to the Winter Challenge\n\nWe are giving away **300 swag boxes**.\n\n## How it works\n\n1. Sign up with your email.\n2. Build a project that uses *at least two* products.\n3. Submit a link to your repository and a live demo.\n\n## Judging\n\nJudges score on:\n\n| Criterion | Weight |\n| --- | --- |\n| Creativity | 40% |\n| Use of the platform | 40% |\n| Polish | 20% |\n\nSee [the rules](/rules) and the [docs](https://developers.cloudflare.com/workers/).",
  "Questions: [email us](mailto:team@example.com?subject=Question) or visit https://example.com/help (open 9–5).\n\nLinks like (https://example.com/a_b) and https://en.wikipedia.org/wiki/Swag_(disambiguation) work.",
  "A paragraph\nwith soft breaks\nacross lines.\n\n---\n\n> Nested\n>\n> > quote",
  "Tight list with code:\n\n- `one`\n- **two**\n- [three](https://example.com/3)\n\n+ plus\n+ list\n\n10. ten\n11. eleven",
  "Escapes: \\# not a heading, \\- not a list, 1\\. not ordered, \\[not a link\\](x), \\`not code\\`.",
  "Image: ![our logo](https://example.com/logo.png \"Logo\") in text.\n\n[![badge](https://example.com/b.svg)](https://example.com)",
  "Hard break with backslash\\\nnext line. Trailing spaces at the end   ",
  "#### Deep heading\n\n##### Deeper\n\n###### Deepest",
  "Mixed: **bold**, *em*, `code`, ~~gone~~, [link](/winners), <https://example.com>, and team@example.com.",
  "* item one\n\n  continued paragraph in the item\n\n* item two\n  lazy continuation\n\n      code in item",
  "1) paren ordered\n2) second\n\n- [link in list](https://example.com/list)\n- text with `code` and **bold**",
  "| a | b |\n|---|---|\n| `x|y` in code | \\| escaped |\n| [l](/l) | **b** |"
];

describe("organisers' Markdown renders as marked rendered it", () => {
  it("renders every organiser document exactly as marked did, at each heading level", () => {
    for (const source of DOCUMENTS) {
      for (const headingFrom of [1, 2, 3]) expect(renderMarkdown(source, headingFrom), source).toBe(markedHtml(source, headingFrom));
    }
  });

  it("renders Swagbox's default page texts exactly as marked did, for both award policies", () => {
    for (const policy of ["judged", "first_come"] as const) {
      const loaded = loadConfig({ ...env, AWARD_POLICY: policy });
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
      for (const source of Object.values(defaultContent(loaded.config, 300))) expect(renderMarkdown(source, 3), source).toBe(markedHtml(source, 3));
    }
  });

  it("shows a block of raw HTML as its text in a paragraph, where marked showed the same text bare", () => {
    const source = "<div onclick=\"x()\">raw</div>";
    expect(markedHtml(source, 3)).toBe("&lt;div onclick=&quot;x()&quot;&gt;raw&lt;/div&gt;");
    expect(renderMarkdown(source)).toBe("<p>&lt;div onclick=&quot;x()&quot;&gt;raw&lt;/div&gt;</p>\n");
  });
});
