import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { excerpt, markdownText, renderMarkdown } from "../src/markdown";
import { isAllowedLink } from "../src/markdown-inline";

/** The markup the renderer may write (the dashboard's preview keeps the same elements, public/admin/dashboard/markup.js). */
const TAG = /<(\/?)(p|h[1-6]|ul|ol|li|a|strong|em|code|pre|blockquote|hr|br|table|thead|tbody|tr|th|td|del|input)((?: [a-z]+="[^"<>]*")*)>/g;
const ATTRIBUTES = new Set(["href", "title", "class", "start", "align", "disabled", "checked", "type"]);

/**
 * Checks that `html` is only the renderer's own markup around escaped text: every tag one
 * it writes, with its own attributes, closed in order; every link allowed; no "<" or
 * unescaped "&", quote or ">" left in the text between tags.
 */
function expectSafe(html: string, source: string) {
  const open: string[] = [];
  for (const [, closing, name, attributes] of html.matchAll(TAG)) {
    for (const [, attribute] of attributes!.matchAll(/ ([a-z]+)=/g)) expect(ATTRIBUTES.has(attribute!), source).toBe(true);
    const href = /href="([^"]*)"/.exec(attributes!)?.[1];
    if (href !== undefined) expect(isAllowedLink(href.replace(/&amp;/g, "&")), source).toBe(true);
    if (["hr", "br", "input"].includes(name!)) continue;
    if (closing) expect(open.pop(), source).toBe(name);
    else open.push(name!);
  }
  expect(open, source).toEqual([]);
  expect(html.replace(TAG, ""), source).not.toMatch(/[<>"']|&(?!(?:amp|lt|gt|quot|#39|#\d{1,7}|#x[\da-f]{1,6}|[a-z][a-z\d]{1,31});)/i);
}

describe("organisers' Markdown", () => {
  it("renders <script>, raw HTML and event handlers as text, never as markup", () => {
    const html = renderMarkdown(`Hello <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n<div onclick="x()">raw</div>`);
    expect(html).not.toMatch(/<(script|img|div)\b/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=alert(2)&gt;");
  });

  it("keeps http(s), mailto and same-site links, and leaves any other link as the text it was written as", () => {
    const html = renderMarkdown(
      "[a](https://example.com/a) [b](mailto:team@example.com) [c](/rules) [d](javascript:alert(1)) [e](JaVaScRiPt:alert(2)) [f](data:text/html,x) [g](vbscript:x) [h](//evil.example/x) [i](  javascript:alert(3))",
    );
    expect(html).toContain('<a href="https://example.com/a">a</a>');
    expect(html).toContain('<a href="mailto:team@example.com">b</a>');
    expect(html).toContain('<a href="/rules">c</a>');
    expect(html.match(/<a /g)).toHaveLength(3);
    expect(html).not.toMatch(/href="(?!https:|mailto:|\/rules)/);
    expect(html).toContain("[d](javascript:alert(1))");
  });

  it("refuses autolinks and reference links to other schemes too", () => {
    const html = renderMarkdown("<javascript:alert(1)> and [x][bad]\n\n[bad]: javascript:alert(2)");
    expect(html).not.toContain("<a ");
  });

  it("shows no images: the pages load nothing from elsewhere", () => {
    expect(renderMarkdown("![tracker](https://evil.example/p.png)")).not.toContain("<img");
  });

  it("starts headings below the page's own", () => {
    expect(renderMarkdown("# Big\n\n## Less", 3)).toBe("<h3>Big</h3>\n<h4>Less</h4>\n");
    expect(renderMarkdown("### Question\n\n#### Detail", 3)).toBe("<h3>Question</h3>\n<h4>Detail</h4>\n");
    expect(renderMarkdown("##### Deep", 3)).toBe("<h5>Deep</h5>\n");
    expect(renderMarkdown("# A\n\n###### Z", 3)).toBe("<h3>A</h3>\n<h6>Z</h6>\n");
  });

  it("tells the allowed links apart by scheme, whatever their case or spaces", () => {
    for (const link of ["https://a.example", "HTTP://a.example", "mailto:x@example.com", "/winners"]) expect(isAllowedLink(link), link).toBe(true);
    for (const link of ["javascript:x", " data:x", "//a.example", "ftp://a.example", "rules"]) expect(isAllowedLink(link), link).toBe(false);
  });

  it("gives the plain words of Markdown, and cuts them at a word", () => {
    expect(markdownText("# Title\n\nBuild **something** with `Workers` and [read more](https://x.example).")).toBe("Title Build something with Workers and read more.");
    expect(excerpt("one two three four five", 12)).toBe("one two…");
    expect(excerpt("short", 12)).toBe("short");
  });

  it("refuses links to other schemes however they are hidden", () => {
    const sources = [
      "[a](&#106;avascript:alert(1))",
      "[a](java\tscript:alert(1))",
      "[a](<javascript:alert(1)>)",
      "[a](\\javascript:alert(1))",
      "<JAVASCRIPT:alert(1)>",
      "<data:text/html,<script>alert(1)</script>>",
      "[a][r]\n\n[r]: <javascript:alert(1)>",
      "[a]\n\n[a]: vbscript:x",
      "![x](javascript:alert(1))",
      "[![x](https://a.example/i.png)](javascript:alert(1))",
      "javascript:alert(1) and data:text/html,x",
    ];
    for (const source of sources) {
      const html = renderMarkdown(source);
      expect(html, source).not.toMatch(/<a |<img|<script/);
      expectSafe(html, source);
    }
  });

  it("escapes quotes in a link's destination and title, so neither leaves its attribute", () => {
    const html = renderMarkdown(`[a](https://a.example/"onmouseover="alert(1) "t\\" onclick='x'")`);
    expect(html).toBe(`<p><a href="https://a.example/&quot;onmouseover=&quot;alert(1)" title="t&quot; onclick=&#39;x&#39;">a</a></p>\n`);
  });

  it("keeps unbalanced markers as the text they are, and closes every tag it opens", () => {
    const cases: [string, string][] = [
      ["**bold", "<p>**bold</p>\n"],
      ["*a **b*", "<p>*a *<em>b</em></p>\n"],
      ["[open link", "<p>[open link</p>\n"],
      ["a] b) c", "<p>a] b) c</p>\n"],
      ["`code", "<p>`code</p>\n"],
      ["~~gone", "<p>~~gone</p>\n"],
      ["[a](https://a.example", "<p>[a](<a href=\"https://a.example\">https://a.example</a></p>\n"],
      ["```\nnever closed <b>", "<pre><code>never closed &lt;b&gt;\n</code></pre>\n"],
      ["> > >", "<blockquote>\n<blockquote>\n<blockquote>\n</blockquote>\n</blockquote>\n</blockquote>\n"],
    ];
    for (const [source, html] of cases) {
      expect(renderMarkdown(source), source).toBe(html);
      expectSafe(html, source);
    }
  });

  it("writes only its own markup around escaped text, whatever the input", () => {
    const pieces = fc.constantFrom(
      ..."*_~`[]()<>!#>-+|:\\&\"' \t\n".split(""),
      "**", "__", "~~", "```", "\n\n", "\n- ", "\n1. ", "\n> ", "\n# ", "\n    ", "\n|---|---|\n", "[x]", "[ ] ",
      "](https://a.example/p)", "](/rules)", "](javascript:alert(1))", "](JaVaScRiPt:x \"t\")", "<https://a.example>", "<javascript:x>",
      "<script>", "</script>", "<img src=x onerror=alert(1)>", "https://b.example/q", "www.c.example", "ada@d.example", "&amp;", "&copy;", "&#x3C;", "word",
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const source = parts.join("");
        expectSafe(renderMarkdown(source), source);
        expect(markdownText(source)).not.toMatch(/[\n\t]/);
      }),
      { numRuns: 2000 },
    );
  });

  it("renders very long hostile input, nested or unclosed, without running out of stack", () => {
    const long = 60_000;
    const sources = [
      "[](".repeat(long / 3),
      "*a ".repeat(long / 3),
      "_".repeat(long),
      "`".repeat(long),
      "<".repeat(long),
      "[".repeat(long),
      "![".repeat(long / 2),
      "a@".repeat(long / 2),
      "www.a(".repeat(long / 6),
      `https://a.example/${")".repeat(long)}`,
      "> ".repeat(long / 2) + "deep",
      Array.from({ length: 500 }, (_, depth) => `${"  ".repeat(depth)}- level`).join("\n"),
      "a\n".repeat(long / 2),
      `# ${" #".repeat(long / 2)}x`,
      `[a](/x "${"b".repeat(long)}`,
    ];
    for (const source of sources) expectSafe(renderMarkdown(source), source.slice(0, 40));
  });
});
