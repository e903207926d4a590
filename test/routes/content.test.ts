import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { send } from "../helpers";
import { admin, JUDGE } from "../judges/helpers";

const HOSTILE = `Come <script>alert(1)</script> <img src=x onerror=alert(2)> [win](javascript:alert(3)) [rules](/rules) [mail](mailto:team@example.com)`;

async function saved(): Promise<{ version: number; fields: Record<string, string>; history: { version: number; actor: string }[] }> {
  return (await (await admin("/admin/api/content")).json()) as never;
}

describe("the organisers' content", () => {
  it("shows Swagbox's defaults, generated from the settings, while nothing is written", async () => {
    const html = await (await send("/", { vars: { RUBRIC: JSON.stringify([{ id: "fun", label: "Sheer fun", weight: 3, max: 10 }, { id: "craft", label: "Craft", weight: 1, max: 5 }]) } })).text();
    expect(html).toContain("Build a working project on Workers that uses at least one other product");
    const rules = await (await send("/rules", { vars: { RUBRIC: JSON.stringify([{ id: "fun", label: "Sheer fun", weight: 3, max: 10 }, { id: "craft", label: "Craft", weight: 1, max: 5 }]) } })).text();
    expect(rules).toContain("<tr><td>Sheer fun</td><td>75%</td><td>10</td></tr><tr><td>Craft</td><td>25%</td><td>5</td></tr>");
    expect(rules).not.toMatch(/Requirements|Innovation|Breadth/);
    const firstCome = await (await send("/rules", { vars: { AWARD_POLICY: "first_come" } })).text();
    expect(firstCome).toContain("First come, first served");
    expect(firstCome).not.toContain("Scored out of");
  });

  it("is saved as numbered versions (audited), published to the pages, and Markdown in it stays inert", async () => {
    const start = await saved();
    const put = await admin("/admin/api/content", { method: "PUT", json: { base: start.version, intro: `# Hello\n\n${HOSTILE}`, prize: "A **hoodie** and stickers.", faq: "### Is it free?\n\nYes.", contact: " Team@Example.com " } });
    expect(put.status).toBe(200);
    const { version } = (await put.json()) as { version: number };
    expect(version).toBe(start.version + 1);

    const landing = await (await send("/")).text();
    expect(landing).toContain("<h2>Hello</h2>");
    expect(landing).toContain("Come &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; [win](javascript:alert(3))");
    expect(landing).toContain('<a href="/rules">rules</a>');
    expect(landing).not.toMatch(/<script>alert|href="javascript:|<img src=x/);
    expect(landing).toContain("A <strong>hoodie</strong> and stickers.");
    expect(landing).toMatch(/<meta name="description"[^>]* content="Hello Come &lt;script&gt;alert\(1\)/);
    const rules = await (await send("/rules")).text();
    expect(rules).toContain("<h3>Is it free?</h3>");
    expect(rules).toMatch(/<a [^>]*href="mailto:team@example.com"[^>]*>team@example.com<\/a>/);

    const now = await saved();
    expect(now.version).toBe(version);
    expect(now.fields.contact).toBe("team@example.com");
    expect(now.history[0]).toMatchObject({ version, actor: "Dev Organiser" });
    const audit = (await (await admin("/admin/api/audit?action=content_update")).json()) as { entries: { detail: { version: number } }[] };
    expect(audit.entries[0]!.detail.version).toBe(version);
    expect(await (await admin(`/admin/api/content/versions/${version}`)).json()).toMatchObject({ version, fields: { prize: "A **hoodie** and stickers." } });
  });

  it("refuses a save from an older version (someone saved meanwhile), changing nothing", async () => {
    const start = await saved();
    expect((await admin("/admin/api/content", { method: "PUT", json: { base: start.version, prize: "First." } })).status).toBe(200);
    const stale = await admin("/admin/api/content", { method: "PUT", json: { base: start.version, prize: "Second." } });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ error: "content_changed" });
    expect((await saved()).fields.prize).toBe("First.");
    const snapshot = (await env.SNAPSHOTS.get("content", "json")) as { fields: { prize: string } };
    expect(snapshot.fields.prize).toBe("First.");
  });

  it("answers invalid parts with 422 naming each, and saves nothing", async () => {
    const start = await saved();
    const response = await admin("/admin/api/content", {
      method: "PUT",
      json: { base: start.version, intro: "x".repeat(1_501), contact: "not an address", prizeImage: "http://insecure.example/p.png" },
    });
    expect(response.status).toBe(422);
    expect(Object.keys(((await response.json()) as { fields: object }).fields).sort()).toEqual(["contact", "intro", "prizeImage"]);
    expect((await saved()).version).toBe(start.version);
  });

  it("previews exactly as the pages render, saving nothing; organisers only", async () => {
    const start = await saved();
    const preview = await admin("/admin/api/content/preview", { method: "POST", json: { intro: HOSTILE } });
    expect(preview.status).toBe(200);
    const { html } = (await preview.json()) as { html: { intro: string; faq: string } };
    expect(html.intro).toContain("&lt;script&gt;");
    expect(html.intro).not.toContain("javascript:alert(3)\"");
    expect(html.faq).toContain("I lost my link");
    expect((await saved()).version).toBe(start.version);
    expect((await admin("/admin/api/content", { token: JUDGE })).status).toBe(403);
  });

  it("keeps the landing page one request and within 14 KB gzip with the longest content and the countdown", async () => {
    const start = await saved();
    // Random letters: text that compresses worse than any prose would.
    const words = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (byte) => "abcdefghijklmnopqrstuvwxyz "[byte % 27]).join("").trim();
    expect((await admin("/admin/api/content", { method: "PUT", json: { base: start.version, intro: words(1_500), prize: words(1_000), prizeImage: "https://images.example.com/box.jpg" } })).status).toBe(200);
    const html = await (await send("/")).text();
    expect(html).toContain("data-countdown=");
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*stylesheet|<img[^>]*\ssrc=/);
    const gzip = await new Response(new Blob([html]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
    expect(gzip.byteLength).toBeLessThanOrEqual(14 * 1024);
    expect((await admin("/admin/api/content", { method: "PUT", json: { base: start.version + 1 } })).status).toBe(200);
  });

  it("shows the organisers' prize picture after the first paint, in room kept for it, from the origin the policy names", async () => {
    const start = await saved();
    expect((await admin("/admin/api/content", { method: "PUT", json: { base: start.version, prizeImage: "https://images.example.com/box.jpg" } })).status).toBe(200);
    const response = await send("/");
    const html = await response.text();
    expect(html).toMatch(/<img alt="The prize" width="480" height="320"[^>]* data-src="https:\/\/images.example.com\/box.jpg">/);
    expect(html).not.toMatch(/<img[^>]*\ssrc=/);
    expect(response.headers.get("content-security-policy")).toContain("img-src 'self' https://images.example.com");
    expect(html).toMatch(/<meta property="og:image"[^>]* content="https:\/\/images.example.com\/box.jpg">/);
    expect((await admin("/admin/api/content", { method: "PUT", json: { base: start.version + 1, prizeImage: "" } })).status).toBe(200);
  });

  it("previews and shows content nested thousands of quotes or list levels deep, as text below a depth", async () => {
    const quotes = `${"> ".repeat(3900)}deep`;
    const lists = Array.from({ length: 1500 }, (_, depth) => `${" ".repeat(depth * 2)}- level`).join("\n").slice(0, 8000);
    const preview = await admin("/admin/api/content/preview", { method: "POST", json: { intro: "Nested.", eligibility: quotes.slice(0, 4000), faq: lists } });
    expect(preview.status).toBe(200);
    const { html } = (await preview.json()) as { html: { eligibility: string; faq: string } };
    expect(html.eligibility).toContain("<blockquote>");
    expect(html.faq).toContain("<li>level");
    const start = await saved();
    expect((await admin("/admin/api/content", { method: "PUT", json: { base: start.version, faq: `${"> ".repeat(3990)}deep` } })).status).toBe(200);
    const rules = await send("/rules");
    expect(rules.status).toBe(200);
    expect(await rules.text()).toContain("deep");
  });
});

