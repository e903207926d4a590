/**
 * An announcement to 2,000 entrants while Resend fails 30% of its requests: every
 * subscribed recipient gets exactly one copy, the unsubscribed none, and sending again
 * sends nothing twice.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { unsubscribeUrl } from "../../src/announcements/announcements";
import { loadConfig } from "../../src/config";
import type { EntryRow } from "../../src/schemas/entry-row";
import { upsertStatements } from "../../src/store/entries-index";
import { send } from "../helpers";
import { admin } from "../judges/helpers";
import { installResendStub, type ResendStub } from "./resend-stub";

const RECIPIENTS = 2_000;
const UNSUBSCRIBED = 25;
const SUBJECT = "Results day is Friday";

let resend: ResendStub;

beforeEach(() => {
  resend = installResendStub(7);
  // Backoff draws its delays at random: here the shortest ones, so the faults play out in seconds.
  vi.spyOn(Math, "random").mockReturnValue(0.01);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await env.DB.prepare("DELETE FROM provider_pause").run();
});

/** `count` waitlisted entrants in the judges' index, as the index consumer writes them: the segment "waitlist" is theirs alone. */
async function seedIndex(count: number): Promise<{ id: string; email: string }[]> {
  const rows: EntryRow[] = Array.from({ length: count }, (_, i) => ({
    id: (0xa000000 + i).toString(16).padStart(64, "0"), version: 1, email: `crowd-${i}@example.com`, firstname: `Entrant ${i}`, lastname: "Crowd",
    status: "waitlisted", registered_at: 1, submitted_at: 1, amended_at: null, submission_version: 1, title: "t", description: "d",
    repo_url: null, demo_url: null, products: "[]", slot: null, waitlist_position: i + 1, shipping_status: null, hold_expires_at: null,
    shipping_address: null, tracking_url: null, showcase: 0, mailbox: `crowd-${i}@example.com`, disqualified_at: null, address_review: null,
    address_peers: "[]", provisional_until: null,
  }));
  for (let i = 0; i < rows.length; i += 100) await env.DB.batch(upsertStatements(env.DB, rows.slice(i, i + 100)));
  return rows.map((row) => ({ id: row.id, email: row.email }));
}

describe("an announcement to 2,000 entrants while Resend fails 30% of its requests", () => {
  it("reaches every subscribed recipient exactly once and the unsubscribed never; sending again sends nothing", async () => {
    const crowd = await seedIndex(RECIPIENTS);
    const loaded = loadConfig(env);
    if (!loaded.ok) throw new Error("invalid configuration");
    const unsubscribed = crowd.slice(0, UNSUBSCRIBED);
    for (const { id } of unsubscribed) {
      const link = new URL(await unsubscribeUrl(loaded.config, loaded.config.unsubscribeSecret!, id));
      expect((await send(`${link.pathname}${link.search}`, { method: "POST", form: { "List-Unsubscribe": "One-Click" } })).status).toBe(200);
    }

    resend.mode = { kind: "fail", share: 0.3 };
    const created = await admin("/admin/api/announcements", { method: "POST", json: { subject: SUBJECT, body: "See you **Friday**.", segment: "waitlist" } });
    const { announcement } = (await created.json()) as { announcement: { id: number; recipients: number } };
    expect(announcement.recipients).toBe(RECIPIENTS - UNSUBSCRIBED);
    expect((await admin(`/admin/api/announcements/${announcement.id}/send`, { method: "POST", json: {} })).status).toBe(202);

    const finished = await vi.waitFor(
      async () => {
        const { announcement: now } = (await (await admin(`/admin/api/announcements/${announcement.id}`)).json()) as { announcement: { status: string; progress: object } };
        if (now.status !== "done") throw new Error(`${now.status}: ${JSON.stringify(now.progress)}`);
        return now;
      },
      { timeout: 150_000, interval: 500 },
    );
    expect(finished.progress).toEqual({ queued: RECIPIENTS - UNSUBSCRIBED, sent: RECIPIENTS - UNSUBSCRIBED, failed: 0, pending: 0 });
    // Some requests failed and were made again: more than one per hundred emails.
    expect(resend.requests).toBeGreaterThan(Math.ceil((RECIPIENTS - UNSUBSCRIBED) / 100));

    // Sending again starts nothing: the announcement answers as it is, and queues no one.
    const requests = resend.requests;
    const again = await admin(`/admin/api/announcements/${announcement.id}/send`, { method: "POST", json: {} });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ announcement: { status: "done", progress: finished.progress } });
    expect(resend.requests).toBe(requests);

    const copies = new Map<string, number>();
    for (const email of resend.delivered) if (email.subject === SUBJECT) copies.set(email.to, (copies.get(email.to) ?? 0) + 1);
    for (const { email } of unsubscribed) expect(copies.get(email), email).toBeUndefined();
    for (const { email } of crowd.slice(UNSUBSCRIBED)) expect(copies.get(email), email).toBe(1);
    expect(copies.size).toBe(RECIPIENTS - UNSUBSCRIBED);
    const sample = resend.delivered.find((email) => email.subject === SUBJECT)!;
    expect(sample.headers["List-Unsubscribe"]).toMatch(/^<http:\/\/localhost:8787\/unsubscribe\?id=[0-9a-f]{64}&sig=[\w-]{43}>$/);
    expect(sample.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
  }, 180_000);
});
