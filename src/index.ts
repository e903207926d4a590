import { consumeEmails } from "./email/consumer";
import type { Env } from "./env";
import { answerHead } from "./http/head";
import { consumeIndex, INDEX_QUEUE } from "./judges/index-consumer";
import { sweepRetention } from "./retention";
import { router } from "./routes/router";

export default {
  async fetch(request, env, ctx) {
    if (request.method !== "HEAD") return router.fetch(request, env, ctx);
    return answerHead(request, (get) => router.fetch(get, env, ctx));
  },
  async queue(batch, env) {
    if (batch.queue.startsWith(INDEX_QUEUE)) await consumeIndex(batch, env);
    else await consumeEmails(batch, env);
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweepRetention(env));
  },
} satisfies ExportedHandler<Env>;

export { LiveRelay } from "./objects/live-relay";
export { PrizeCounter } from "./objects/prize-counter";
export { Registrant } from "./objects/registrant";
