import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { send } from "../helpers";
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
    expect(dead.emails).toEqual([expect.objectContaining({ key: `${id}:link:1`, status: "dead" })]);
    expect((await admin("/admin/api/emails?status=lost")).status).toBe(400);
  });

  it("retries a dead link email with a fresh link, audited; organisers only", async () => {
    const email = "retry-link@example.com";
    const { id, code } = await entrant(email);
    await deadLetter(`${id}:link:1`, "registration", email);
    expect((await admin(`/admin/api/emails/${encodeURIComponent(`${id}:link:1`)}/retry`, { method: "POST", token: JUDGE })).status).toBe(403);

    const response = await admin(`/admin/api/emails/${encodeURIComponent(`${id}:link:1`)}/retry`, { method: "POST" });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ resent: true, kind: "link" });
    // The old link is retired; a new one went out (within the resend throttle, as organisers may).
    for (let i = 0; i < 50 && (await send(`/submit?code=${encodeURIComponent(code)}`)).status === 200; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await send(`/submit?code=${encodeURIComponent(code)}`)).status).toBe(404);
    const audit = (await (await admin("/admin/api/audit")).json()) as { entries: { action: string; detail: { key: string } }[] };
    expect(audit.entries[0]).toMatchObject({ action: "email_retry", detail: { key: `${id}:link:1` } });
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
    await deadLetter(`${id}:shipped`, "shipped", "nothing-shipped@example.com");
    const response = await admin(`/admin/api/emails/${encodeURIComponent(`${id}:shipped`)}/retry`, { method: "POST" });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: "nothing_to_resend" });
  });
});
