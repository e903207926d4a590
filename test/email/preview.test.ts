import { describe, expect, it } from "vitest";
import { send } from "../helpers";

const PRODUCTION = { ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare" };
const TEMPLATES = [
  "registration",
  "link_resent",
  "submission_received",
  "prize_won",
  "shipping_reminder",
  "hold_expired",
  "shipping_confirmed",
  "shipped",
  "disqualified",
  "prize_revoked",
  "waitlist_promoted",
  "announcement",
];

describe("email previews in development", () => {
  it("lists every template with links to its HTML and text parts", async () => {
    const json = await send("/dev/emails", { acceptJson: true });
    expect(json.status).toBe(200);
    const { templates } = (await json.json()) as { templates: { template: string; subject: string; html: string; text: string }[] };
    expect(templates.map((t) => t.template)).toEqual(TEMPLATES);
    expect(templates[3]).toEqual({
      template: "prize_won",
      subject: "You won a Swagbox Developer Challenge prize",
      html: "/dev/emails/prize_won",
      text: "/dev/emails/prize_won?part=text",
    });

    const page = await send("/dev/emails");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>Email previews</h1>");
    for (const template of TEMPLATES) {
      expect(html).toContain(`href="/dev/emails/${template}"`);
      expect(html).toContain(`href="/dev/emails/${template}?part=text"`);
    }
  });

  it.each(TEMPLATES)("shows %s as HTML, and as plain text with ?part=text", async (template) => {
    const html = await send(`/dev/emails/${template}`);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(html.headers.get("content-security-policy")).toContain("default-src 'none'");
    const document = await html.text();
    expect(document).toMatch(/^<!doctype html>/);
    expect(document).toContain("<p style=\"margin:0 0 16px\">Hi Ada,</p>");

    const text = await send(`/dev/emails/${template}?part=text`);
    expect(text.status).toBe(200);
    expect(text.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await text.text()).toMatch(/^Hi Ada,\n\n/);
  });

  it("answers 404 for a template that does not exist and 400 for an unknown part", async () => {
    for (const path of ["/dev/emails/nope", "/dev/emails/__proto__", "/dev/emails/toString"]) {
      expect((await send(path, { acceptJson: true })).status).toBe(404);
    }
    const part = await send("/dev/emails/registration?part=pdf", { acceptJson: true });
    expect(part.status).toBe(400);
  });
});

describe("email previews in production", () => {
  it.each(["/dev/emails", "/dev/emails/registration", "/dev/emails/registration?part=text"])("%s does not exist", async (path) => {
    const json = await send(path, { acceptJson: true, vars: PRODUCTION });
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ error: "not_found" });
    const page = await send(path, { vars: PRODUCTION });
    expect(page.status).toBe(404);
    const body = await page.text();
    expect(body).not.toContain("Email previews");
    expect(body).not.toContain("Hi Ada,");
  });
});
