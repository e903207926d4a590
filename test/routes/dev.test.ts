import { describe, expect, it } from "vitest";
import { emailsTo, send, signUp } from "../helpers";

const PRODUCTION = { ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare" };

describe("GET /dev/mailbox", () => {
  it("lists caught emails with their links, as HTML and as JSON", async () => {
    await signUp("mailbox@example.com", { firstname: "<b>Bold</b>" });
    const [email] = await emailsTo("mailbox@example.com");
    expect(email?.links).toEqual([
      "http://localhost:8787/link",
      expect.stringMatching(/^http:\/\/localhost:8787\/submit\?code=/),
    ]);

    const html = await (await send("/dev/mailbox")).text();
    expect(html).toContain("mailbox@example.com");
    expect(html).toContain("Hi &lt;b&gt;Bold&lt;/b&gt;,");
    expect(html).not.toContain("<b>Bold</b>");
    expect(html).toMatch(/<a href="http:\/\/localhost:8787\/submit\?code=[0-9a-f]{64}\.[\w-]{43}">/);
  });

  it("does not exist under the production configuration", async () => {
    const json = await send("/dev/mailbox", { acceptJson: true, vars: PRODUCTION });
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ error: "not_found" });
    const html = await send("/dev/mailbox", { vars: PRODUCTION });
    expect(html.status).toBe(404);
    expect(await html.text()).not.toContain("Development mailbox");
  });

  it("is not advertised on the check-your-inbox page in production", async () => {
    const production = await signUp("prod@example.com", {}, { vars: PRODUCTION });
    expect(await (await send(production.headers.get("location")!, { vars: PRODUCTION })).text()).not.toContain("/dev/mailbox");
    const development = await signUp("dev@example.com");
    expect(await (await send(development.headers.get("location")!)).text()).toContain("/dev/mailbox");
  });
});
