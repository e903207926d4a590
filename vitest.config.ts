import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseEnv } from "node:util";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { unstable_readConfig } from "wrangler";

// Tests run the local development configuration, the one `npm start` uses.
const development = parseEnv(readFileSync("config/development.env", "utf8"));

// What wrangler.toml deploys beyond bindings and vars, for test/deployment.test.ts to check,
// and its queues, which test/messages/contract.test.ts checks against the message contract.
const deployed = unstable_readConfig({ config: "wrangler.toml" });
const deployment = JSON.stringify({ observability: deployed.observability ?? null, ratelimits: deployed.ratelimits });
const declaredQueues = JSON.stringify(deployed.queues);

/**
 * A project that runs its files inside the Workers runtime, as a contest configured with the
 * development variables and `vars` over them.
 */
async function contest(
  test: { name: string; include: string[]; exclude?: string[]; testTimeout?: number; isolate?: boolean },
  vars: Record<string, string | undefined> = {},
) {
  const plugin = cloudflareTest({
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
  return { extends: true, plugins: [plugin], test: { ...test, setupFiles: ["./test/setup.ts"] } };
}

const UNIT_TESTS = ["test/dashboard/**/*.test.ts", "test/links/**/*.test.ts", "test/schemas/**/*.test.ts", "test/markdown.test.ts", "test/http/even-timing.test.ts"];

/**
 * Runs the files of the projects that start a runtime per file first (few files, and long:
 * the races of the first-come contests, the fault scenarios), longest first across projects
 * (by their last run's duration), then the files of each shared-runtime project one after
 * another. Vitest's own order runs the projects one after another, so a long file of the last
 * project (the review window's race) started when every other file was done and ran alone at
 * the end; and a worker keeps its runtime for the next file only when that file is of the
 * same shared project, so interleaving projects would start a runtime per file again.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const duration = (file: TestSpecification) => this.ctx.cache.getTestSpecificationResult(file)?.duration ?? Number.POSITIVE_INFINITY;
    const group = (file: TestSpecification) => (file.project.config.isolate ? "" : file.project.name);
    return [...files].sort((a, b) => group(a).localeCompare(group(b)) || duration(b) - duration(a));
  }
}

export default defineConfig(async () => ({
  test: {
    sequence: { sequencer: LongestFirst },
    // A test file spends most of its time waiting on workerd (queues, alarms, timers), so two
    // files more than there are cores keep them busy (docs/decisions.md).
    maxWorkers: availableParallelism() + 2,
    projects: [
      {
        // Pure modules (the dashboard's, schemas, link rules, Markdown, timing) need no
        // runtime: in Node a file costs milliseconds instead of a runtime's module load. They
        // keep no state, so the files share their Node worker.
        test: { name: "unit", include: UNIT_TESTS, environment: "node", isolate: false },
      },
      // Objects and announcement sends check their queued work after 3 s instead of 15, so
      // that a test waiting for a send to be confirmed waits that long. Files share their
      // worker's runtime, one after another, which saves the two CPU-seconds a fresh runtime
      // costs; each starts from empty storage (test/setup.ts).
      await contest(
        { name: "judged", include: ["test/**/*.test.ts"], exclude: ["test/first-come/**", "test/faults/**", ...UNIT_TESTS], isolate: false },
        { OUTBOX_CONFIRM_SECONDS: "3" },
      ),
      // The fault-injection suite's deterministic part: Resend (stubbed inside the runtime)
      // as the provider, and objects that check their queued work after 2 s.
      await contest(
        { name: "faults", include: ["test/faults/**/*.test.ts"], testTimeout: 60_000 },
        { EMAIL_PROVIDER: "resend", RESEND_API_KEY: "re_fault_suite", OUTBOX_CONFIRM_SECONDS: "2" },
      ),
      // A second contest: first come, first served, with live-socket caps small enough for a
      // test to reach, and a pool of 100, small enough for a race of 250 entrants to overrun
      // it by half as much again (each racer costs a signup, a submission and their work).
      await contest(
        { name: "first-come", include: ["test/first-come/**/*.test.ts"], exclude: ["test/first-come/review/**"] },
        { AWARD_POLICY: "first_come", PRIZE_POOL: "100", LIVE_SOCKET_CAP: "5", LIVE_RELAYS: "2" },
      ),
      // First come with a review window: the objects read FIRST_COME_REVIEW_HOURS and
      // FIRST_COME_REQUIRE_LIVE from their own env, which a request's vars cannot reach, and
      // a window changes what every claim does. A small pool keeps the races quick; objects
      // check their queued work after two minutes, so that 200 racing entrants' jobs are
      // not sent again while this machine's queues are still working through them.
      await contest(
        { name: "review-window", include: ["test/first-come/review/**/*.test.ts"] },
        { AWARD_POLICY: "first_come", PRIZE_POOL: "50", FIRST_COME_REVIEW_HOURS: "24", FIRST_COME_REQUIRE_LIVE: "true", OUTBOX_CONFIRM_SECONDS: "120" },
      ),
    ],
  },
}));
