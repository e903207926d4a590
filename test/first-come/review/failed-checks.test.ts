import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prizeCounter } from "../../../src/objects/stubs";
import { pseudonym } from "../../../src/prizes/award-log";
import { ACCEPTED } from "../../email/helpers";
import { registrantStub, send } from "../../helpers";
import { admin, entrant, indexed } from "../../judges/helpers";
import { endWindow, poolAgreesWithLog, prizeBecomes, prizeEmails, prizeOf } from "./helpers";

afterEach(() => vi.restoreAllMocks());

/** Waits until the entrant's check is in D1. */
function checked(id: string) {
  return vi.waitFor(async () => expect(await env.DB.prepare("SELECT 1 FROM link_checks WHERE entry_id = ? AND check_version > 0").bind(id).first()).not.toBeNull(), {
    timeout: 10_000,
    interval: 20,
  });
}

/** Makes the pool `total` boxes, so that the next claims find it full or not as a test needs. */
async function poolOf(total: number) {
  expect(await prizeCounter(env).resize(total, "test")).toMatchObject({ ok: true });
}

describe("a review window under FIRST_COME_REQUIRE_LIVE", () => {
  it("frees a provisional slot whose link check fails, for the waitlist's head, whose own window starts", async () => {
    await poolOf(1);
    const failing = await entrant("dead-demo@example.com", { demo_url: "http://10.0.0.1/demo" });
    expect(await prizeOf("dead-demo@example.com")).toMatchObject({ status: "provisional", slot: 1 });
    const page = () => send(`/submit?code=${encodeURIComponent(failing.code)}`).then((response) => response.text());
    expect(await page()).toContain("is yours provisionally");
    const next = await entrant("next-in-line@example.com", {});
    expect(await prizeOf("next-in-line@example.com")).toMatchObject({ status: "waitlisted", position: 1 });

    // The check refuses the demo; the registrant takes the verdict when it confirms the check.
    await checked(failing.id);
    await registrantStub("dead-demo@example.com").flushOutbox();
    await prizeBecomes("dead-demo@example.com", "released");
    await prizeBecomes("next-in-line@example.com", "provisional");
    const after = await page();
    expect(after).toContain("went back to the pool after the organisers' review");
    expect(after).not.toContain("is yours provisionally");
    const log = await prizeCounter(env).log(0, 1000);
    expect(log.events.filter((event) => event.pseudonym === pseudonym(failing.id)).map((event) => event.type)).toEqual(["provisional", "released"]);
    expect(log.events.filter((event) => event.pseudonym === pseudonym(next.id)).map((event) => event.type)).toEqual(["waitlist", "provisional"]);
    await poolAgreesWithLog();
    await vi.waitFor(async () => {
      const audit = (await (await admin("/admin/api/audit?limit=20")).json()) as { entries: { action: string; target: string; detail: Record<string, unknown> }[] };
      expect(audit.entries).toContainEqual(expect.objectContaining({ action: "provisional_released", target: failing.id, detail: expect.objectContaining({ by: "link_checks", promoted: next.id }) }));
    });

    // The head's window ends without a failed check: confirmed, emailed once.
    await checked(next.id);
    await endWindow("next-in-line@example.com");
    await prizeBecomes("next-in-line@example.com", "awarded");
    await vi.waitFor(async () => expect(await prizeEmails()).toEqual(new Map([["next-in-line@example.com", 1]])), { timeout: 20_000 });
    // The failing entrant's window ends too, and gives it nothing.
    await endWindow("dead-demo@example.com");
    expect(await prizeOf("dead-demo@example.com")).toMatchObject({ status: "released" });
    expect(await poolAgreesWithLog()).toEqual({ taken: 1, provisional: 0 });
  });

  it("waits at a window's end for a check still on its way, and decides once its verdict is in", async () => {
    await poolOf(2);
    const lost = vi.spyOn(env.CHECKS_QUEUE, "sendBatch").mockResolvedValue(ACCEPTED);
    const slow = await entrant("slow-check@example.com", {});
    expect(await prizeOf("slow-check@example.com")).toMatchObject({ status: "provisional" });
    await vi.waitFor(() => expect(lost).toHaveBeenCalled());

    await endWindow("slow-check@example.com");
    // No verdict yet: the slot stays provisional and the window's end is looked at again later.
    expect(await prizeOf("slow-check@example.com")).toMatchObject({ status: "provisional" });
    expect((await prizeCounter(env).getStatus()).provisional).toBe(1);
    const outbox = await registrantStub("slow-check@example.com").outboxStatus();
    expect(outbox.map((job) => job.topic)).not.toContain("prize_confirm");

    lost.mockRestore();
    await registrantStub("slow-check@example.com").flushOutbox();
    await checked(slow.id);
    await endWindow("slow-check@example.com");
    await prizeBecomes("slow-check@example.com", "awarded");
    expect(await poolAgreesWithLog()).toEqual({ taken: 2, provisional: 0 });
  });

  it("gives an erased entrant's provisional slot to the waitlist's head", async () => {
    await poolOf(3);
    const leaving = await entrant("leaving@example.com", {});
    expect(await prizeOf("leaving@example.com")).toMatchObject({ status: "provisional", slot: 3 });
    await entrant("heir@example.com", {});
    expect(await prizeOf("heir@example.com")).toMatchObject({ status: "waitlisted" });
    await indexed(leaving.id);
    expect((await admin(`/admin/api/entries/${leaving.id}`, { method: "DELETE" })).status).toBe(200);
    await prizeBecomes("heir@example.com", "provisional");
    expect(await poolAgreesWithLog()).toEqual({ taken: 3, provisional: 1 });
  });
});
