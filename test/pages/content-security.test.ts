import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, inlineHashes, pageSecurity } from "../../src/pages/content-security";
import { PAGES } from "../../src/pages/templates";
import { directives, sha256 } from "../helpers";

describe("inline hashes", () => {
  it("hash each inline script and style exactly as written, and skip scripts with a src", () => {
    const html = `<style>a{color:red}</style><script>\nrun("é");\n</script><script type="module" src="/x.js"></script><SCRIPT type="module">go()</SCRIPT>`;
    expect(inlineHashes(html, "script")).toEqual([sha256('\nrun("é");\n'), sha256("go()")]);
    expect(inlineHashes(html, "style")).toEqual([sha256("a{color:red}")]);
  });

  it("cover every inline script and style of every page", () => {
    for (const [name, page] of Object.entries(PAGES)) {
      const scripts = [...page.html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => sha256(m[1]!));
      const styles = [...page.html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => sha256(m[1]!));
      expect(scripts.length, name).toBeGreaterThan(0);
      expect(page.security.scriptHashes, name).toEqual(scripts);
      expect(page.security.styleHashes, name).toEqual(styles);
    }
  });
});

describe("the policy", () => {
  const page = pageSecurity("<style>s</style><script>x</script>");

  it("runs only the page's own scripts and styles, loads nothing else, and forbids framing", () => {
    const policy = directives(contentSecurityPolicy(page, "https://swagbox.example.com/rules"));
    expect(policy).toEqual({
      "default-src": ["'none'"],
      "script-src": [sha256("x")],
      "style-src": [sha256("s")],
      "img-src": ["'self'"],
      "connect-src": ["'self'"],
      "frame-src": ["'none'"],
      "form-action": ["'self'"],
      "base-uri": ["'none'"],
      "frame-ancestors": ["'none'"],
    });
  });

  it("names the page's own WebSocket origin, ws or wss as the page was served", () => {
    const live = pageSecurity("<script>x</script>", { live: true });
    expect(directives(contentSecurityPolicy(live, "https://swagbox.example.com/"))["connect-src"]).toEqual(["'self'", "wss://swagbox.example.com"]);
    expect(directives(contentSecurityPolicy(live, "http://localhost:8787/"))["connect-src"]).toEqual(["'self'", "ws://localhost:8787"]);
  });

  it("allows module scripts from the page's own folders only, on its own origin", () => {
    const dashboard = pageSecurity("<script>x</script>", { scriptFolders: ["/admin/dashboard/"] });
    const policy = directives(contentSecurityPolicy(dashboard, "https://swagbox.example.com/admin?q=x"));
    expect(policy["script-src"]).toEqual([sha256("x"), "https://swagbox.example.com/admin/dashboard/"]);
  });

  it("allows stylesheets from the page's own folders only, on its own origin, besides its inline styles", () => {
    const dashboard = pageSecurity("<style>s</style><script>x</script>", { styleFolders: ["/admin/dashboard/"] });
    const policy = directives(contentSecurityPolicy(dashboard, "https://swagbox.example.com/admin?q=x"));
    expect(policy["style-src"]).toEqual([sha256("s"), "https://swagbox.example.com/admin/dashboard/"]);
    expect(policy["script-src"]).toEqual([sha256("x")]);
  });

  it("adds a widget's origins to scripts and frames only for the response that shows it", () => {
    const widget = { scripts: ["https://challenges.cloudflare.com"], frames: ["https://challenges.cloudflare.com"] };
    const policy = directives(contentSecurityPolicy(page, "https://swagbox.example.com/", widget));
    expect(policy["script-src"]).toEqual([sha256("x"), "https://challenges.cloudflare.com"]);
    expect(policy["frame-src"]).toEqual(["https://challenges.cloudflare.com"]);
  });
});
