import { planEmails } from "../email/jobs";
import type { Env } from "../env";
import { ofTopic, readEnvelopes, type Read } from "../messages/read";
import { writeIndexRows } from "./index-rows";

/**
 * The changes queue's consumer: what registrants' changes imply, a batch at a time. Their
 * index rows (with the registry) and their email jobs go to D1 side by side, each with its
 * own outcome, so a failure on one side never holds the other back.
 */
export async function consumeChanges(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const rows: Read<"index">[] = [];
  const jobs: Read<"email">[] = [];
  for (const { envelope, message } of readEnvelopes(batch)) {
    if (ofTopic(envelope, "index")) rows.push({ body: envelope.body, message });
    else if (ofTopic(envelope, "email")) jobs.push({ body: envelope.body, message });
  }
  await Promise.all([writeIndexRows(rows, env), planEmails(jobs, env)]);
}
