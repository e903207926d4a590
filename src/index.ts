import type { Env } from "./env";
import { answerHead } from "./http/head";
import { dispatchQueue } from "./queues/dispatch";
import { startRetentionIfDue } from "./retention";
import { router } from "./routes/router";

export default {
  async fetch(request, env, ctx) {
    if (request.method !== "HEAD") return router.fetch(request, env, ctx);
    return answerHead(request, (get) => router.fetch(get, env, ctx));
  },
  queue: dispatchQueue,
  async scheduled(_controller, env) {
    await startRetentionIfDue(env);
  },
} satisfies ExportedHandler<Env>;

export { AddressClaim } from "./objects/address-claim";
export { LiveRelay } from "./objects/live-relay";
export { PrizeCounter } from "./objects/prize-counter";
export { Registrant } from "./objects/registrant";
export { SharedLink } from "./objects/shared-link";
