/**
 * A contest whose registration and submissions have closed, in a real browser with and
 * without JavaScript: the pages offer no form that cannot work, say what happens now, and
 * once the results are published point to the winners.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { launchBrowser, useContest } from "./contest.ts";

const closed = { REGISTRATION_OPENS: "2020-01-01T00:00:00Z", REGISTRATION_CLOSES: "2020-02-01T00:00:00Z", SUBMISSION_OPENS: "2020-01-01T00:00:00Z", SUBMISSION_CLOSES: "2020-03-01T00:00:00Z" };
const contest = useContest(8793, closed);

for (const javaScriptEnabled of [false, true]) {
  test(`after submissions close, ${javaScriptEnabled ? "with" : "without"} JavaScript: no form, the judging news, then the winners`, { timeout: 60_000 }, async () => {
    const context = await (await launchBrowser()).newContext({ javaScriptEnabled, viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${contest.base}/`);
      const main = (await page.textContent("main")) ?? "";
      assert.match(main, /Submissions are closed\. The judges are scoring the entries/);
      assert.equal(await page.locator("form[action='/signup']").count(), 0, "no signup form");
      assert.equal(await page.locator("[data-countdown]").count(), 0, "no countdown once every window closed");
      assert.doesNotMatch(main, /Sign up with your|Thank you to everyone/);
      await page.goto(`${contest.base}/rules`);
      assert.match((await page.textContent("main")) ?? "", /Judges score every submission/);

      const published = await fetch(`${contest.base}/admin/api/results`, { method: "POST", headers: { authorization: "Bearer dev-organiser-token", accept: "application/json" } });
      assert.equal(published.status, 200);
      try {
        // The landing page may be kept a minute (cache-control): ask for a copy made after publication.
        await page.goto(`${contest.base}/?after-publication`);
        assert.match((await page.textContent("main")) ?? "", /The results are out: see the winners\. Thank you to everyone who took part\./);
        await Promise.all([page.waitForURL(`${contest.base}/winners`), page.click("main a[href='/winners']")]);
        assert.match((await page.textContent("h1")) ?? "", /Winners/);
      } finally {
        await fetch(`${contest.base}/admin/api/results`, { method: "DELETE", headers: { authorization: "Bearer dev-organiser-token", accept: "application/json" } });
      }
    } finally {
      await context.close();
    }
  });
}
