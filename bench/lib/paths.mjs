import { join } from "node:path";

/** The repository root, wherever the bench is started from. */
export const ROOT = join(import.meta.dirname, "..", "..");
export const RESULTS = join(ROOT, "bench", "results");
export const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
