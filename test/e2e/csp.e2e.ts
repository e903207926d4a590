/**
 * Every page in a real browser with its Content-Security-Policy on: the pages' own scripts,
 * styles, forms, live socket and the dashboard's modules must all work without one
 * violation, and a script the page did not bring must be refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BrowserContext, Page, Response } from "playwright-core";
import { launchBrowser, until, useContest } from "./contest.ts";

const BASE = useContest(8792).base;
const ORGANISER = { authorization: "Bearer dev-organiser-token", accept: "application/json" };

interface Violation {
  page: string;
  directive: string;
  blocked: string;
  sample: string;
}

/** Records every CSP violation and every console error about one in any page of the context. */
async function watchViolations(context: BrowserContext): Promise<Violation[]> {
  const violations: Violation[] = [];
  await context.exposeBinding("reportViolation", ({ page }, found: Omit<Violation, "page">) => {
    violations.push({ page: page.url(), ...found });
  });
  // Runs before the page's own scripts, and is not subject to the page's policy.
  await context.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (event) => {
      window.reportViolation({ directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample });
    }, true);`,
  });
  context.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/.test(message.text())) {
      violations.push({ page: message.page()?.url() ?? "", directive: "console", blocked: "", sample: message.text() });
    }
  });
  return violations;
}

/** The page's document answered with a strict policy: no inline or eval'd script, no framing. */
function assertStrictPolicy(response: Response | null, what: string): void {
  assert.ok(response, `${what}: no document`);
  const policy = response.headers()["content-security-policy"] ?? "";
  const scripts = /script-src ([^;]*)/.exec(policy)?.[1] ?? "";
  assert.ok(scripts, `${what}: a script-src in ${JSON.stringify(policy)}`);
  assert.doesNotMatch(scripts, /unsafe-inline|unsafe-eval|\*/, `${what}: ${scripts}`);
  assert.match(policy, /default-src 'none'/, what);
  assert.match(policy, /frame-ancestors 'none'/, what);
}

async function visit(page: Page, path: string, status = 200): Promise<void> {
  const response = await page.goto(`${BASE}${path}`);
  assert.equal(response?.status(), status, path);
  assertStrictPolicy(response, path);
}

/** Submits a page's form as a plain navigation (no script), and checks the page it lands on. */
async function submitPlainly(page: Page, form: string, status: number): Promise<void> {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.evaluate(`document.querySelector(${JSON.stringify(form)}).submit()`),
  ]);
  assert.equal(response?.status(), status, form);
  assertStrictPolicy(response, form);
}

/** Resolves when the page's next WebSocket (the live count) receives its first message. */
function firstLiveMessage(page: Page): Promise<unknown> {
  return page.waitForEvent("websocket").then((socket) => socket.waitForEvent("framereceived"));
}

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${BASE}${path}`, { ...init, headers: { accept: "application/json", ...init.headers } });
  assert.ok(response.ok, `${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** The code of the newest `/submit` or `/shipping` link emailed to `email`. */
function emailedCode(email: string, path: "/submit" | "/shipping"): Promise<string> {
  return until(`the ${path} link emailed to ${email}`, async () => {
    const { emails } = await json<{ emails: { to: string; links: string[] }[] }>("/dev/mailbox");
    const link = emails.filter((e) => e.to === email).flatMap((e) => e.links).find((l) => l.startsWith(`${BASE}${path}?code=`));
    return link ? (new URL(link).searchParams.get("code") ?? undefined) : undefined;
  }, 20_000);
}

test("every page runs with its Content-Security-Policy on, and not one violation", { timeout: 90_000 }, async () => {
  const context = await (await launchBrowser()).newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const violations = await watchViolations(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const email = `csp.${Date.now().toString(36)}@example.com`;

    // ---- the landing page: its script localises times and opens the live socket ----
    const liveCount = firstLiveMessage(page);
    await visit(page, "/");
    await liveCount;
    // The form posts with fetch and swaps in the answer: errors inline.
    await page.click("form[action='/signup'] button[type=submit]");
    await page.waitForSelector("#error-firstname:not(:empty)");
    await visit(page, "/rules");
    await visit(page, "/link");

    // ---- sign up (check your inbox), submit (the form, then submitted) ----
    await visit(page, "/");
    await page.fill("#firstname", "Grace");
    await page.fill("#lastname", "Hopper");
    await page.fill("#email", email);
    await page.check("input[name=accept_rules]");
    await submitPlainly(page, "form[action='/signup']", 200);
    assert.match((await page.textContent("main")) ?? "", /Check your inbox/);
    const code = await emailedCode(email, "/submit");
    await visit(page, `/submit?code=${code}`);
    await page.fill("#title", "Policy Lantern");
    await page.fill("#description", "Runs with a strict policy.");
    await page.fill("#demo_url", "https://lantern.example.com/");
    await page.fill("#repo_url", "https://github.com/example/lantern");
    await page.check("input[name=products][value=workers]");
    await page.check("input[name=products][value=kv]");
    await page.check("input[name=confirm_original]");
    await submitPlainly(page, "form[action^='/submit']", 200);
    assert.match((await page.textContent("main")) ?? "", /Submission received/);
    assert.match(page.url(), /\/submit\?code=.*&saved=1$/, "the address reloads the page, not the post");

    // ---- the winner's shipping form ----
    const id = code.split(".")[0]!;
    await until("the entry in the judges' index", async () => (await fetch(`${BASE}/admin/api/entries/${id}`, { headers: ORGANISER })).ok);
    assert.equal((await fetch(`${BASE}/admin/api/entries/${id}/award`, { method: "POST", headers: ORGANISER })).status, 201);
    await visit(page, `/shipping?code=${await emailedCode(email, "/shipping")}`);

    // ---- error pages ----
    await visit(page, "/winners");
    await visit(page, "/check-inbox?after=link");
    await visit(page, "/no-such-page", 404);
    await visit(page, "/submit?code=forged", 404);

    // ---- the judges' sign-in, then the dashboard with its drawer and email log open ----
    await visit(page, "/admin/login");
    // The form posts with no Origin the route accepts here (see admin.e2e.ts); sign in by request.
    const login = await page.request.post(`${BASE}/admin/login`, { form: { token: "dev-organiser-token" }, headers: { origin: BASE }, maxRedirects: 0 });
    assert.equal(login.status(), 303);
    const dashboardCount = firstLiveMessage(page);
    await visit(page, "/admin");
    await dashboardCount;
    await page.locator("#chart svg").waitFor();
    const row = page.locator(`[data-testid=entry-row][data-entry-id="${id}"]`);
    await row.click();
    await page.getByTestId("drawer").waitFor({ state: "visible" });
    await page.getByTestId("shipping-section").waitFor();
    await page.keyboard.press("Escape");
    await page.getByTestId("emails-open").click();
    await page.locator("[data-testid=email-row]").first().waitFor();
    // The organisers' screens, each with what it loads.
    await page.getByTestId("audit-open").click();
    await page.locator("[data-testid=audit-row]").first().waitFor();
    await page.getByTestId("content-open").click();
    await page.getByTestId("content-intro").fill("# Hello\n\n<script>window.injectedByContent = true</script> [rules](/rules)");
    await page.getByTestId("content-preview").click();
    await page.getByTestId("content-preview-intro").waitFor();
    assert.equal(await page.locator("[data-testid=content-preview-intro] script").count(), 0, "the preview builds no script");
    assert.equal(await page.evaluate("window.injectedByContent === true"), false);
    await page.getByTestId("announcements-open").click();
    await page.getByTestId("sessions-open").click();
    await page.locator("[data-testid=session-row]").first().waitFor();

    // ---- the development pages and every email preview ----
    await visit(page, "/dev/mailbox");
    await visit(page, "/dev/emails");
    const { templates } = await json<{ templates: { html: string }[] }>("/dev/emails");
    assert.ok(templates.length >= 11);
    for (const template of templates) {
      const response = await page.goto(`${BASE}${template.html}`);
      assert.equal(response?.status(), 200, template.html);
      assert.match(response?.headers()["content-security-policy"] ?? "", /default-src 'none'/);
    }

    assert.deepEqual([...violations], [], "no page broke its own policy");

    // ---- and the policy is on: a script the page did not bring is refused ----
    await visit(page, "/");
    const ran = await page.evaluate(`(() => {
      const script = document.createElement("script");
      script.textContent = "window.injected = true;";
      document.body.append(script);
      return window.injected === true;
    })()`);
    assert.equal(ran, false, "the injected script did not run");
    // The same watch that saw nothing above sees this one: the event, and the console's error.
    await until("the refusal reported", async () => violations.some((v) => v.directive === "script-src-elem"));
    assert.ok(violations.some((v) => v.directive === "console"), "the console's error too");
  } finally {
    await context.close();
  }
});
