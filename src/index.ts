import type { Env } from "./env";
import { dispatchQueue } from "./queues/dispatch";
import { startRetentionIfDue } from "./retention";
import { router } from "./routes/router";

export default {
  async fetch(request, env, ctx) {
    // HEAD is GET without the body (uptime checks use it); the router only knows GET.
    if (request.method !== "HEAD") return router.fetch(request, env, ctx);
    const response = await router.fetch(new Request(request, { method: "GET" }), env, ctx);
    return new Response(null, response);
  },
  queue: dispatchQueue,
  async scheduled(_controller, env) {
    await startRetentionIfDue(env);
  },
} satisfies ExportedHandler<Env>;

export { LiveRelay } from "./objects/live-relay";
export { PrizeCounter } from "./objects/prize-counter";
export { Registrant } from "./objects/registrant";
