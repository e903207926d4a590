import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Registrant } from "../../src/objects/registrant";
import { emailsTo, registered, registrantStub, send, validSubmission } from "../helpers";

const submitUrl = (code: string) => `/submit?code=${encodeURIComponent(code)}`;

function versions(email: string) {
  return runInDurableObject(registrantStub(email), (_: Registrant, state) =>
    state.storage.sql.exec<{ version: number; title: string }>("SELECT version, title FROM submission_version ORDER BY version").toArray(),
  );
}

describe("GET /submit", () => {
  it("shows the form prefilled with the entrant's name and email", async () => {
    const code = await registered("form@example.com");
    const response = await send(submitUrl(code));
    expect(response.status).toBe(200);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await response.text();
    expect(html).toContain("Ada Lovelace");
    expect(html).toContain("form@example.com");
    expect(html).toContain(`name="code" value="${code}"`);
    expect(html).toContain("Submit project");
  });

  it("answers an unknown, malformed or missing code with a 404 page that says how to get a new link", async () => {
    const code = await registered("unknown@example.com");
    const [id] = code.split(".");
    const wrongSecret = `${id}.${"A".repeat(43)}`;
    for (const path of [submitUrl(wrongSecret), submitUrl("not-a-code"), "/submit", submitUrl(`${"0".repeat(64)}.${"A".repeat(43)}`)]) {
      const response = await send(path);
      expect(response.status, path).toBe(404);
      const html = await response.text();
      expect(html).toContain("Ask for a new link");
      expect(html).toContain('<a href="/link">Get a new link</a>');
    }
  });
});

describe("POST /submit", () => {
  it("stores the first post as the submission (201) and later posts as amendments (200), each with a receipt", async () => {
    const code = await registered("submitter@example.com");
    const first = await send("/submit", { form: validSubmission(code), acceptJson: true });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ status: "submitted", version: 1, awardPolicy: "judged", prize: null, disqualified: false });

    const amended = await send("/submit", { form: validSubmission(code, { title: "Edge Chess 2" }), acceptJson: true });
    expect(amended.status).toBe(200);
    expect(await amended.json()).toEqual({ status: "amended", version: 2, awardPolicy: "judged", prize: null, disqualified: false });

    expect(await versions("submitter@example.com")).toEqual([
      { version: 1, title: "Edge Chess" },
      { version: 2, title: "Edge Chess 2" },
    ]);
    const receipts = (await emailsTo("submitter@example.com", 3)).map((email) => email.subject);
    expect(receipts).toEqual(expect.arrayContaining([expect.stringContaining("received"), expect.stringContaining("version 2")]));

    const form = await (await send(submitUrl(code))).text();
    expect(form).toContain('value="Edge Chess 2"');
    expect(form).toContain("Save amendment");
    expect(form).toMatch(/value="durable-objects" checked/);
  });

  it("answers a browser with its form's page saying it was saved, at an address that reloads that page", async () => {
    const code = await registered("browser@example.com");
    const response = await send("/submit", { form: validSubmission(code) });
    expect(response.status).toBe(303);
    const location = response.headers.get("location")!;
    expect(location).toBe(`/submit?code=${encodeURIComponent(code)}&saved=1`);
    const html = await (await send(location)).text();
    expect(html).toContain("Submission received");
    expect(html).toContain("Saved as version <strong data-text=\"version\">1</strong>. A receipt is on its way to <span data-text=\"email\">browser@example.com</span>.");
    // A reload is a GET of the same page: no second version.
    expect(await (await send(location)).text()).toContain("Submission received");
    expect(await versions("browser@example.com")).toHaveLength(1);
    const amended = await send("/submit", { form: validSubmission(code, { title: "Second take" }) });
    expect(await (await send(amended.headers.get("location")!)).text()).toContain("Amendment saved");
    // A saved= that is not the latest version says nothing was just saved.
    expect(await (await send(location)).text()).not.toContain("Saved as version");
  });

  it("100 racing submits with one code make one submission whose history holds the rest as amendments", async () => {
    const code = await registered("racer@example.com");
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        send("/submit", { form: validSubmission(code, { title: `Take ${i}` }), acceptJson: true }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(99);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { version: number }[];
    expect(bodies.map((b) => b.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect((await versions("racer@example.com")).map((v) => v.version)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it("answers 403 after the submission window closes and changes nothing", async () => {
    const code = await registered("closed@example.com");
    await send("/submit", { form: validSubmission(code), acceptJson: true });
    const closed = { SUBMISSION_OPENS: "2020-01-01T00:00:00Z", SUBMISSION_CLOSES: "2020-02-01T00:00:00Z" };
    const response = await send("/submit", {
      form: validSubmission(code, { title: "Too late" }),
      acceptJson: true,
      vars: closed,
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: "window_closed" });
    expect(await versions("closed@example.com")).toEqual([{ version: 1, title: "Edge Chess" }]);

    const page = await (await send(submitUrl(code), { vars: closed })).text();
    expect(page).toContain("Submissions closed");
    expect(page).not.toContain('action="/submit"');
  });

  it("answers a wrong secret for a real registrant with 404 and stores nothing", async () => {
    const code = await registered("forged@example.com");
    const forged = `${code.split(".")[0]}.${"B".repeat(43)}`;
    const response = await send("/submit", { form: validSubmission(forged), acceptJson: true });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "unknown_code" });
    expect(await versions("forged@example.com")).toEqual([]);
  });

  it("answers invalid fields with 422 naming each field, and keeps the stored submission", async () => {
    const code = await registered("invalid@example.com");
    await send("/submit", { form: validSubmission(code), acceptJson: true });
    const response = await send("/submit", {
      acceptJson: true,
      form: {
        code,
        title: "   ",
        description: "x".repeat(5001),
        repo_url: "javascript:alert(1)",
        demo_url: "ftp://example.com/demo",
        products: ["kv", "not-a-product"],
      },
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: string; fields: Record<string, string> };
    expect(body.error).toBe("invalid");
    expect(Object.keys(body.fields).sort()).toEqual(
      ["confirm_original", "demo_url", "description", "products", "repo_url", "title"].sort(),
    );
    expect(body.fields.repo_url).toContain("http");
    expect(await versions("invalid@example.com")).toEqual([{ version: 1, title: "Edge Chess" }]);
  });

  it("asks for Workers plus at least one other product", async () => {
    const code = await registered("products@example.com");
    const onlyWorkers = await send("/submit", { form: validSubmission(code, { products: "workers" }), acceptJson: true });
    expect(onlyWorkers.status).toBe(422);
    expect(((await onlyWorkers.json()) as { fields: Record<string, string> }).fields.products).toContain("at least one other");
    const noWorkers = await send("/submit", { form: validSubmission(code, { products: ["kv", "d1"] }), acceptJson: true });
    expect(((await noWorkers.json()) as { fields: Record<string, string> }).fields.products).toContain("Workers");
  });

  it("re-renders the form for a browser with each error next to its field and the typed values kept", async () => {
    const code = await registered("rerender@example.com");
    const response = await send("/submit", { form: validSubmission(code, { demo_url: "not a url", title: "Kept title" }) });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('value="Kept title"');
    expect(html).toMatch(/name="demo_url"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/data-error-for="demo_url">Live project URL must be a full URL/);
    expect(html).toContain("Please correct the fields marked below.");
  });
});
