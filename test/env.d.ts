import type { D1Migration } from "cloudflare:test";
import type { Env as SwagboxEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends SwagboxEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** wrangler.toml's queue producers and consumers, as Miniflare reads them (JSON). */
      TEST_QUEUES: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "Registrant";
    }
  }
}
