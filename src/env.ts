import type { ConfigVars } from "./config";

/**
 * What the Worker and its objects are given: the bindings wrangler.toml declares (generated
 * by `npm run types` into worker-configuration.d.ts, which `npm run typecheck` keeps in
 * step) and the configuration's variables, which src/config.ts alone declares and checks.
 */
export type Env = Omit<WranglerEnv, keyof ConfigVars> & ConfigVars;
