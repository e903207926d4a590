/**
 * The judges' dashboard in a real browser: a contest started with `wrangler dev`, data
 * made over HTTP as entrants make it, then Chromium drives the dashboard as a judge does.
 * Run with `npm run test:e2e` (Chromium at /usr/bin/chromium, or CHROMIUM_PATH).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { launchBrowser, until, useContest } from "./contest.ts";

const PORT = 8790;
const BASE = `http://localhost:${PORT}`;
const ORGANISER_TOKEN = "dev-organiser-token";
const HOSTILE = "<img src=x onerror=alert(1)>";
const TITLE = `Nebula Lantern ${HOSTILE}`;

const contest = useContest(PORT);

function form(values: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  return body;
}

async function post(path: string, values: Record<string, string | string[]>): Promise<Response> {
  return fetch(`${BASE}${path}`, { method: "POST", body: form(values), headers: { accept: "application/json" } });
}

async function organiserApi<T>(path: string): Promise<T> {
  const response = await fetch(`${BASE}${path}`, { headers: { accept: "application/json", authorization: `Bearer ${ORGANISER_TOKEN}` } });
  assert.equal(response.status, 200, `${path} answered ${response.status}`);
  return (await response.json()) as T;
}

interface Mailbox {
  emails: { to: string; links: string[] }[];
}

/** The code in the `/submit` or `/shipping` link the contest emailed to `email`. */
async function emailedCode(email: string, page: "/submit" | "/shipping"): Promise<string> {
  return until(`the email to ${email} with a ${page} link`, async () => {
    const response = await fetch(`${BASE}/dev/mailbox`, { headers: { accept: "application/json" } });
    const { emails } = (await response.json()) as Mailbox;
    const link = emails.filter((e) => e.to === email).flatMap((e) => e.links).find((l) => l.startsWith(`${BASE}${page}?code=`));
    return link ? (new URL(link).searchParams.get("code") ?? undefined) : undefined;
  }, 20_000);
}

interface EntryDetail {
  entry: { status: string; shipping_status: string | null; tracking_url: string | null };
}

/** A browser context signed in as the organiser (through POST /admin/login, as the first test explains), and its page. */
async function organiserPage() {
  const context = await (await launchBrowser()).newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(5_000);
  const login = await page.request.post(`${BASE}/admin/login`, { form: { token: ORGANISER_TOKEN }, headers: { origin: BASE }, maxRedirects: 0 });
  assert.equal(login.status(), 303);
  return { context, page };
}

/** On failure, what the server said last is usually the reason. */
function withServerLog(run: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await run();
    } catch (error) {
      console.error(`--- wrangler dev output (last 60 lines) ---\n${contest.log().split("\n").slice(-60).join("\n")}`);
      throw error;
    }
  };
}

test("an organiser finds, scores, awards and ships an entry, reads the email log and erases an entrant; entrant text stays text", { timeout: 55_000 }, withServerLog(async () => {
  // ---- entrants sign up and one submits, over HTTP ----
  const suffix = Date.now().toString(36);
  const grace = `grace.${suffix}@example.com`;
  const mallory = `mallory.${suffix}@example.com`;
  for (const [firstname, lastname, email] of [["Grace", "Hopper", grace], [HOSTILE, "Mallory", mallory]] as const) {
    const response = await post("/signup", { firstname, lastname, email, accept_rules: "on" });
    assert.equal(response.status, 202, `signup of ${email}`);
  }
  const code = await emailedCode(grace, "/submit");
  await emailedCode(mallory, "/submit");
  const submitted = await post("/submit", {
    code,
    title: TITLE,
    description: `A lantern that maps the sky.\n</p><script>alert(2)</script>`,
    repo_url: "https://github.com/example/nebula-lantern",
    demo_url: "https://nebula.example.com/",
    products: ["workers", "d1"],
    confirm_original: "on",
  });
  assert.equal(submitted.status, 201, `submit answered ${submitted.status}: ${await submitted.text()}`);
  const id = code.split(".")[0]!;

  // The index follows the objects asynchronously: wait until it can find the submission.
  await until("the submission in the judges' index", async () => {
    const { entries } = await organiserApi<{ entries: { id: string; submission_version: number | null }[] }>("/admin/api/entries?q=Nebula");
    return entries.some((e) => e.id === id && e.submission_version === 1);
  });
  const me = await organiserApi<{ rubric: { id: string; weight: number; max: number }[] }>("/admin/api/me");

  // ---- the browser ----
  const page: Page = await (await launchBrowser()).newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  // The dashboard confirms in the page; any native dialog here would be injected script.
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));

  // Signs in through POST /admin/login, whose cookie lands in this browser. Not through the
  // form: Chromium sends it with Origin: null (the pages' Referrer-Policy is no-referrer),
  // which the route refuses; the last test below covers the form.
  const login = await page.request.post(`${BASE}/admin/login`, { form: { token: ORGANISER_TOKEN }, headers: { origin: BASE }, maxRedirects: 0 });
  assert.equal(login.status(), 303, `POST /admin/login answered ${login.status()}`);
  await page.goto(`${BASE}/admin`);
  assert.match((await page.locator("h1").textContent()) ?? "", /Judges' dashboard/);

  const prizesLeft = page.getByTestId("prizes-left");
  await until("300 prizes left", async () => (await prizesLeft.textContent()) === "300");

  // ---- search by a word of the title ----
  await page.getByTestId("search").fill("nebula");
  const rows = page.getByTestId("entry-row");
  await until("one row for the search", async () => (await rows.count()) === 1 && (await rows.first().getAttribute("data-entry-id")) === id);
  const row = page.locator(`[data-testid=entry-row][data-entry-id="${id}"]`);
  assert.ok((await row.textContent())?.includes(TITLE), "the row shows the title, markup as text");
  assert.equal(await page.locator("#entries img").count(), 0, "no element made from the title");

  // ---- open it with the keyboard ----
  await row.focus();
  await page.keyboard.press("Enter");
  const drawer = page.getByTestId("drawer");
  await drawer.waitFor({ state: "visible" });
  await until("the entry in the drawer", async () => (await page.getByTestId("drawer-title").textContent()) === TITLE);
  assert.equal(await drawer.locator("img, script").count(), 0, "no element made from entrant text in the drawer");
  const demo = page.getByTestId("demo-link").locator("a");
  assert.equal(await demo.getAttribute("href"), "https://nebula.example.com/");
  assert.equal(await demo.getAttribute("rel"), "noopener noreferrer");
  assert.ok((await page.getByTestId("description").textContent())?.includes("<script>alert(2)</script>"));
  assert.equal(await page.getByTestId("version").count(), 1);

  // ---- score: a value out of range is refused with the field's message, then a good score ----
  const inputs = drawer.getByTestId("score-input");
  assert.equal(await inputs.count(), me.rubric.length, "one input per criterion");
  const first = me.rubric[0]!;
  await inputs.first().fill(String(first.max + 1));
  await page.getByTestId("save-score").click();
  const firstError = drawer.locator(`[data-error-for="criteria.${first.id}"]`);
  await until("the field error from the 422", async () => ((await firstError.textContent()) ?? "").length > 0);
  assert.equal(await inputs.first().getAttribute("aria-invalid"), "true");

  const given: Record<string, number> = {};
  for (const [i, criterion] of me.rubric.entries()) {
    given[criterion.id] = Math.max(0, criterion.max - (i % 2));
    await drawer.locator(`[data-testid=score-input][data-criterion="${criterion.id}"]`).fill(String(given[criterion.id]));
  }
  await drawer.getByTestId("score-comment").fill("Clear demo; <b>bold</b> stays text.");
  await page.getByTestId("save-score").click();
  const myRow = drawer.locator('[data-testid=score-row][data-judge="Dev Organiser"]');
  await myRow.waitFor();
  const totalWeight = me.rubric.reduce((sum, c) => sum + c.weight, 0);
  const expected = (100 * me.rubric.reduce((sum, c) => sum + c.weight * (given[c.id]! / c.max), 0)) / totalWeight;
  const shown = Number.parseFloat((await myRow.getByTestId("score-weighted").textContent()) ?? "");
  assert.ok(Math.abs(shown - expected) < 0.06, `weighted score ${shown} ≈ ${expected}`);
  assert.equal(await firstError.textContent(), "", "the error is cleared once the score is saved");
  assert.equal(await drawer.locator("b").count(), 0, "the comment is text");
  await until("the score in the list", async () => ((await row.textContent()) ?? "").includes(`${(Math.round(expected * 10) / 10).toFixed(1)}%`));

  // ---- award, confirmed; the live number drops ----
  await page.getByTestId("award-button").click();
  await page.getByTestId("confirm-action").click();
  await until("299 prizes left, over /live", async () => (await prizesLeft.textContent()) === "299");
  await until("the award in the drawer", async () => /Awarded/.test((await page.getByTestId("prize-state").textContent()) ?? ""));
  await page.getByTestId("revoke-button").waitFor();
  const pool = (await (await fetch(`${BASE}/api/prizes`)).json()) as { remaining: number };
  assert.equal(pool.remaining, 299);

  // ---- Escape closes the drawer and gives focus back to the row ----
  await page.keyboard.press("Escape");
  await drawer.waitFor({ state: "hidden" });
  await until("focus back on the row", async () => (await page.evaluate("document.activeElement?.getAttribute('data-entry-id')")) === id);
  await until("the winner in the list", async () => ((await row.textContent()) ?? "").includes("Winner"));

  // ---- the hostile name, too, is text ----
  await page.getByTestId("search").fill("Mallory");
  await until("Mallory's row", async () => (await rows.count()) === 1 && ((await rows.first().textContent()) ?? "").includes(`${HOSTILE} Mallory`));
  assert.equal(await page.locator("main img").count(), 0);

  // ---- the winner gives an address over HTTP, with the link from the prize email ----
  const shippingCode = await emailedCode(grace, "/shipping");
  const address = await post("/shipping", {
    code: shippingCode,
    name: "Grace Hopper",
    address_line1: `1 Compiler Lane ${HOSTILE}`,
    city: "London",
    postal_code: "SW1A 1AA",
    country: "GB",
    tshirt_size: "M",
  });
  assert.equal(address.status, 200, `POST /shipping answered ${address.status}: ${await address.text()}`);
  await until("the address in the judges' index", async () =>
    (await organiserApi<EntryDetail>(`/admin/api/entries/${id}`)).entry.shipping_status === "ready");

  // ---- an organiser marks it shipped: a bad tracking URL is refused, then a good one ----
  await page.getByTestId("search").fill("nebula");
  await until("Grace's row again", async () => (await rows.count()) === 1 && (await rows.first().getAttribute("data-entry-id")) === id);
  await row.click();
  await drawer.waitFor({ state: "visible" });
  const shippingState = drawer.getByTestId("shipping-state");
  await until("ready to ship in the drawer", async () => (await shippingState.getAttribute("data-shipping-status")) === "ready");
  const shownAddress = (await drawer.getByTestId("shipping-address").textContent()) ?? "";
  assert.ok(shownAddress.includes(`1 Compiler Lane ${HOSTILE}`) && shownAddress.includes("London"), `the address as text: ${shownAddress}`);
  assert.equal(await drawer.locator("img, script").count(), 0, "no element made from the address");

  const tracking = drawer.getByTestId("tracking-url");
  await tracking.fill("not a link");
  await drawer.getByTestId("mark-shipped").click();
  const trackingError = drawer.locator('[data-error-for="tracking_url"]');
  await until("the tracking URL's error from the 422", async () => ((await trackingError.textContent()) ?? "").length > 0);
  assert.equal(await tracking.getAttribute("aria-invalid"), "true");
  assert.equal(await shippingState.getAttribute("data-shipping-status"), "ready", "a refused URL ships nothing");

  const TRACKING = "https://track.example.com/parcel/GB123?ref=swagbox";
  await tracking.fill(TRACKING);
  await drawer.getByTestId("mark-shipped").click();
  await until("shipped in the drawer", async () => (await shippingState.getAttribute("data-shipping-status")) === "shipped");
  assert.equal(await drawer.getByTestId("tracking-link").locator("a").getAttribute("href"), TRACKING);
  assert.equal(await drawer.getByTestId("mark-shipped").count(), 0, "nothing more to ship");
  assert.match((await page.getByTestId("status").textContent()) ?? "", /shipped/i);
  const stored = await until("shipped in the judges' index", async () => {
    const { entry } = await organiserApi<EntryDetail>(`/admin/api/entries/${id}`);
    return entry.shipping_status === "shipped" && entry;
  });
  assert.equal(stored.tracking_url, TRACKING);
  await page.keyboard.press("Escape");
  await drawer.waitFor({ state: "hidden" });

  // ---- the Emails panel lists the prize email as sent ----
  await until("the prize email in the log as sent", async () => {
    const { emails } = await organiserApi<{ emails: { key: string; status: string }[] }>("/admin/api/emails?status=sent&limit=500");
    return emails.some((e) => e.key.startsWith(`${id}:prize:`));
  });
  const emailsPanel = page.getByTestId("emails-panel");
  await emailsPanel.getByTestId("emails-open").click();
  await emailsPanel.getByTestId("emails-filter-status").selectOption("sent");
  const prizeEmail = emailsPanel.locator(`[data-testid=email-row][data-email-key^="${id}:prize:"]`);
  await prizeEmail.waitFor();
  const prizeText = (await prizeEmail.textContent()) ?? "";
  assert.ok(prizeText.includes("Prize won") && prizeText.includes(grace) && prizeText.includes("Sent"), `the prize email's row: ${prizeText}`);
  assert.equal(await prizeEmail.getByTestId("retry-email").count(), 0, "a sent email has nothing to retry");
  assert.equal(await emailsPanel.locator("[data-testid=email-row]:not([data-status=sent])").count(), 0, "the filter shows sent emails only");

  // ---- an organiser erases Mallory, who asked; the row stays as a greyed tombstone ----
  await page.getByTestId("search").fill("Mallory");
  await until("Mallory's row", async () => (await rows.count()) === 1 && ((await rows.first().textContent()) ?? "").includes("Mallory"));
  const malloryId = (await rows.first().getAttribute("data-entry-id"))!;
  await rows.first().click();
  await drawer.waitFor({ state: "visible" });
  await page.getByTestId("erase-button").click();
  await page.getByTestId("cancel-erase").click();
  assert.equal(await page.getByTestId("confirm-erase").isVisible(), false, "cancel erases nothing");
  await page.getByTestId("erase-button").click();
  await page.getByTestId("confirm-erase").click();
  await drawer.waitFor({ state: "hidden" });
  await until("the erasure announced", async () => /erased/i.test((await page.getByTestId("status").textContent()) ?? ""));
  await page.getByTestId("search").fill("");
  const tombstone = page.locator(`[data-testid=entry-row][data-entry-id="${malloryId}"]`);
  await until("the erased row in the list", async () => (await tombstone.getAttribute("data-status")) === "erased");
  assert.ok(((await tombstone.textContent()) ?? "").includes("Erased"));
  assert.equal(((await tombstone.textContent()) ?? "").includes("Mallory"), false, "nothing of theirs is shown");
  await tombstone.click({ force: true });
  await tombstone.press("Enter");
  assert.equal(await drawer.isVisible(), false, "an erased row opens nothing");

  assert.deepEqual(dialogs, [], "no script from entrant data ran");
  assert.deepEqual(pageErrors, [], "no script errors on the page");
}));

test(
  "a judge signs in with the login form and out with the dashboard's button",
  { timeout: 10_000 },
  async () => {
    const context = await (await launchBrowser()).newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(3_000);
      await page.goto(`${BASE}/admin/login`);
      await page.fill("#token", "dev-judge-token");
      await Promise.all([page.waitForURL(`${BASE}/admin`), page.click("button[type=submit]")]);
      assert.equal(await page.getByTestId("export-winners").count(), 0, "winners are for organisers");
      assert.equal(await page.getByTestId("export-shipping").count(), 0, "addresses are for organisers");
      // Signing out ends the session on the server at once, so a dashboard call still on its
      // way answers 401 and the page's script may go to the sign-in page first: either way the
      // browser lands there.
      await page.getByTestId("sign-out").click();
      await until("the sign-in page", async () => page.url() === `${BASE}/admin/login`, 3_000);
      await page.goto(`${BASE}/admin`);
      assert.equal(page.url(), `${BASE}/admin/login`, "signed out");
    } finally {
      await context.close();
    }
  },
);

test(
  "what an entrant typed is shown for what it is: a mailto link with one recipient, bidi controls as visible markers",
  { timeout: 20_000 },
  withServerLog(async () => {
    // Entrant values the index may hold whatever the forms accept today, served to the
    // dashboard by stubbing its API: this tests the dashboard, not the server's validation.
    const RLO = "\u202E";
    const RLI = "\u2067";
    const PDI = "\u2069";
    const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
    const id = "b".repeat(64);
    const email = "judge-bait@example.com?cc=attacker@evil.test&subject=You%20won&body=Reply";
    const now = Date.now();
    const entry = {
      id, status: "submitted", firstname: `Ad${RLO}nimda`, lastname: "Smith", email,
      title: `Invoice ${RLI}fdp.exe${PDI}`, description: `Read ${RLO}txt.exe`,
      demo_url: `https://example.com/${RLO}gpj.exe`, repo_url: `not a link ${RLO}moc.evil`,
      products: ["workers"], registered_at: now, submitted_at: now, submission_version: 1, score: null, scores_count: 0,
    };
    const context = await (await launchBrowser()).newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(5_000);
      const login = await page.request.post(`${BASE}/admin/login`, { form: { token: ORGANISER_TOKEN }, headers: { origin: BASE }, maxRedirects: 0 });
      assert.equal(login.status(), 303);
      await page.route((url) => url.pathname === "/admin/api/entries", (route) => route.fulfill({ json: { entries: [entry], next: null } }));
      await page.route((url) => url.pathname === `/admin/api/entries/${id}`, (route) =>
        route.fulfill({ json: { entry, prize: null, scores: [], myScore: null, history: [] } }));
      await page.goto(`${BASE}/admin`);

      const row = page.locator(`[data-testid=entry-row][data-entry-id="${id}"]`);
      await row.waitFor();
      const rowText = (await row.textContent()) ?? "";
      assert.equal(BIDI.test(rowText), false, `no hidden control left in the row: ${JSON.stringify(rowText)}`);
      assert.ok(rowText.includes("Ad[U+202E]nimda") && rowText.includes("Invoice [U+2067]fdp.exe[U+2069]"), rowText);
      assert.equal(await row.getByTestId("bidi-marker").count(), 3, "a marker for each control in the name and title");

      await row.click();
      const drawer = page.getByTestId("drawer");
      await until("the entry in the drawer", async () => ((await page.getByTestId("drawer-title").textContent()) ?? "").includes("fdp.exe"));
      const drawerText = (await drawer.textContent()) ?? "";
      assert.equal(BIDI.test(drawerText), false, `no hidden control left in the drawer: ${JSON.stringify(drawerText)}`);
      assert.equal(await page.getByTestId("drawer-title").textContent(), "Invoice [U+2067]fdp.exe[U+2069]");
      assert.ok((await page.getByTestId("repo-link").textContent())?.includes("not a link [U+202E]moc.evil"));
      assert.equal(await page.getByTestId("demo-link").locator("a").getAttribute("href"), "https://example.com/%E2%80%AEgpj.exe");
      assert.ok((await page.getByTestId("description").textContent())?.includes("Read [U+202E]txt.exe"));

      const link = drawer.locator('a[href^="mailto:"]');
      const mailto = new URL((await link.getAttribute("href")) ?? "");
      assert.equal(mailto.protocol, "mailto:");
      assert.equal(mailto.search, "", "no header field (cc, subject, body) in the link");
      assert.equal(decodeURIComponent(mailto.pathname), email, "the whole address is the one recipient");
      assert.equal(await link.textContent(), email);
    } finally {
      await context.close();
    }
  }),
);

test(
  "an organiser rebuilds the index from the dashboard, watches it finish, and finds no dead letters",
  { timeout: 30_000 },
  withServerLog(async () => {
    const context = await (await launchBrowser()).newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(5_000);
      await page.goto(`${BASE}/admin/login`);
      await page.fill("#token", ORGANISER_TOKEN);
      await Promise.all([page.waitForURL(`${BASE}/admin`), page.click("button[type=submit]")]);
      await page.getByTestId("tasks-open").click();
      await page.getByTestId("start-reindex").click();
      await until("the rebuild done", async () => (await page.locator("[data-testid=task-row][data-status=done]").count()) > 0, 20_000);
      assert.match((await page.locator("[data-testid=task-row][data-status=done]").first().textContent()) ?? "", /Index rebuild/);
      await page.getByTestId("dead-open").click();
      await until("the dead letters loaded", async () => /No dead letters match/.test((await page.getByTestId("dead-count").textContent()) ?? ""));
    } finally {
      await context.close();
    }
  }),
);

test(
  "one box per person: a plus-address signup is answered as a repeat, a shared address shows in the dashboard, a disqualification is emailed",
  { timeout: 150_000 },
  withServerLog(async () => {
    const suffix = Date.now().toString(36);
    const first = `ivyrowe${suffix}@gmail.com`;
    const plus = `ivy.rowe${suffix}+swag@googlemail.com`;
    const mailboxTo = async (to: string) => {
      const { emails } = (await (await fetch(`${BASE}/dev/mailbox`, { headers: { accept: "application/json" } })).json()) as { emails: { to: string; subject: string }[] };
      return emails.filter((email) => email.to === to);
    };
    const context = await (await launchBrowser()).newContext({ viewport: { width: 1280, height: 900 } });
    try {
      // ---- an entrant signs up, then again with another spelling of the same Gmail mailbox ----
      assert.equal((await post("/signup", { firstname: "Ivy", lastname: "Rowe", email: first, accept_rules: "on" })).status, 202);
      await emailedCode(first, "/submit");
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${BASE}/`);
      await page.fill("#firstname", "Ivy");
      await page.fill("#lastname", "Rowe");
      await page.fill("#email", plus);
      await page.check("input[name=accept_rules]");
      await page.click("form[action='/signup'] button[type=submit]");
      await page.waitForSelector("text=Check your inbox");
      // The same answer as any repeat: no second registration, nothing sent to the new spelling.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal((await mailboxTo(plus.toLowerCase())).length, 0, "nothing to the second spelling");
      assert.equal((await mailboxTo(first)).length, 1, "one email, to the first spelling");

      // ---- two winners give one address, spelled differently ----
      const winners: { id: string; email: string }[] = [];
      for (const [name, line] of [["Jon", "5 Shared Street"], ["Kit", "5, shared st."]] as const) {
        const email = `${name.toLowerCase()}.${suffix}@example.com`;
        assert.equal((await post("/signup", { firstname: name, lastname: "Same", email, accept_rules: "on" })).status, 202);
        const code = await emailedCode(email, "/submit");
        const sent = await post("/submit", { code, title: `${name}'s lantern`, description: "A lantern.", repo_url: "https://github.com/example/lantern", demo_url: "https://lantern.example.com/", products: ["workers", "d1"], confirm_original: "on" });
        assert.equal(sent.status, 201);
        const id = code.split(".")[0]!;
        await until(`${name}'s entry indexed`, async () => (await organiserApi<EntryDetail>(`/admin/api/entries/${id}`).catch(() => null)) !== null);
        const award = await fetch(`${BASE}/admin/api/entries/${id}/award`, { method: "POST", headers: { accept: "application/json", authorization: `Bearer ${ORGANISER_TOKEN}` } });
        assert.equal(award.status, 201);
        const shipping = await emailedCode(email, "/shipping");
        const given = await post("/shipping", { code: shipping, name: `${name} Same`, address_line1: line, city: "Leeds", postal_code: name === "Jon" ? "LS1 4AP" : "ls14ap", country: "GB", tshirt_size: "M" });
        assert.equal(given.status, 200, `${name}'s address`);
        winners.push({ id, email });
      }
      const [jon, kit] = winners as [{ id: string; email: string }, { id: string; email: string }];

      const login = await page.request.post(`${BASE}/admin/login`, { form: { token: ORGANISER_TOKEN }, headers: { origin: BASE }, maxRedirects: 0 });
      assert.equal(login.status(), 303);
      const row = (id: string) => page.locator(`[data-testid=entry-row][data-entry-id="${id}"]`);
      /** The list under a review filter, loaded afresh until `ready` (the index follows the objects a moment later). */
      const filtered = (review: string, what: string, ready: () => Promise<boolean>) =>
        until(what, async () => {
          await page.goto(`${BASE}/admin?review=${review}`);
          await page.getByTestId("entries-count").filter({ hasText: /\S/ }).waitFor();
          assert.equal(await page.getByTestId("filter-review").inputValue(), review, "the filter follows the address");
          return ready();
        }, 20_000);
      await filtered("duplicate_address", "both winners under the shared-address filter, with the badge", async () =>
        (await row(jon.id).getByTestId("badge-duplicate-address").count()) === 1 && (await row(kit.id).getByTestId("badge-duplicate-address").count()) === 1);
      await page.getByTestId("pairs-open").click();
      const pair = page.locator(`[data-testid=address-pair]:has(li[data-entry-id="${jon.id}"])`);
      await pair.waitFor();
      assert.equal(await pair.getAttribute("data-pending"), "true");
      assert.equal(await pair.locator(`li[data-entry-id="${kit.id}"]`).count(), 1, "the pair is linked");

      // ---- the organiser opens Jon from the pair, sees who shares the address, clears it ----
      await pair.locator(`[data-testid=review-open][data-entry-id="${jon.id}"]`).click();
      const drawer = page.getByTestId("drawer");
      await drawer.waitFor({ state: "visible" });
      await until("the shared-address section", async () => (await drawer.getByTestId("address-review").getAttribute("data-review")) === "pending");
      assert.equal(await drawer.getByTestId("address-peers").locator(`[data-entry-id="${kit.id}"]`).count(), 1);
      assert.equal(await drawer.getByTestId("registered-as").textContent(), jon.email);
      await drawer.getByTestId("clear-address-button").click();
      await drawer.getByTestId("clear-address-confirm").click();
      await until("cleared in the drawer", async () => (await drawer.getByTestId("address-review").getAttribute("data-review")) === "cleared");

      // ---- and disqualifies Kit, with a reason; Kit gets the email ----
      await drawer.getByTestId("address-peers").locator(`[data-entry-id="${kit.id}"]`).click();
      await until("Kit in the drawer", async () => (await drawer.getByTestId("registered-as").textContent()) === kit.email);
      await drawer.getByTestId("disqualify-button").click();
      await drawer.getByTestId("disqualify-confirm").click();
      await until("the reason asked for", async () => ((await drawer.locator('[data-error-for="reason"]').first().textContent()) ?? "").includes("required"));
      await drawer.getByTestId("disqualify-reason").fill("Two entries, one household, same project");
      await drawer.getByTestId("disqualify-button").click();
      await drawer.getByTestId("disqualify-confirm").click();
      await until("disqualified in the drawer", async () => (await drawer.getByTestId("eligibility-state").getAttribute("data-disqualified")) === "true");
      await until("the disqualification email", async () => (await mailboxTo(kit.email)).some((email) => email.subject.startsWith("About your")), 20_000);
      await page.keyboard.press("Escape");
      await filtered("disqualified", "Kit under the disqualified filter", async () => (await row(kit.id).getByTestId("badge-disqualified").count()) === 1);
      assert.equal(await row(jon.id).count(), 0, "only the disqualified");
    } finally {
      await context.close();
    }
  }),
);

test(
  "a judge reviews three entries one after another with \"Next entry\", and an organiser awards the top three in one batch",
  { timeout: 60_000 },
  withServerLog(async () => {
    // ---- three entrants submit, over HTTP, one after the other ----
    const suffix = Date.now().toString(36);
    const titles = ["Aurora Relay", "Boreal Cache", "Cirrus Queue"].map((title) => `${title} ${suffix}`);
    const ids: string[] = [];
    for (const [i, title] of titles.entries()) {
      const email = `next${i}.${suffix}@example.com`;
      assert.equal((await post("/signup", { firstname: `Next${i}`, lastname: "Entrant", email, accept_rules: "on" })).status, 202);
      const code = await emailedCode(email, "/submit");
      const submitted = await post("/submit", {
        code, title, description: "Reviewed in turn.", repo_url: "https://github.com/example/next", demo_url: "https://next.example.com/",
        products: ["workers", "kv"], confirm_original: "on",
      });
      assert.equal(submitted.status, 201, `submit answered ${submitted.status}`);
      ids.push(code.split(".")[0]!);
    }
    await until("the three submissions in the judges' index", async () => {
      const { entries } = await organiserApi<{ entries: { id: string; submission_version: number | null }[] }>(`/admin/api/entries?q=${suffix}`);
      return entries.filter((e) => ids.includes(e.id) && e.submission_version === 1).length === 3;
    });
    const me = await organiserApi<{ rubric: { id: string; max: number }[] }>("/admin/api/me");
    // The earlier tests' entries may still need this organiser's review: skipped, so that
    // "Next entry" goes through these three only.
    const { entries: others } = await organiserApi<{ entries: { id: string; submission_version: number | null }[] }>("/admin/api/entries?limit=200");
    for (const other of others.filter((entry) => entry.submission_version !== null && !ids.includes(entry.id))) {
      await fetch(`${BASE}/admin/api/entries/${other.id}/skip`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json", authorization: `Bearer ${ORGANISER_TOKEN}` },
        body: JSON.stringify({ reason: "another test's entry" }),
      });
    }

    const context = await (await launchBrowser()).newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));
      const login = await page.request.post(`${BASE}/admin/login`, { form: { token: ORGANISER_TOKEN }, headers: { origin: BASE }, maxRedirects: 0 });
      assert.equal(login.status(), 303);
      await page.goto(`${BASE}/admin`);
      const drawerTitle = page.getByTestId("drawer-title");
      const drawer = page.getByTestId("drawer");

      // ---- "Next entry" opens the oldest submission; each saved score opens the next ----
      await page.getByTestId("next-entry").click();
      for (const [i, title] of titles.entries()) {
        await until(`${title} in the drawer`, async () => (await drawerTitle.textContent()) === title);
        for (const criterion of me.rubric) {
          await drawer.locator(`[data-testid=score-input][data-criterion="${criterion.id}"]`).fill(String(Math.max(0, criterion.max - i)));
        }
        await page.getByTestId("save-score").click();
      }
      await until("nothing more to review", async () => /No entry needs a review from you/.test((await page.getByTestId("status").textContent()) ?? ""));
      for (const id of ids) {
        const detail = await organiserApi<{ myScore: unknown; entry: { scores_count: number } }>(`/admin/api/entries/${id}`);
        assert.ok(detail.myScore, `entry ${id} scored`);
        assert.equal(detail.entry.scores_count, 1);
      }
      await page.keyboard.press("Escape");
      await drawer.waitFor({ state: "hidden" });
      await until("the progress bar moved", async () => /fully reviewed/.test((await page.getByTestId("progress-text").textContent()) ?? ""));
      assert.ok(await page.locator('[data-testid=progress-row][data-judge="Dev Organiser"]').count(), "a progress row for the judge");

      // ---- the organiser previews the top three, then awards them in one step ----
      const before = ((await (await fetch(`${BASE}/api/prizes`)).json()) as { remaining: number }).remaining;
      const panel = page.getByTestId("top-n-panel");
      await panel.getByTestId("top-n-count").fill("3");
      await panel.getByTestId("top-n-preview-button").click();
      const candidates = panel.getByTestId("top-n-candidate");
      await until("the preview of three", async () => (await candidates.count()) === 3);
      assert.deepEqual(await candidates.evaluateAll((rows) => rows.map((row) => row.getAttribute("data-entry-id"))), ids, "ranked by score, best first");
      await panel.getByTestId("top-n-award").click();
      await panel.getByTestId("top-n-confirm").click();
      await until("the batch report", async () => /3 prizes awarded/.test((await panel.getByTestId("top-n-report").textContent()) ?? ""));
      assert.equal(await panel.getByTestId("top-n-won").count(), 3);
      await until("three fewer prizes, over /live", async () => (await page.getByTestId("prizes-left").textContent()) === String(before - 3));
      await until("the three winners in the index", async () => {
        const { entries } = await organiserApi<{ entries: { id: string; status: string }[] }>(`/admin/api/entries?q=${suffix}&status=winner`);
        return entries.length === 3;
      });
      assert.deepEqual(pageErrors, [], "no script errors on the page");
    } finally {
      await context.close();
    }
  }),
);

test(
  "a copy is flagged on both entries and each links to the other; a demo that may not be fetched shows as down",
  { timeout: 40_000 },
  withServerLog(async () => {
    const suffix = Date.now().toString(36);
    const people = [
      { email: `twin-a.${suffix}@example.com`, title: `Twin A ${suffix}`, repo: `https://github.com/twins/same-${suffix}`, demo: `https://twin-a-${suffix}.example.com/` },
      { email: `twin-b.${suffix}@example.com`, title: `Twin B ${suffix}`, repo: `https://www.github.com/Twins/Same-${suffix}.git`, demo: "http://169.254.169.254/latest/meta-data/" },
    ];
    const ids: string[] = [];
    for (const person of people) {
      assert.equal((await post("/signup", { firstname: "Twin", lastname: "Entrant", email: person.email, accept_rules: "on" })).status, 202);
      const code = await emailedCode(person.email, "/submit");
      const submitted = await post("/submit", {
        code, title: person.title, description: "Same repository, two entrants.", repo_url: person.repo, demo_url: person.demo, products: ["workers", "kv"], confirm_original: "on",
      });
      assert.equal(submitted.status, 201, `submit answered ${submitted.status}`);
      ids.push(code.split(".")[0]!);
    }
    // Checks and claims travel through queues and objects: wait until the index has both.
    await until("both entries flagged as sharing a link", async () => {
      const { entries } = await organiserApi<{ entries: { id: string }[] }>("/admin/api/entries?check=shared&limit=200");
      return ids.every((id) => entries.some((entry) => entry.id === id));
    }, 20_000);
    await until("the refused demo checked", async () => {
      const { entries } = await organiserApi<{ entries: { id: string }[] }>("/admin/api/entries?check=demo_down&limit=200");
      return entries.some((entry) => entry.id === ids[1]);
    }, 20_000);

    const { context, page } = await organiserPage();
    try {
      await page.goto(`${BASE}/admin?check=shared&q=${suffix}`);
      assert.equal(await page.getByTestId("filter-check").inputValue(), "shared");
      const row = (id: string) => page.locator(`[data-testid=entry-row][data-entry-id="${id}"]`);
      await row(ids[1]!).waitFor();
      assert.ok(((await row(ids[0]!).textContent()) ?? "").includes("Shared link"));
      const second = (await row(ids[1]!).textContent()) ?? "";
      assert.ok(second.includes("Shared link") && second.includes("Demo down"), second);

      await row(ids[0]!).click();
      const drawer = page.getByTestId("drawer");
      await until("Twin A in the drawer", async () => (await page.getByTestId("drawer-title").textContent()) === people[0]!.title);
      // Network checks are off in development: the demo is not checked, only the static checks ran.
      assert.match((await drawer.getByTestId("check-demo").textContent()) ?? "", /Not checked/);
      assert.equal(await drawer.getByTestId("open-shared").count(), 1);
      await drawer.getByTestId("open-shared").click();
      await until("Twin B in the drawer", async () => (await page.getByTestId("drawer-title").textContent()) === people[1]!.title);
      assert.match((await drawer.getByTestId("check-demo").textContent()) ?? "", /Refused/);
      assert.equal(await drawer.getByTestId("open-shared").textContent(), people[0]!.title);
    } finally {
      await context.close();
    }
  }),
);

test("an organiser writes the pages' words and sends an announcement that each entrant gets once", { timeout: 90_000 }, withServerLog(async () => {
  const suffix = Date.now().toString(36);
  const entrants = [`ann.a.${suffix}@example.com`, `ann.b.${suffix}@example.com`];
  for (const email of entrants) assert.equal((await post("/signup", { firstname: "Ann", lastname: "Ounce", email, accept_rules: "on" })).status, 202);
  for (const email of entrants) await emailedCode(email, "/submit");

  const page: Page = await (await launchBrowser()).newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  assert.equal((await page.request.post(`${BASE}/admin/login`, { form: { token: ORGANISER_TOKEN }, headers: { origin: BASE }, maxRedirects: 0 })).status(), 303);
  await page.goto(`${BASE}/admin`);

  // ---- the page content: written, previewed, saved, and on the landing page ----
  await page.getByTestId("content-open").click();
  await until("the content loaded", async () => /Version|Nothing saved/.test((await page.getByTestId("content-version").textContent()) ?? ""));
  await page.getByTestId("content-intro").fill(`Welcome to the **${suffix}** edition. <b>not bold</b>`);
  await page.getByTestId("content-preview").click();
  await page.locator("[data-testid=content-preview-intro] strong").waitFor();
  assert.equal(await page.locator("[data-testid=content-preview-intro] b").count(), 0, "raw HTML stays text");
  await page.getByTestId("content-save").click();
  await until("the save announced", async () => /Saved as version/.test((await page.getByTestId("status").textContent()) ?? ""));
  const landing = await (await fetch(`${BASE}/`)).text();
  assert.match(landing, new RegExp(`Welcome to the <strong>${suffix}</strong> edition\\. &lt;b&gt;not bold&lt;/b&gt;`));

  // ---- an announcement: drafted, previewed with a real entrant, sent after confirming ----
  await page.getByTestId("announcements-open").click();
  await page.getByTestId("announcement-subject").fill(`News ${suffix}`);
  await page.getByTestId("announcement-body").fill("Submissions close **soon**.");
  await page.getByTestId("announcement-segment").selectOption("registered");
  await page.getByTestId("announcement-save").click();
  await page.getByTestId("announcement-count").waitFor();
  // The preview shows the segment's first entrant by id, who may come from an earlier test.
  assert.match((await page.getByTestId("announcement-text").textContent()) ?? "", /Hi [^,\n]+,[\s\S]*Submissions close \*\*soon\*\*\.[\s\S]*Stop the announcements: /);
  await page.getByTestId("announcement-send").click();
  await page.getByTestId("announcement-confirm").click();
  const row = page.locator("[data-testid=announcement-row]").first();
  await until("the send confirmed", async () => (await row.getAttribute("data-status")) === "done", 60_000);
  assert.match((await row.getByTestId("announcement-progress").textContent()) ?? "", /^(\d+) sent, 0 failed, 0 pending of \1$/);
  const { emails } = (await (await fetch(`${BASE}/dev/mailbox`, { headers: { accept: "application/json" } })).json()) as { emails: { to: string; subject: string }[] };
  for (const email of entrants) assert.equal(emails.filter((e) => e.to === email && e.subject === `News ${suffix}`).length, 1, email);

  // ---- and the audit log says who did it ----
  await page.getByTestId("audit-open").click();
  await page.getByTestId("audit-action").fill("announcement_send");
  await page.getByTestId("audit-filter").click();
  await until("the send in the audit log", async () => (await page.locator("[data-testid=audit-row]").count()) >= 1 && /announcement_send/.test((await page.locator("[data-testid=audit-row]").first().textContent()) ?? ""));
  assert.deepEqual(pageErrors, []);
  await page.close();
}));
