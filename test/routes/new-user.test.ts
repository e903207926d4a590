/**
 * What a new user tried and found wrong (issue 17, item 10), each now a behaviour.
 */
import { describe, expect, it } from "vitest";
import { countingLimiter, emailsTo, mailbox, send } from "../helpers";
import { admin, entrant, indexed, shippingCode } from "../judges/helpers";

async function winner(email: string) {
  const { id, code } = await entrant(email, { title: `Entry of ${email}` });
  await indexed(id, (row) => row.submission_version === 1);
  expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
  await indexed(id, (row) => row.shipping_status === "awaiting");
  return { id, code, shipping: await shippingCode(email) };
}

describe("what a new user saw", () => {
  it("offers T-shirt sizes in the order the organisers configured, and countries by name", async () => {
    const { shipping } = await winner("sizes@example.com");
    const html = await (await send(`/shipping?code=${encodeURIComponent(shipping)}`, { vars: { TSHIRT_SIZES: "XS,S,M,L,XL,XXL" } })).text();
    const sizes = [...html.matchAll(/<option value="(X{0,2}[SML])"/g)].map((m) => m[1]);
    expect(sizes).toEqual(["XS", "S", "M", "L", "XL", "XXL"]);
    expect(html.indexOf(">Afghanistan<")).toBeLessThan(html.indexOf(">Zimbabwe<"));
  });

  it("marks an invalid select like any other field, and styles selects as the inputs are", async () => {
    const { shipping } = await winner("select@example.com");
    const response = await send("/shipping", { form: { code: shipping, name: "Ada", address_line1: "1 Road", city: "London", country: "XX", tshirt_size: "M" } });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toMatch(/<select id="country" name="country"[^>]* aria-invalid="true" aria-describedby="error-country"/);
    expect(html).toContain("input[type=text],input[type=email],input[type=url],textarea,select{");
  });

  it("names each field in its error as the form labels it", async () => {
    const { code } = await entrant("labels@example.com");
    const submit = await send("/submit", { acceptJson: true, form: { code, title: "", description: "", repo_url: "x", demo_url: "y" } });
    const { fields } = (await submit.json()) as { fields: Record<string, string> };
    expect(fields).toMatchObject({
      title: "Project title is required",
      description: "Description is required",
      repo_url: expect.stringMatching(/^Code repository URL /),
      demo_url: expect.stringMatching(/^Live project URL /),
    });
    const form = await (await send(`/submit?code=${encodeURIComponent(code)}`)).text();
    for (const label of ["Project title", "Description", "Live project URL", "Code repository URL"]) expect(form).toContain(`>${label}`);
  });

  it("answers a busy /link with a page about links that keeps what was typed", async () => {
    const response = await send("/link", { form: { email: "typed-in@example.com" }, headers: { "cf-connecting-ip": "203.0.113.9" }, vars: { SIGNUP_LIMITER: countingLimiter(0) } });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("60");
    const html = await response.text();
    expect(html).toContain("Too many requests for a new link came from your network");
    expect(html).toContain('value="typed-in@example.com"');
    expect(html).toContain('<form method="post" action="/link"');
  });

  it("answers every form a browser posts with an address that reloads the page, not the post", async () => {
    const { code, shipping } = await winner("reload@example.com");
    const address = { code: shipping, name: "Ada Lovelace", address_line1: "1 Road", city: "London", country: "GB", tshirt_size: "M" };
    const saved = await send("/shipping", { form: address });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`/shipping?code=${encodeURIComponent(shipping)}&saved=address`);
    expect(await (await send(saved.headers.get("location")!)).text()).toContain("Address saved.");
    // A form answered with errors sits at the form's own address, which reloads as the form.
    expect(await (await send(`/submit?code=${encodeURIComponent(code)}`)).text()).toMatch(new RegExp(`<form method="post" action="/submit\\?code=${encodeURIComponent(code).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
    const link = await send("/link", { form: { email: "nobody-here@example.com" } });
    expect(link.headers.get("location")).toBe("/check-inbox?after=link");
    expect((await send("/signup")).headers.get("location")).toBe("/#signup-heading");
    const { code: erasable } = await entrant("erase-reload@example.com");
    const erased = await send("/privacy/erase", { form: { code: erasable, confirm: "on" } });
    expect(erased.status).toBe(303);
    expect(await (await send(erased.headers.get("location")!)).text()).toContain("Your data is erased");
  });

  it("shows the erase button as destructive", async () => {
    const { code } = await entrant("danger@example.com");
    expect(await (await send(`/submit?code=${encodeURIComponent(code)}`)).text()).toContain('<button type="submit" class="danger">Erase my data</button>');
  });

  it("heads the shipping page as shipped once the box left", async () => {
    const { id, shipping } = await winner("heading@example.com");
    await send("/shipping", { acceptJson: true, form: { code: shipping, name: "Ada", address_line1: "1 Road", city: "London", country: "GB", tshirt_size: "M" } });
    expect((await admin(`/admin/api/entries/${id}/shipped`, { method: "POST", json: {} })).status).toBe(200);
    const html = await (await send(`/shipping?code=${encodeURIComponent(shipping)}`)).text();
    expect(html).toContain('<h1 data-text="heading">Your prize is on its way</h1>');
    expect(html).not.toContain("where should we send it");
  });

  it("filters the development mailbox by recipient, and wraps its long links", async () => {
    await entrant("mailbox-a@example.com");
    await entrant("mailbox-b@example.com");
    await emailsTo("mailbox-b@example.com");
    const only = (await (await send("/dev/mailbox?to=Mailbox-A@example.com", { acceptJson: true })).json()) as { emails: { to: string }[] };
    expect(only.emails.length).toBeGreaterThan(0);
    expect(new Set(only.emails.map((e) => e.to))).toEqual(new Set(["mailbox-a@example.com"]));
    const page = await (await send("/dev/mailbox?to=mailbox-a@example.com")).text();
    expect(page).toContain('<article class="card wrap">');
    expect(page).toContain('value="mailbox-a@example.com"');
    expect(page).not.toContain("mailbox-b@example.com");
    expect((await mailbox()).some((e) => e.to === "mailbox-b@example.com")).toBe(true);
  });

  it("exports CSV for Excel with a UTF-8 byte order mark when asked, and without one otherwise", async () => {
    await entrant("csv-bom@example.com", {}, "Zoë");
    const withBom = new Uint8Array(await (await admin("/admin/api/export.csv?set=entries&bom=1")).arrayBuffer());
    expect([...withBom.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const plain = new Uint8Array(await (await admin("/admin/api/export.csv?set=entries")).arrayBuffer());
    expect(new TextDecoder().decode(plain.slice(0, 3))).toBe("id,");
    expect((await admin("/admin/api/export.csv?bom=yes")).status).toBe(400);
  });
});
