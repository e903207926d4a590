/**
 * The entrant's pages in a real browser: forms that work without JavaScript, inline errors
 * with it, and the prizes-left number that moves without a reload.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { launchBrowser, until, useContest } from "./contest.ts";

const contest = useContest(8791);

test("signing up without JavaScript: a full page with the errors next to their fields, then the inbox page", { timeout: 60_000 }, async () => {
  const context = await (await launchBrowser()).newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(`${contest.base}/`);
    await page.fill("#firstname", "Ada");
    await page.fill("#email", "not-an-email");
    const [answer] = await Promise.all([page.waitForNavigation(), page.click("form[action='/signup'] button[type=submit]")]);
    assert.equal(answer?.status(), 422);
    assert.equal(await page.inputValue("#firstname"), "Ada", "what was typed is kept");
    assert.match((await page.textContent("#error-email")) ?? "", /valid email/);
    assert.match((await page.textContent("#error-lastname")) ?? "", /required/);
    assert.equal(await page.getAttribute("#email", "aria-invalid"), "true");

    await page.fill("#lastname", "Lovelace");
    await page.fill("#email", "ada.nojs@example.com");
    await page.check("input[name=accept_rules]");
    const [done] = await Promise.all([page.waitForNavigation(), page.click("form[action='/signup'] button[type=submit]")]);
    assert.equal(done?.status(), 200);
    assert.match((await page.textContent("main")) ?? "", /Check your inbox/);
  } finally {
    await context.close();
  }
});

test("signing up with JavaScript: inline errors and the answer without a page load", { timeout: 60_000 }, async () => {
  const context = await (await launchBrowser()).newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${contest.base}/`);
    // A mark on this document: a page load would wipe it.
    await page.evaluate("window.stillHere = true");
    await page.click("form[action='/signup'] button[type=submit]");
    await page.waitForSelector("#error-firstname:not(:empty)");
    assert.equal(await page.evaluate("window.stillHere"), true, "no page load");
    assert.equal(await page.evaluate("document.activeElement?.id"), "firstname", "focus on the first invalid field");

    await page.fill("#firstname", "Grace");
    await page.fill("#lastname", "Hopper");
    await page.fill("#email", "grace.js@example.com");
    await page.check("input[name=accept_rules]");
    await page.click("form[action='/signup'] button[type=submit]");
    await page.waitForSelector("text=Check your inbox");
    assert.equal(await page.evaluate("window.stillHere"), true, "no page load");
  } finally {
    await context.close();
  }
});

test("the landing page's prizes-left number follows an award live", { timeout: 60_000 }, async () => {
  const context = await (await launchBrowser()).newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${contest.base}/`);
    const left = page.locator("[data-live=remaining]");
    await until("the live count", async () => (await left.textContent()) === "300");

    // An entrant with a submission, awarded by an organiser over the API.
    const email = "live.winner@example.com";
    const signup = await fetch(`${contest.base}/signup`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: new URLSearchParams({ firstname: "Live", lastname: "Winner", email, accept_rules: "on" }),
    });
    assert.equal(signup.status, 202);
    const code = await until("the emailed link", async () => {
      const { emails } = (await (await fetch(`${contest.base}/dev/mailbox`, { headers: { accept: "application/json" } })).json()) as {
        emails: { to: string; links: string[] }[];
      };
      const link = emails.find((e) => e.to === email)?.links.find((l) => l.includes("/submit?code="));
      return link ? (new URL(link).searchParams.get("code") ?? undefined) : undefined;
    }, 20_000);
    const body = new URLSearchParams({ code, title: "Live", description: "Counts", repo_url: "https://github.com/a/b", demo_url: "https://a.example", confirm_original: "on" });
    body.append("products", "workers");
    body.append("products", "kv");
    assert.equal((await fetch(`${contest.base}/submit`, { method: "POST", headers: { accept: "application/json" }, body })).status, 201);
    const id = code.split(".")[0];
    await until("the entry in the index", async () => {
      const response = await fetch(`${contest.base}/admin/api/entries/${id}`, { headers: { authorization: "Bearer dev-organiser-token" } });
      return response.ok;
    });
    const award = await fetch(`${contest.base}/admin/api/entries/${id}/award`, { method: "POST", headers: { authorization: "Bearer dev-organiser-token" } });
    assert.equal(award.status, 201);

    await page.evaluate("window.stillHere = true");
    await until("the number to drop to 299", async () => (await left.textContent()) === "299", 10_000);
    assert.equal(await page.evaluate("window.stillHere"), true, "no page load");
  } finally {
    await context.close();
  }
});

test("while registration is open: the form above the fold at 1280×800, a countdown that runs with JavaScript and reads without it", { timeout: 60_000 }, async () => {
  for (const javaScriptEnabled of [false, true]) {
    const context = await (await launchBrowser()).newContext({ javaScriptEnabled, viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${contest.base}/`);
      const button = await page.locator("form[action='/signup'] button[type=submit]").boundingBox();
      assert.ok(button && button.y + button.height <= 800, `the signup button is above the fold: ${JSON.stringify(button)}`);
      assert.equal(await page.locator("h1").count(), 1);
      assert.equal(await page.locator("header a[href='/']").count(), 0, "the contest's name once: in the heading, not the header too");
      const countdown = page.locator("[data-countdown]");
      const first = (await countdown.textContent()) ?? "";
      if (javaScriptEnabled) {
        assert.match(first, /\d{2}:\d{2}:\d{2}$/, first);
        await until("the countdown to tick", async () => ((await countdown.textContent()) ?? "") !== first, 5_000);
      } else {
        assert.match(first, /\d+ (day|hour|minute)/, first);
      }
    } finally {
      await context.close();
    }
  }
});

test("the product checkboxes sit two to a row on a phone, and do not shrink", { timeout: 60_000 }, async () => {
  const email = `compact.${Date.now().toString(36)}@example.com`;
  await fetch(`${contest.base}/signup`, { method: "POST", headers: { accept: "application/json" }, body: new URLSearchParams({ firstname: "Compact", lastname: "Phone", email, accept_rules: "on" }) });
  const code = await until("the emailed link", async () => {
    const { emails } = (await (await fetch(`${contest.base}/dev/mailbox`, { headers: { accept: "application/json" } })).json()) as { emails: { to: string; links: string[] }[] };
    const link = emails.find((e) => e.to === email)?.links.find((l) => l.includes("/submit?code="));
    return link ? (new URL(link).searchParams.get("code") ?? undefined) : undefined;
  }, 20_000);
  const context = await (await launchBrowser()).newContext({ viewport: { width: 375, height: 740 } });
  try {
    const page = await context.newPage();
    await page.goto(`${contest.base}/submit?code=${code}`);
    const boxes = page.locator(".products input[type=checkbox]");
    assert.equal(await boxes.count(), 21);
    const [a, b] = [await boxes.nth(0).boundingBox(), await boxes.nth(1).boundingBox()];
    assert.ok(a && b && Math.abs(a.y - b.y) < 2, "the first two products share a row");
    for (let i = 0; i < 21; i++) {
      const box = await boxes.nth(i).boundingBox();
      assert.ok(box && box.width >= 18 && box.height >= 18, `checkbox ${i} kept its size: ${JSON.stringify(box)}`);
    }
  } finally {
    await context.close();
  }
});
