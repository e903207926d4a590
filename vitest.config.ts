import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run the local development configuration, the one `npm start` uses.
const development = parseEnv(readFileSync("config/development.env", "utf8"));

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: { ...development, TEST_MIGRATIONS: await readD1Migrations("migrations") },
      },
    }),
  ],
  test: {
    setupFiles: ["./test/setup.ts"],
    include: ["test/**/*.test.ts"],
  },
}));
