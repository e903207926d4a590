import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { prizeCounter } from "../../src/objects/stubs";
import type { EmailJob } from "../../src/schemas/email-job";
import { attempt, logRow, plan } from "../email/helpers";
import { registrantStub } from "../helpers";
import { admin, entrant, indexed } from "./helpers";

/** The Cloudflare provider, through a send_email binding that answers as `send` does. */
function cloudflare(send: (message: unknown) => Promise<unknown>): Partial<Env> {
  return { ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare", EMAIL: { send } as unknown as SendEmail };
}

it("keeps an award while the email provider is down, and the winner email arrives once it recovers", async () => {
  const email = "patient-winner@example.com";
  const { id } = await entrant(email, { title: "Worth the wait" });
  await indexed(id, (row) => row.submission_version === 1);
  const { awarded } = await prizeCounter(env).getStatus();
  expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);

  // The job the registrant holds for the winner until its email is confirmed.
  const held = await vi.waitFor(async () => {
    const job = (await registrantStub(email).outboxStatus()).find((j) => j.topic === "email" && j.key.includes(":prize:"));
    if (!job) throw new Error("no prize email held yet");
    return JSON.parse(job.body) as EmailJob;
  });
  if (held.template !== "prize_won") throw new Error(`held a ${held.template} email`);
  // The local queue delivers the original job too (through the capture provider): the
  // outage is played with a copy under its own key, so that delivery cannot race it.
  const copy = { ...held, key: `${held.key}0` };

  const down = vi.fn().mockRejectedValue(new Error("upstream connect error: 503"));
  const { sends } = await plan([copy], cloudflare(down));
  for (const attempts of [1, 2, 3]) {
    const result = await attempt(sends, cloudflare(down), attempts);
    expect(result.retryMessages).toHaveLength(1);
  }
  expect(await logRow(copy.key)).toMatchObject({ status: "retrying", attempts: 3 });
  expect((await prizeCounter(env).getStatus()).awarded).toBe(awarded + 1);
  await indexed(id, (row) => row.status === "winner" && row.shipping_status === "awaiting");

  const up = vi.fn().mockResolvedValue({ messageId: "sent" });
  const recovered = await attempt(sends, cloudflare(up), 4);
  expect(recovered.explicitAcks).toEqual(["m0"]);
  expect(up).toHaveBeenCalledTimes(1);
  expect((up.mock.calls[0]![0] as { text: string }).text).toContain(`/shipping?code=${encodeURIComponent(held.code)}`);
  expect(await logRow(copy.key)).toMatchObject({ status: "sent", attempts: 4 });
});
