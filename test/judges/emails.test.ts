import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { emailsTo, linkCodeFor, send } from "../helpers";
import { admin, entrant, indexed, JUDGE, shippingCode } from "./helpers";

/** Records a job key as the dead-letter consumer would after the provider failed for good. */
async function deadLetter(key: string, template: string, to: string) {
  await env.DB.prepare(
    `INSERT INTO email_log (key, template, recipient, status, attempts, provider, last_error, created_at, updated_at)
     VALUES (?, ?, ?, 'dead', 8, 'cloudflare', 'ran out of delivery attempts', ?, ?)
     ON CONFLICT (key) DO UPDATE SET status = 'dead'`,
  )
    .bind(key, template, to, Date.now(), Date.now())
    .run();
}

describe("the email log", () => {
  it("lists emails by status, newest first", async () => {
    const { id } = await entrant("logged@example.com");
    await deadLetter(`${id}:link:1`, "registration", "logged@example.com");
    const dead = (await (await admin("/admin/api/emails?status=dead", { token: JUDGE })).json()) as { emails: { key: string; status: string }[] };
    expect(dead.emails).toContainEqual(expect.objectContaining({ key: `${id}:link:1`, status: "dead" }));
    expect(dead.emails.filter((row) => row.status !== "dead")).toEqual([]);
    expect((await admin("/admin/api/emails?status=lost")).status).toBe(400);
  });

  it("retries a dead link email with a fresh link, audited; organisers only", async () => {
    const email = "retry-link@example.com";
    const { id, code } = await entrant(email);
    await emailsTo(email);
    await deadLetter(`${id}:link:1`, "registration", email);
    expect((await admin(`/admin/api/emails/${encodeURIComponent(`${id}:link:1`)}/retry`, { method: "POST", token: JUDGE })).status).toBe(403);

    const response = await admin(`/admin/api/emails/${encodeURIComponent(`${id}:link:1`)}/retry`, { method: "POST" });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ resent: true, kind: "link" });
    // A new link went out (within the resend throttle, as organisers may); opening it retires the old one.
    const fresh = await linkCodeFor(email, 2);
    expect(fresh).not.toBe(code);
    expect((await send(`/submit?code=${encodeURIComponent(fresh)}`)).status).toBe(200);
    expect((await send(`/submit?code=${encodeURIComponent(code)}`)).status).toBe(404);
    const audit = (await (await admin(`/admin/api/audit?entry=${id}&action=email_retry`)).json()) as { entries: { action: string; detail: { key: string } }[] };
    expect(audit.entries).toEqual([expect.objectContaining({ action: "email_retry", detail: expect.objectContaining({ key: `${id}:link:1` }) })]);
  });

  it("retries a dead prize email with a fresh shipping link", async () => {
    const email = "retry-prize@example.com";
    const { id } = await entrant(email, {});
    await indexed(id, (row) => row.submission_version === 1);
    await admin(`/admin/api/entries/${id}/award`, { method: "POST" });
    const first = await shippingCode(email);
    const key = `${id}:prize:2`;
    await deadLetter(key, "prize_won", email);
    expect((await admin(`/admin/api/emails/${encodeURIComponent(key)}/retry`, { method: "POST" })).status).toBe(202);
    const fresh = await shippingCode(email, "shipping_reminder");
    expect(fresh).not.toBe(first);
    expect((await send(`/shipping?code=${encodeURIComponent(fresh)}`)).status).toBe(200);
  });

  it("answers 404 for a key not in the log, and 409 when nothing applies any more", async () => {
    expect((await admin(`/admin/api/emails/${encodeURIComponent(`${"a".repeat(64)}:link:1`)}/retry`, { method: "POST" })).status).toBe(404);
    expect((await admin("/admin/api/emails/nonsense/retry", { method: "POST" })).status).toBe(404);
    const { id } = await entrant("nothing-shipped@example.com");
    await deadLetter(`${id}:shipped:1`, "shipped", "nothing-shipped@example.com");
    const response = await admin(`/admin/api/emails/${encodeURIComponent(`${id}:shipped:1`)}/retry`, { method: "POST" });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: "nothing_to_resend" });
  });
});

describe("the email log's paging and retry rules", () => {
  it("pages through emails that share a time without losing any", async () => {
    const at = Date.now() + 10_000;
    for (const key of ["page-a", "page-b", "page-c"]) {
      await env.DB.prepare(
        `INSERT INTO email_log (key, template, recipient, status, attempts, provider, created_at, updated_at)
         VALUES (?, 'registration', 'pager@example.com', 'failed', 1, 'capture', ?, ?)`,
      )
        .bind(key, at, at)
        .run();
    }
    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await admin(`/admin/api/emails?status=failed&limit=1${cursor ? `&cursor=${cursor}` : ""}`)).json()) as {
        emails: { key: string }[];
        next: string | null;
      };
      keys.push(...page.emails.map((e) => e.key));
      cursor = page.next;
    } while (cursor);
    expect(keys.filter((k) => k.startsWith("page-"))).toEqual(["page-c", "page-b", "page-a"]);
    expect((await admin("/admin/api/emails?cursor=garbage")).status).toBe(400);
  });

  it("retries only failed or dead emails, once, and never answers 500 to a broken key", async () => {
    const email = "retry-once@example.com";
    const { id } = await entrant(email);
    await deadLetter(`${id}:link:1`, "registration", email);
    const path = `/admin/api/emails/${encodeURIComponent(`${id}:link:1`)}/retry`;
    expect((await admin(path, { method: "POST" })).status).toBe(202);
    const again = await admin(path, { method: "POST" });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "not_failed" });
    const retried = (await (await admin("/admin/api/emails?status=retried")).json()) as { emails: { key: string }[] };
    expect(retried.emails.map((e) => e.key)).toContain(`${id}:link:1`);
    expect((await admin("/admin/api/emails/abc%E0%A4%A/retry", { method: "POST" })).status).toBe(404);
  });
});
