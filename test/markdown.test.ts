import { describe, expect, it } from "vitest";
import { excerpt, isAllowedLink, markdownText, renderMarkdown } from "../src/markdown";

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
});
