import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { send } from "../helpers";
import { admin, entrant, indexed, ORGANISER, shippingCode } from "../judges/helpers";

const CLOSED = { SUBMISSION_OPENS: "2020-01-01T00:00:00Z", SUBMISSION_CLOSES: "2020-02-01T00:00:00Z" };

/** The results API as an organiser calls it, with the submission window closed. */
function results(method: "GET" | "POST" | "DELETE") {
  return send("/admin/api/results", { method, acceptJson: true, headers: { authorization: `Bearer ${ORGANISER}` }, vars: CLOSED, ...(method === "POST" && { json: {} }) });
}

async function winner(email: string, firstname: string, title: string) {
  const { id } = await entrant(email, { title, description: `${title}: ${"a long story about the build ".repeat(20)}` }, firstname);
  await indexed(id, (row) => row.submission_version === 1);
  expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
  await indexed(id, (row) => row.shipping_status === "awaiting");
  return { id, code: await shippingCode(email) };
}

afterEach(async () => {
  await results("DELETE");
});

describe("the winners page", () => {
  it("lists, once published, only the winners who agreed: first name, last initial, title, excerpt, links", async () => {
    const ada = await winner("listed-ada@example.com", "Ada", "Listed Lantern");
    const bob = await winner("unlisted-bob@example.com", "Bob", "Quiet Quasar");
    // Ada agrees on her shipping page (a plain form post, answered with her page again).
    const consent = await send("/shipping/showcase", { form: { code: ada.code, showcase: "on" } });
    expect(consent.status).toBe(303);
    expect(consent.headers.get("location")).toBe(`/shipping?code=${encodeURIComponent(ada.code)}&saved=consent`);
    expect(await (await send(consent.headers.get("location")!)).text()).toMatch(/name="showcase" checked/);
    await indexed(ada.id, (row) => row.showcase === 1);

    expect(await (await send("/winners")).text()).toContain("The results are not out yet");
    const published = await results("POST");
    expect(published.status).toBe(200);
    expect(await published.json()).toMatchObject({ published: true, listed: 1, unlisted: 1 });

    const page = await (await send("/winners")).text();
    expect(page).toContain("<h2>Listed Lantern</h2><p class=\"hint\">by Ada L.</p>");
    expect(page).toMatch(/a long story about the build[^<]*…<\/p>/);
    expect(page).toContain('<a href="https://edge-chess.ada.workers.dev/" rel="nofollow noopener">Live project</a>');
    expect(page).not.toContain("Quiet Quasar");
    expect(page).not.toContain("unlisted-bob");
    expect(page).not.toContain("listed-ada@example.com");
    expect(page).toMatch(/<meta property="og:title"[^>]* content="Winners · Swagbox Developer Challenge">/);
    expect(page).toMatch(/<meta name="description"[^>]* content="[^"]+">/);
    const json = (await (await send("/winners", { acceptJson: true })).json()) as { winners: { name: string }[]; unlisted: number };
    expect(json.winners.map((w) => w.name)).toEqual(["Ada L."]);
    expect(json.unlisted).toBe(1);
    expect((await send("/winners")).headers.get("cache-control")).toBe("public, max-age=300");

    // After publication the choice is no longer offered; the page says who to write to.
    const after = await (await send(`/shipping?code=${encodeURIComponent(bob.code)}`)).text();
    expect(after).not.toContain('action="/shipping/showcase"');
    expect(after).toContain("The results are published");
  });

  it("cannot be published while submissions are open, and withdrawing it takes it down", async () => {
    const open = await admin("/admin/api/results", { method: "POST", json: {} });
    expect(open.status).toBe(409);
    expect(await open.json()).toMatchObject({ error: "submissions_open" });
    expect((await admin("/admin/api/results", { method: "POST", json: {}, token: "dev-judge-token" })).status).toBe(403);
    expect((await results("POST")).status).toBe(200);
    expect((await results("DELETE")).status).toBe(200);
    expect(await (await send("/winners")).text()).toContain("The results are not out yet");
    const again = await results("DELETE");
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: "not_found", message: "No results are published." });
    const audit = (await (await admin("/admin/api/audit?action=results_publish")).json()) as { entries: { action: string }[] };
    expect(audit.entries.length).toBeGreaterThan(0);
  });

  it("pages a long list, each page within the landing page's budget", async () => {
    const winners = Array.from({ length: 30 }, (_, i) => ({
      slot: i + 1, name: `Winner ${i} W.`, title: `Project ${i}`, excerpt: "x".repeat(200), demoUrl: "https://a.example/", repoUrl: "https://github.com/a/b",
    }));
    await env.SNAPSHOTS.put("results", JSON.stringify({ publishedAt: new Date().toISOString(), winners, unlisted: 0 }));
    const first = await (await send("/winners")).text();
    expect(first).toContain("Project 23");
    expect(first).not.toContain("Project 24");
    expect(first).toContain('href="/winners?page=2"');
    const second = await (await send("/winners?page=2")).text();
    expect(second).toContain("Project 29");
    expect(second).toMatch(/<ol class="winners"[^>]* start="25">/);
    expect((await send("/winners?page=3")).status).toBe(404);
    expect((await send("/winners?page=x")).status).toBe(400);
    const gzip = new Response(new Blob([first]).stream().pipeThrough(new CompressionStream("gzip")));
    expect((await gzip.arrayBuffer()).byteLength).toBeLessThanOrEqual(14 * 1024);
  });
});
