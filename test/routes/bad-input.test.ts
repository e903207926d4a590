import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Registrant } from "../../src/objects/registrant";
import { holdsRegistration, ORIGIN, registered, registrantStub, send, validSubmission } from "../helpers";
import { admin, entrant, indexed, shippingCode } from "../judges/helpers";

const POST_ROUTES = ["/signup", "/submit", "/link", "/shipping", "/privacy/erase"] as const;

function raw(path: string, init: Omit<RequestInit, "headers"> & { headers?: Record<string, string> }) {
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { method: "POST", ...init, headers: { accept: "application/json", ...init.headers } }));
}

async function expectError(response: Response, status: number, error: string) {
  expect(response.status).toBe(status);
  expect(await response.json()).toMatchObject({ error, message: expect.any(String) });
}

describe.each(POST_ROUTES)("POST %s with bad input", (path) => {
  it("answers a body that does not parse with 400", async () => {
    await expectError(await raw(path, { body: "{not json", headers: { "content-type": "application/json" } }), 400, "malformed");
    await expectError(await raw(path, { body: "[1,2]", headers: { "content-type": "application/json" } }), 400, "malformed");
    await expectError(await raw(path, { body: "null", headers: { "content-type": "application/json" } }), 400, "malformed");
    await expectError(
      await raw(path, { body: "--x\r\nbroken", headers: { "content-type": "multipart/form-data; boundary=y" } }),
      400,
      "malformed",
    );
  });

  it("answers a body over the limit with 413, whether it declares its length, understates it or does not", async () => {
    const big = "a=" + "x".repeat(70_000);
    await expectError(await raw(path, { body: big, headers: { "content-type": "application/x-www-form-urlencoded" } }), 413, "too_large");
    await expectError(
      await raw(path, { body: big, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "10" } }),
      413,
      "too_large",
    );
    const stream = new Blob([big]).stream();
    await expectError(
      await raw(path, { body: stream, headers: { "content-type": "application/x-www-form-urlencoded" } }),
      413,
      "too_large",
    );
  });

  it("answers other content types with 415", async () => {
    await expectError(await raw(path, { body: "hello", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
    await expectError(await raw(path, { body: "<a/>", headers: { "content-type": "application/xml" } }), 415, "unsupported_media_type");
    await expectError(await raw(path, { body: "x" }), 415, "unsupported_media_type");
  });

  it("answers a browser with an HTML page of the same status", async () => {
    const response = await exports.default.fetch(
      new Request(`${ORIGIN}${path}`, { method: "POST", body: "x", headers: { "content-type": "text/plain", accept: "text/html" } }),
    );
    expect(response.status).toBe(415);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("Send the form");
  });
});

// /shipping and /privacy/erase check their link code before their fields (see their own tests).
describe.each(["/signup", "/submit", "/link"] as const)("POST %s with fields of the wrong type", (path) => {
  it("answers fields of the wrong type with 422, not 500", async () => {
    const code = path === "/submit" ? await registered(`types-${path.slice(1)}@example.com`) : undefined;
    const response = await send(path, {
      acceptJson: true,
      json: { code, firstname: 42, lastname: ["a"], email: { x: 1 }, title: null, description: 7, repo_url: 1, demo_url: true, products: [1, 2] },
    });
    expect(response.status).toBe(422);
    // /link has one field; the others several.
    expect(Object.keys(((await response.json()) as { fields: object }).fields).length).toBeGreaterThanOrEqual(path === "/link" ? 1 : 3);
  });

});

describe("POST /signup field checks", () => {
  it("names every invalid field and stores nothing", async () => {
    const before = (await listDurableObjectIds(env.REGISTRANT)).length;
    const response = await send("/signup", {
      acceptJson: true,
      form: { firstname: "", lastname: "x".repeat(101), email: "not-an-email" },
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: "invalid",
      message: "Some fields need correcting.",
      fields: {
        firstname: "First name is required",
        lastname: "Last name must be at most 100 characters",
        email: "Enter a valid email address, like ada@example.com",
        accept_rules: "Accept the rules to sign up",
      },
    });
    expect((await listDurableObjectIds(env.REGISTRANT)).length).toBe(before);
  });

  it("treats a field named __proto__ as just another field", async () => {
    const response = await send("/signup", { acceptJson: true, form: { __proto__: "x", firstname: "A" } as never });
    expect(response.status).toBe(422);
  });
});

describe("POST /submit code checks", () => {
  it("answers a missing, malformed or forged code with 404 before looking at the fields", async () => {
    for (const code of [undefined, "", "abc", `${"z".repeat(64)}.${"A".repeat(43)}`, `${"0".repeat(64)}.${"A".repeat(43)}`]) {
      const form = validSubmission("") as Record<string, string | string[]>;
      if (code === undefined) delete form.code;
      else form.code = code;
      const response = await send("/submit", { acceptJson: true, form });
      expect(response.status, String(code)).toBe(404);
      expect(await response.json()).toMatchObject({ error: "unknown_code" });
    }
  });

  it("keeps a stored submission unchanged through every kind of bad post", async () => {
    const code = await registered("unchanged@example.com");
    expect((await send("/submit", { acceptJson: true, form: validSubmission(code) })).status).toBe(201);
    const attempts = [
      raw("/submit", { body: "{", headers: { "content-type": "application/json" } }),
      raw("/submit", { body: `code=${code}&title=${"x".repeat(70_000)}`, headers: { "content-type": "application/x-www-form-urlencoded" } }),
      raw("/submit", { body: "code", headers: { "content-type": "text/plain" } }),
      send("/submit", { acceptJson: true, form: validSubmission(code, { title: "" }) }),
      send("/submit", { acceptJson: true, form: validSubmission(`${code.split(".")[0]}.${"C".repeat(43)}`, { title: "Forged" }) }),
    ];
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    expect(statuses).toEqual([400, 413, 415, 422, 404]);
    const stored = await runInDurableObject(registrantStub("unchanged@example.com"), (_: Registrant, state) =>
      state.storage.sql.exec("SELECT version, title FROM submission_version").toArray(),
    );
    expect(stored).toEqual([{ version: 1, title: "Edge Chess" }]);
  });
});

describe("a lone UTF-16 surrogate in a JSON body", () => {
  const LONE = "\ud800";

  /** The form comes back whole, the lone surrogate shown as U+FFFD, and with a key that is one too. */
  async function expectWholeForm(path: string, json: Record<string, unknown>) {
    const response = await send(path, { json: { ...json, [`x${LONE}`]: LONE } });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    expect(html).toContain(`value="a\ufffd"`);
  }

  it("is shown as U+FFFD when /signup's form comes back, and nothing is stored", async () => {
    await expectWholeForm("/signup", { firstname: `a${LONE}`, lastname: "", email: `lone${LONE}@example.com`, accept_rules: true });
    expect(await holdsRegistration("lone\ufffd@example.com")).toBe(false);
  });

  it("is shown as U+FFFD when /link's form comes back", async () => {
    await expectWholeForm("/link", { email: `a${LONE}` });
    const refused = await send("/link", { json: { email: LONE } });
    expect(refused.status).toBe(422);
    expect((await refused.text()).trimEnd().endsWith("</html>")).toBe(true);
  });

  it("is shown as U+FFFD when /submit's form comes back, and the stored submission is kept", async () => {
    const code = await registered("lone-surrogate@example.com");
    await expectWholeForm("/submit", { ...validSubmission(code), title: `a${LONE}`, description: "" });
    const stored = await runInDurableObject(registrantStub("lone-surrogate@example.com"), (_: Registrant, state) =>
      state.storage.sql.exec("SELECT version FROM submission_version").toArray(),
    );
    expect(stored).toEqual([]);
  });

  it("is shown as U+FFFD when /shipping's form comes back", async () => {
    const { id } = await entrant("lone-winner@example.com", { title: "Lone" });
    await indexed(id, (row) => row.submission_version === 1);
    expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);
    const code = await shippingCode("lone-winner@example.com");
    await expectWholeForm("/shipping", { code, name: `a${LONE}`, address_line1: "", city: "", postal_code: "", country: "GB" });
  });

  it("cannot arrive in a query, which URL parsing decodes as UTF-8 with U+FFFD for what does not decode", async () => {
    const page = await send("/submit?code=%ED%A0%80");
    expect(page.status).toBe(404);
    expect((await page.text()).trimEnd().endsWith("</html>")).toBe(true);
    const search = await admin("/admin/api/entries?q=%ED%A0%80");
    expect(search.status).toBe(200);
  });
});

describe("routes that do not exist", () => {
  it("answer 404 in the error format", async () => {
    await expectError(await send("/nope", { acceptJson: true }), 404, "not_found");
    await expectError(await send("/signup/nope", { acceptJson: true }), 404, "not_found");
    await expectError(await send("/", { method: "DELETE", acceptJson: true }), 404, "not_found");
  });
});
