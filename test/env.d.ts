import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    /** The test's own bindings (vitest.config.ts), on top of wrangler.toml's. */
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** wrangler.toml's queues, as wrangler reads them. */
      TEST_QUEUES: string;
      /** wrangler.toml's observability and rate-limit settings, as wrangler reads them. */
      TEST_DEPLOYMENT: string;
    }
  }
}
