import type { D1Migration } from "cloudflare:test";
import type { Env as SwagboxEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends SwagboxEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** wrangler.toml's queues, as wrangler reads them (vitest.config.ts). */
      TEST_QUEUES: string;
      /** wrangler.toml's observability and rate-limit settings, as wrangler reads them (vitest.config.ts). */
      TEST_DEPLOYMENT: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "Registrant";
    }
  }
}
