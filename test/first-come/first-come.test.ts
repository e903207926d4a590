import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prizeCounter } from "../../src/objects/stubs";
import type { Registrant } from "../../src/objects/registrant";
import { captureLinkCodes, registrantId, registrantStub, send, signUp, validSubmission } from "../helpers";

afterEach(() => vi.restoreAllMocks());

interface SubmitAnswer {
  status: string;
  version: number;
  awardPolicy: string;
  prize: { status: "awarded" | "waitlisted"; slot: number | null; position: number | null } | null;
}

describe("the first-come policy", () => {
  // Every submission also checks its links and claims them (issue 15): the time limit leaves
  // this machine's queues and objects room for that background work.
  it("250 racing first submissions award exactly the pool of 100 and waitlist the rest in a stable order", async () => {
    const codes = captureLinkCodes();
    const emails = Array.from({ length: 250 }, (_, i) => `fc-${i}@example.com`);
    for (let i = 0; i < emails.length; i += 50) {
      await Promise.all(emails.slice(i, i + 50).map((email) => signUp(email)));
    }
    const linkCodes = await Promise.all(emails.map((email) => codes.get(email)));
    expect(new Set(linkCodes).size).toBe(250);

    const responses = await Promise.all(
      linkCodes.map((code) => send("/submit", { acceptJson: true, form: validSubmission(code) })),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    const answers = (await Promise.all(responses.map((r) => r.json()))) as SubmitAnswer[];
    expect(new Set(answers.map((a) => a.awardPolicy))).toEqual(new Set(["first_come"]));

    const awarded = answers.filter((a) => a.prize?.status === "awarded");
    const waitlisted = answers.filter((a) => a.prize?.status === "waitlisted");
    expect(awarded).toHaveLength(100);
    expect(waitlisted).toHaveLength(150);
    expect(awarded.map((a) => a.prize!.slot).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(waitlisted.map((a) => a.prize!.position).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(await prizeCounter(env).getStatus()).toMatchObject({ total: 100, awarded: 100, remaining: 0 });

    // Stable: claiming again, or amending, gives every entrant the same answer.
    const again = await Promise.all(emails.map((email) => prizeCounter(env).claim(registrantId(email))));
    again.forEach((update, i) => {
      expect({ status: update?.status, slot: update?.slot, position: update?.position }).toEqual(answers[i]!.prize);
    });
    const amended = (await (await send("/submit", { acceptJson: true, form: validSubmission(linkCodes[0]!, { title: "v2" }) })).json()) as SubmitAnswer;
    expect(amended).toMatchObject({ status: "amended", version: 2, prize: answers[0]!.prize });
    expect((await prizeCounter(env).getStatus()).awarded).toBe(100);

    // The public log lists the waitlist in the order the positions were given.
    const log = await prizeCounter(env).log(0, 1000);
    const positions = log.events.filter((e) => e.type === "waitlist").map((e) => e.position);
    expect(positions).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  }, 120_000);

  it("says which policy is in force, and the entrant's place, on the submit page and the confirmation", async () => {
    const codes = captureLinkCodes();
    await signUp("pages@example.com");
    const code = await codes.get("pages@example.com");
    const form = await (await send(`/submit?code=${encodeURIComponent(code)}`)).text();
    expect(form).toContain("First come, first served");

    const saved = await send("/submit", { form: validSubmission(code) });
    expect(saved.status).toBe(303);
    const confirmation = await (await send(saved.headers.get("location")!)).text();
    expect(confirmation).toContain("Submission received");
    expect(confirmation).toContain("First come, first served");
    expect(confirmation).toMatch(/Every prize is claimed; you are number <strong data-text="position">\d+<\/strong> on the waitlist|You won a prize/);
  });

  // The 250 entrants' background work (emails, index rows, link checks and claims) may still
  // be draining: this test's own steps wait behind it, so it gets more than the default 5 s.
  it("keeps the claim in the outbox when the counter cannot be reached, and answers that it is pending", { timeout: 30_000 }, async () => {
    const codes = captureLinkCodes();
    await signUp("pending@example.com");
    const code = await codes.get("pending@example.com");
    const stub = registrantStub("pending@example.com");
    const claims = async () => (await stub.outboxStatus()).filter((job) => job.topic === "prize_claim");
    const unreachable = vi.spyOn(env.PRIZE_COUNTER, "get").mockImplementation(() => {
      throw new Error("counter unreachable");
    });
    const result = await stub.submit(code.split(".")[1]!, {
      title: "t", description: "d", repo_url: "https://a.dev/", demo_url: "https://b.dev/", products: ["workers", "kv"], confirm_original: true,
    });
    expect(result).toMatchObject({ ok: true, version: 1, prize: null });
    expect(await claims()).toMatchObject([{ attempts: 1, state: "to_deliver" }]);
    unreachable.mockRestore();
    await runInDurableObject(stub, (instance: Registrant) => instance.alarm()); // not due yet: nothing happens
    expect(await claims()).toHaveLength(1);
    const page = await (await send(`/submit?code=${encodeURIComponent(code)}`)).text();
    expect(page).toContain("Your prize claim is being confirmed");
    await stub.flushOutbox();
    expect(await claims()).toEqual([]);
    const json = await (await send(`/submit?code=${encodeURIComponent(code)}`, { acceptJson: true })).json();
    expect(json).toMatchObject({ awardPolicy: "first_come", prize: { status: expect.stringMatching(/^(awarded|waitlisted)$/) } });
    const after = await (await send(`/submit?code=${encodeURIComponent(code)}`)).text();
    expect(after).toMatch(/on the waitlist|You won a prize/);
  });
});

describe("the landing page under the first-come policy", () => {
  it("says the first valid submissions win", async () => {
    const html = await (await send("/")).text();
    expect(html).toContain("First come, first served: the first 100 swag boxes go to the first valid submissions");
    expect(html).not.toContain("Judges score every");
  });
});

describe("a disqualified entrant under the first-come policy", () => {
  it("claims no box and no waitlist place with a first submission, and the page says why", async () => {
    const codes = captureLinkCodes();
    await signUp("fc-cheat@example.com");
    const code = await codes.get("fc-cheat@example.com");
    const id = registrantId("fc-cheat@example.com");
    expect(await prizeCounter(env).disqualify(id, "organiser:lin", "Duplicate accounts")).toMatchObject({ ok: true });
    await prizeCounter(env).flushOutbox();
    const before = await prizeCounter(env).getStatus();
    const answer = await send("/submit", { acceptJson: true, form: validSubmission(code) });
    expect(answer.status).toBe(201);
    expect(await answer.json()).toMatchObject({ status: "submitted", prize: null, disqualified: true });
    // Even a claim that reaches the counter (a retried outbox job) gets nothing.
    expect(await prizeCounter(env).claim(id)).toBeNull();
    const placed = await runInDurableObject(prizeCounter(env), (_, state) =>
      state.storage.sql.exec<{ id: string }>("SELECT registrant_id AS id FROM award UNION SELECT registrant_id FROM waitlist").toArray().map((row) => row.id),
    );
    expect(placed).not.toContain(id);
    expect(await prizeCounter(env).getStatus()).toEqual(before);
    const page = await (await send(`/submit?code=${encodeURIComponent(code)}`)).text();
    expect(page).toContain("The organisers disqualified this entry");
    expect(page).not.toContain("Your prize claim is being confirmed");
  });
});
