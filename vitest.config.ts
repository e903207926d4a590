import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseEnv } from "node:util";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";

// Tests run the local development configuration, the one `npm start` uses.
const development = parseEnv(readFileSync("config/development.env", "utf8"));

// What wrangler.toml deploys beyond bindings and vars, for test/deployment.test.ts to check,
// and its queues, which test/messages/contract.test.ts checks against the message contract.
const deployed = unstable_readConfig({ config: "wrangler.toml" });
const deployment = JSON.stringify({ observability: deployed.observability ?? null, ratelimits: deployed.ratelimits });
const declaredQueues = JSON.stringify(deployed.queues);

async function contest(vars: Record<string, string | undefined>) {
  return cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings: { ...development, ...vars, TEST_MIGRATIONS: await readD1Migrations("migrations"), TEST_QUEUES: declaredQueues, TEST_DEPLOYMENT: deployment },
      // Changes wait up to two seconds to fill a batch in production; tests wait for their
      // emails and rows often, so they get them as soon as they are sent (the batch code
      // path is the same).
      queueConsumers: {
        "swagbox-changes": { maxBatchTimeout: 0, maxBatchSize: 100, maxRetries: 100, deadLetterQueue: "swagbox-dead-letters" },
        "swagbox-checks": { maxBatchTimeout: 0, maxBatchSize: 10, maxRetries: 20, deadLetterQueue: "swagbox-dead-letters" },
      },
    },
  });
}

export default defineConfig(async () => ({
  test: {
    setupFiles: ["./test/setup.ts"],
    // A test file spends most of its time waiting on workerd (queues, alarms, timers), so one
    // file more than there are cores keeps them busy: on 2 cores the suite takes half the
    // wall time it takes one file at a time (docs/decisions.md).
    maxWorkers: availableParallelism() + 1,
    projects: [
      {
        extends: true,
        plugins: [await contest({})],
        test: { name: "judged", include: ["test/**/*.test.ts"], exclude: ["test/first-come/**", "test/faults/**"] },
      },
      {
        // The fault-injection suite's deterministic part: Resend (stubbed inside the runtime)
        // as the provider, and objects that check their queued work after 2 s.
        extends: true,
        plugins: [await contest({ EMAIL_PROVIDER: "resend", RESEND_API_KEY: "re_fault_suite", OUTBOX_CONFIRM_SECONDS: "2" })],
        test: { name: "faults", include: ["test/faults/**/*.test.ts"], testTimeout: 60_000 },
      },
      {
        // A second contest: first come, first served, with live-socket caps small enough
        // for a test to reach.
        extends: true,
        plugins: [await contest({ AWARD_POLICY: "first_come", LIVE_SOCKET_CAP: "5", LIVE_RELAYS: "2" })],
        test: { name: "first-come", include: ["test/first-come/**/*.test.ts"], exclude: ["test/first-come/review/**"] },
      },
      {
        // First come with a review window: the objects read FIRST_COME_REVIEW_HOURS and
        // FIRST_COME_REQUIRE_LIVE from their own env, which a request's vars cannot reach, and
        // a window changes what every claim does. A small pool keeps the races quick; objects
        // check their queued work after two minutes, so that 500 racing entrants' jobs are
        // not sent again while this machine's queues are still working through them.
        extends: true,
        plugins: [
          await contest({ AWARD_POLICY: "first_come", PRIZE_POOL: "50", FIRST_COME_REVIEW_HOURS: "24", FIRST_COME_REQUIRE_LIVE: "true", OUTBOX_CONFIRM_SECONDS: "120" }),
        ],
        test: { name: "review-window", include: ["test/first-come/review/**/*.test.ts"] },
      },
    ],
  },
}));
