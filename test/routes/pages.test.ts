import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { linkCodeFor, registered, send, signUp, validSubmission } from "../helpers";

const XSS = `"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;'`;
const ESCAPED_TEXT = "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;'";

describe("pages", () => {
  it("serve the landing page as one self-contained document", async () => {
    const response = await send("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain("<style>");
    expect(html).toContain("<script>");
    expect(html).not.toMatch(/<link rel="stylesheet"|<script src=/);
    expect(html).toContain('<form method="post" action="/signup"');
    expect(html).toMatch(/<time data-time="registrationCloses" datetime="2030-12-31T23:59:59.000Z">/);
    expect(html).toMatch(/<label for="email">/);
    expect(html).toContain("Judges score every submission");
    expect(html).not.toContain("The first valid submissions win");
  });


  it("format the windows in the visitor's time zone, from what the edge knows of them", async () => {
    const tokyo = await (await send("/", { cf: { timezone: "Asia/Tokyo" } })).text();
    expect(tokyo).toMatch(/datetime="2030-12-31T23:59:59.000Z">1 Jan 2031, 08:59 GMT\+9</);
    const unknown = await (await send("/", { cf: { timezone: "Not/AZone" } })).text();
    expect(unknown).toMatch(/datetime="2030-12-31T23:59:59.000Z">31 Dec 2030, 23:59 UTC</);
  });

  it("serve the rules with the contest's dates and pool", async () => {
    const html = await (await send("/rules")).text();
    expect(html).toContain("Rules and terms");
    expect(html).toContain("award the 300 swag boxes to the best");
  });

  it("say 1 swag box, in the singular, and give the live count both forms", async () => {
    await env.SNAPSHOTS.put("prizes", JSON.stringify({ type: "prizes", remaining: 1, total: 5, head: "x", updatedAt: new Date().toISOString() }));
    try {
      const html = await (await send("/")).text();
      expect(html).toMatch(/<strong data-text="prizesLeft" data-live="remaining">1<\/strong> <span data-text="prizesNoun" data-live="noun" data-attrs="prizesNoun" data-one="swag box" data-many="swag boxes">swag box<\/span> left of/);
    } finally {
      await env.SNAPSHOTS.delete("prizes");
    }
  });

  it("name the prize and count the pool on the submission page as the landing page does", async () => {
    const code = await registered("prize-words@example.com");
    await env.SNAPSHOTS.put("prizes", JSON.stringify({ type: "prizes", remaining: 40, total: 50, head: "0".repeat(64), updatedAt: new Date().toISOString() }));
    try {
      const vars = { PRIZE_NAME: "T-shirt|T-shirts" };
      const html = await (await send(`/submit?code=${encodeURIComponent(code)}`, { vars })).text();
      expect(html).toContain("award the 50 T-shirts to the best");
      expect(await (await send("/", { vars })).text()).toContain("award the 50 T-shirts to the best");
      expect(html).not.toContain("swag box");
    } finally {
      await env.SNAPSHOTS.delete("prizes");
    }
  });

  it("state the one-box-per-person rules: mailbox spellings, throwaway addresses, the address rule in force", async () => {
    const review = await (await send("/rules")).text();
    expect(review).toContain("ada+contest@gmail.com and ada@googlemail.com all reach one Gmail inbox");
    expect(review).toContain("Throwaway (disposable) email addresses cannot sign up");
    expect(review).toContain("the organisers look at both entries");
    expect(review).not.toContain("another winner cannot give the same one");
    const refuse = await (await send("/rules", { vars: { ONE_BOX_PER_ADDRESS: "refuse" } })).text();
    expect(refuse).toContain("another winner cannot give the same one");
    expect(refuse).not.toContain("the organisers look at both entries");
    const off = await (await send("/rules", { vars: { ONE_BOX_PER_ADDRESS: "off" } })).text();
    expect(off).not.toContain("per postal address");
  });

  it("escape every value a visitor typed when the signup form comes back with errors", async () => {
    const response = await signUp("not-an-email", { firstname: XSS, lastname: XSS });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<img src=x");
    // Attribute values are escaped fully, so the ampersand the visitor typed stays exact.
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;&#39;"');
  });

  it("escape stored values everywhere they are shown again", async () => {
    const code = await registered("xss@example.com");
    const submitted = await send("/submit", {
      form: validSubmission(code, { title: XSS, description: XSS }),
    });
    const confirmation = await (await send(submitted.headers.get("location")!)).text();
    expect(confirmation).toContain(ESCAPED_TEXT.replace("&quot;", '"'));
    expect(confirmation).not.toContain("<script>alert(1)");

    const form = await (await send(`/submit?code=${encodeURIComponent(code)}`)).text();
    expect(form).not.toContain("<script>alert(1)");
    expect(form).not.toContain("<img src=x");
    expect(form).toContain(`<textarea id="description" name="description" required maxlength="5000">${ESCAPED_TEXT.replace("&quot;", '"')}</textarea>`);

    const json = await (await send(`/submit?code=${encodeURIComponent(code)}`, { acceptJson: true })).json();
    expect(json).toMatchObject({ submission: { title: XSS, description: XSS } });
  });

  it("escape a hostile name on the submission form and in the mailbox", async () => {
    await signUp("name@example.com", { firstname: XSS, lastname: "X" });
    const code = await linkCodeFor("name@example.com");
    const form = await (await send(`/submit?code=${encodeURIComponent(code)}`)).text();
    expect(form).toContain(`<strong data-text="fullName">${ESCAPED_TEXT.replace("&quot;", '"')} X</strong>`);
    const mailboxPage = await (await send("/dev/mailbox")).text();
    expect(mailboxPage).not.toContain("<script>alert(1)");
  });
});

describe("HEAD requests", () => {
  it("answer like GET without a body", async () => {
    for (const path of ["/", "/healthz", "/rules"]) {
      const response = await send(path, { method: "HEAD" });
      expect(response.status, path).toBe(200);
      expect(await response.text()).toBe("");
    }
    expect((await send("/nope", { method: "HEAD" })).status).toBe(404);
  });
});
