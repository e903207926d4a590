import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { prizeCounter } from "../../src/objects/prize-counter";
import type { EmailJob } from "../../src/schemas/email-job";
import { consume, logRow } from "../email/helpers";
import { admin, entrant, indexed } from "./helpers";

/** The Cloudflare provider, through a send_email binding that answers as `send` does. */
function cloudflare(send: (message: unknown) => Promise<unknown>): Partial<Env> {
  return { ENVIRONMENT: "production", EMAIL_PROVIDER: "cloudflare", EMAIL: { send } as unknown as SendEmail };
}

it("keeps an award while the email provider is down, and the winner email arrives once it recovers", async () => {
  const email = "patient-winner@example.com";
  const { id } = await entrant(email, { title: "Worth the wait" });
  await indexed(id, (row) => row.submission_version === 1);
  expect((await admin(`/admin/api/entries/${id}/award`, { method: "POST" })).status).toBe(201);

  // The job the registrant queued for the winner, as the queue would deliver it.
  let prizeJob: EmailJob | undefined;
  for (let tries = 0; tries < 100 && !prizeJob; tries++) {
    const queued = vi.mocked(env.EMAIL_QUEUE.sendBatch).mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body as EmailJob));
    prizeJob = queued.find((job) => job.template === "prize_won" && job.to === email);
    if (!prizeJob) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(prizeJob).toBeDefined();
  if (prizeJob?.template !== "prize_won") return;
  // The local queue delivers the original job too (through the capture provider): the
  // outage is played with a copy under its own key, so that delivery cannot race it.
  prizeJob = { ...prizeJob, key: `${prizeJob.key}:outage` };

  const down = vi.fn().mockRejectedValue(new Error("upstream connect error: 503"));
  for (const attempts of [1, 2, 3]) {
    const result = await consume("swagbox-emails", [prizeJob], cloudflare(down), attempts);
    expect(result.retryMessages).toHaveLength(1);
  }
  expect(await logRow(prizeJob.key)).toMatchObject({ status: "retrying", attempts: 3 });
  expect((await prizeCounter(env).getStatus()).awarded).toBe(1);
  await indexed(id, (row) => row.status === "winner" && row.shipping_status === "awaiting");

  const up = vi.fn().mockResolvedValue({ messageId: "sent" });
  const recovered = await consume("swagbox-emails", [prizeJob], cloudflare(up), 4);
  expect(recovered.explicitAcks).toEqual(["m0"]);
  expect(up).toHaveBeenCalledTimes(1);
  expect((up.mock.calls[0]![0] as { text: string }).text).toContain(`/shipping?code=${encodeURIComponent(prizeJob.code)}`);
  expect(await logRow(prizeJob.key)).toMatchObject({ status: "sent", attempts: 4 });
});
