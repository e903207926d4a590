import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prizeCounter } from "../../../src/objects/stubs";
import { pseudonym } from "../../../src/prizes/award-log";
import { captureLinkCodes, registrantId, send, signUp, validSubmission } from "../../helpers";
import { admin } from "../../judges/helpers";
import { endWindow, poolAgreesWithLog, prizeBecomes, prizeEmails } from "./helpers";

afterEach(() => vi.restoreAllMocks());

interface Answer {
  prize: { status: string; slot: number | null; position: number | null } | null;
}

describe("first come with a review window (FIRST_COME_REVIEW_HOURS)", () => {
  it("takes 50 of 200 racing claims provisionally, promotes the waitlist as slots are released, and emails each winner once, when its window ends", async () => {
    const codes = captureLinkCodes();
    const emails = Array.from({ length: 200 }, (_, i) => `review-${i}@example.com`);
    for (let i = 0; i < emails.length; i += 50) await Promise.all(emails.slice(i, i + 50).map((email) => signUp(email)));
    const linkCodes = await Promise.all(emails.map((email) => codes.get(email)));
    const responses = await Promise.all(linkCodes.map((code) => send("/submit", { acceptJson: true, form: validSubmission(code) })));
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([201]));
    const answers = (await Promise.all(responses.map((response) => response.json()))) as Answer[];

    // Exactly the pool, provisionally; the rest waitlisted in a stable order.
    const provisional = emails.filter((_, i) => answers[i]!.prize?.status === "provisional");
    const waitlisted = emails.filter((_, i) => answers[i]!.prize?.status === "waitlisted");
    expect(provisional).toHaveLength(50);
    expect(waitlisted).toHaveLength(150);
    expect(provisional.map((email) => answers[emails.indexOf(email)]!.prize!.slot).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await poolAgreesWithLog()).toEqual({ taken: 50, provisional: 50 });
    // The public count treats provisional slots as taken.
    expect(await (await send("/api/prizes", { acceptJson: true })).json()).toMatchObject({ remaining: 0, total: 50 });

    // No winner email while the windows last: every submission's email is logged, no prize's.
    // The dashboard shows the 50 provisional entries, each with the end of its window.
    await vi.waitFor(async () => {
      const sent = await env.DB.prepare("SELECT COUNT(*) AS n FROM email_log WHERE template = 'submission_received'").first<{ n: number }>();
      expect(sent!.n).toBe(200);
    }, { timeout: 120_000, interval: 250 });
    expect(await prizeEmails()).toEqual(new Map());
    await vi.waitFor(async () => {
      const page = (await (await admin("/admin/api/entries?status=provisional&limit=200")).json()) as { entries: { id: string; provisional_until: number | null }[] };
      expect(page.entries.map((entry) => entry.id).sort()).toEqual(provisional.map(registrantId).sort());
      expect(page.entries.every((entry) => (entry.provisional_until ?? 0) > Date.now())).toBe(true);
    }, { timeout: 60_000, interval: 200 });

    // Ten are disqualified during the window: each slot goes to the waitlist's head, in order.
    const byPosition = [...waitlisted].sort((a, b) => answers[emails.indexOf(a)]!.prize!.position! - answers[emails.indexOf(b)]!.prize!.position!);
    const disqualified = provisional.slice(0, 10);
    for (const [i, email] of disqualified.entries()) {
      const released = await prizeCounter(env).releaseProvisional(registrantId(email), "Dev Organiser");
      expect(released).toMatchObject({ released: true, promoted: registrantId(byPosition[i]!) });
      expect(await poolAgreesWithLog()).toEqual({ taken: 50, provisional: 50 });
    }
    // Releasing twice, or a slot nobody holds, changes nothing.
    expect(await prizeCounter(env).releaseProvisional(registrantId(disqualified[0]!), "Dev Organiser")).toEqual({ released: false, reason: "not_awarded" });
    const promoted = byPosition.slice(0, 10);
    for (const email of disqualified) await prizeBecomes(email, "released");
    for (const email of promoted) await prizeBecomes(email, "provisional");
    // A claim delivered again never takes a released entrant back in.
    expect(await prizeCounter(env).claim(registrantId(disqualified[0]!))).toMatchObject({ status: "released" });
    expect(await poolAgreesWithLog()).toEqual({ taken: 50, provisional: 50 });

    // The windows end: every holder is confirmed and emailed once; the released are not.
    // (FIRST_COME_REQUIRE_LIVE: a window's end waits for its check's verdict; the checks are in.)
    const holders = [...provisional.slice(10), ...promoted];
    expect(await prizeEmails()).toEqual(new Map());
    await vi.waitFor(async () => {
      const ids = [...holders, ...disqualified].map(registrantId);
      const { results } = await env.DB.prepare(`SELECT entry_id FROM link_checks WHERE check_version > 0 AND entry_id IN (${ids.map(() => "?").join(", ")})`).bind(...ids).all();
      expect(results).toHaveLength(ids.length);
    }, { timeout: 120_000, interval: 250 });
    for (const email of holders) await endWindow(email);
    for (const email of disqualified) await endWindow(email);
    for (const email of holders) await prizeBecomes(email, "awarded");
    await vi.waitFor(async () => expect((await prizeEmails()).size).toBe(50), { timeout: 120_000, interval: 250 });
    const winnerEmails = await prizeEmails();
    expect([...winnerEmails.keys()].sort()).toEqual([...holders].sort());
    expect([...winnerEmails.values()].every((n) => n === 1)).toBe(true);
    expect(await poolAgreesWithLog()).toEqual({ taken: 50, provisional: 0 });

    // A confirmed slot is no longer provisional: releasing it is refused (a revoke's job).
    expect(await prizeCounter(env).releaseProvisional(registrantId(holders[0]!), "Dev Organiser")).toEqual({ released: false, reason: "not_provisional" });
    expect(await prizeCounter(env).confirmProvisional(registrantId(holders[0]!))).toMatchObject({ status: "awarded" });
    // An alarm running again confirms nothing twice and sends nothing more.
    for (const email of holders.slice(0, 5)) await endWindow(email);
    expect(await prizeEmails()).toEqual(winnerEmails);
    const log = await prizeCounter(env).log(0, 1000);
    const confirmed = log.events.filter((event) => event.type === "confirmed").map((event) => event.pseudonym);
    expect(new Set(confirmed)).toEqual(new Set(holders.map((email) => pseudonym(registrantId(email)))));
    expect(confirmed).toHaveLength(50);
  }, 400_000);
});
