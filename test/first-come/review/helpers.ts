import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { Registrant } from "../../../src/objects/registrant";
import { prizeCounter } from "../../../src/objects/stubs";
import { verifyAwardLog, type HashedAwardEvent } from "../../../src/prizes/award-log";
import { registrantStub } from "../../helpers";

/** Ends the registrant's review window now and runs its alarm, as the time would. */
export async function endWindow(email: string): Promise<void> {
  await runInDurableObject(registrantStub(email), async (instance: Registrant, state) => {
    state.storage.sql.exec("UPDATE prize SET review_until = ? WHERE review_until IS NOT NULL", Date.now() - 1);
    state.storage.sql.exec("UPDATE alarm_schedule SET due_at = 0 WHERE source = 'review_end'");
    await instance.alarm();
  });
}

/** The registrant's place, as its object holds it. */
export async function prizeOf(email: string) {
  return (await registrantStub(email).adminView())?.prize ?? null;
}

/** Waits until the registrant's place satisfies `ready`. */
export function prizeBecomes(email: string, status: string, timeout = 10_000) {
  return vi.waitFor(
    async () => {
      const prize = await prizeOf(email);
      if (prize?.status !== status) throw new Error(`${email} is ${prize?.status ?? "nothing"}, not ${status}`);
      return prize;
    },
    { timeout, interval: 20 },
  );
}

/**
 * The pool and its public log agree: the log verifies, and replaying it gives the pool's
 * taken and provisional slots (a provisional slot is taken; confirming it changes no count).
 */
export async function poolAgreesWithLog(): Promise<{ taken: number; provisional: number }> {
  const counter = prizeCounter(env);
  const events: HashedAwardEvent[] = [];
  let head = "";
  for (let after = 0; ; ) {
    const page = await counter.log(after, 1000);
    events.push(...page.events);
    head = page.head;
    if (page.next === null) break;
    after = page.next;
  }
  expect(verifyAwardLog(events, head)).toEqual({ ok: true, head });
  const count = (type: string) => events.filter((event) => event.type === type).length;
  const taken = count("award") + count("provisional") - count("revoke") - count("released");
  const provisional = count("provisional") - count("confirmed") - count("released");
  const status = await counter.getStatus();
  expect({ taken: status.awarded, provisional: status.provisional }).toEqual({ taken, provisional });
  return { taken, provisional };
}

/** Prize emails in the email log, by recipient. */
export async function prizeEmails(): Promise<Map<string, number>> {
  const { results } = await env.DB.prepare("SELECT recipient, COUNT(*) AS n FROM email_log WHERE template = 'prize_won' GROUP BY recipient").all<{ recipient: string; n: number }>();
  return new Map(results.map((row) => [row.recipient, row.n]));
}
