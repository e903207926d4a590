import { consumeEmails } from "./email/consumer";
import type { Env } from "./env";
import { router } from "./routes/router";

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
  queue: consumeEmails,
} satisfies ExportedHandler<Env>;

export { PrizeCounter } from "./objects/prize-counter";
export { Registrant } from "./objects/registrant";
