import { runAnnouncementSteps } from "../announcements/announcements";
import type { Env } from "../env";
import { ofTopic, readEnvelopes, type Read } from "../messages/read";
import { runTaskSteps } from "../tasks/tasks";

/**
 * The tasks queue's consumer: steps of background work in bounded pages, each message one
 * step. Task runs walk the registry; announcements walk their segment of the index.
 */
export async function consumeTasks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const tasks: Read<"task">[] = [];
  const announcements: Read<"announcement">[] = [];
  for (const { envelope, message } of readEnvelopes(batch)) {
    if (ofTopic(envelope, "task")) tasks.push({ body: envelope.body, message });
    else if (ofTopic(envelope, "announcement")) announcements.push({ body: envelope.body, message });
  }
  await runTaskSteps(tasks, env);
  await runAnnouncementSteps(announcements, env);
}
