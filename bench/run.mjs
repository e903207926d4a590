/**
 * `npm run bench`: every scenario in one run, so that each figure can be read against the
 * same run's ceiling. `npm run bench -- 1 4` runs only scenarios 1 and 4.
 * Writes bench/results/latest.{json,md} (latest-1-4.* for a partial run) and the SVG plots;
 * exits 1 if any scenario failed or broke an invariant.
 */
import { buildSwagbox, log, startStub, storageRoot } from "./lib/harness.mjs";
import { environment, markdown, writeResults } from "./lib/report.mjs";
import { openBench, runScenario } from "./lib/scenario.mjs";
import runtime from "./scenarios/0-runtime.mjs";
import signupStorm from "./scenarios/1-signup-storm.mjs";
import duplicateStorm from "./scenarios/2-duplicate-storm.mjs";
import slowProvider from "./scenarios/3-slow-provider.mjs";
import awardStorm from "./scenarios/4-award-storm.mjs";
import liveFanout from "./scenarios/5-live-fanout.mjs";
import landingPage from "./scenarios/6-landing-page.mjs";
import adminList from "./scenarios/7-admin-list.mjs";
import bundleSize from "./scenarios/8-bundle-size.mjs";
import backgroundTasks from "./scenarios/9-background-tasks.mjs";
import linkChecks from "./scenarios/10-link-checks.mjs";
import evenTiming from "./scenarios/11-even-timing.mjs";

const wanted = process.argv.slice(2);
const chosen = (scenario) => wanted.length === 0 || wanted.includes(scenario.id.split("-")[0]);

const started = Date.now();
const storage = storageRoot();
const env = environment(storage);
log(`bundling Swagbox`);
const build = buildSwagbox();
const stub = await startStub();
const results = [];
const run = async (scenario, bench) => {
  if (chosen(scenario)) results.push(await runScenario(scenario, bench));
};

try {
  const alone = { build, stub, storage };
  await run(runtime, alone);

  // Scenarios 1–4 and 6 share one Swagbox (and 1–3 the seed's design), in the order a
  // launch goes; the landing page then shows the count the award storm left.
  const withSeed = [signupStorm, duplicateStorm, slowProvider].filter(chosen);
  const swagboxOnly = [awardStorm, landingPage].filter(chosen);
  if (withSeed.length || swagboxOnly.length) {
    const bench = await openBench(withSeed.length ? ["swagbox", "baseline"] : ["swagbox"], { build, stub, storage });
    try {
      for (const scenario of withSeed) await run(scenario, bench);
      await bench.baseline?.stop();
      bench.baseline = undefined;
      for (const scenario of swagboxOnly) await run(scenario, bench);
    } finally {
      await bench.swagbox.stop();
    }
  }

  // These start a Swagbox of their own: the fan-out needs the runtime's file descriptors,
  // the admin list and the background tasks a seeded index.
  await run(liveFanout, alone);
  await run(adminList, alone);
  await run(bundleSize, alone);
  await run(backgroundTasks, alone);
  await run(linkChecks, alone);
  await run(evenTiming, alone);
} finally {
  await stub.stop();
}

results.sort((a, b) => parseInt(a.id, 10) - parseInt(b.id, 10));
const failures = results.filter((r) => r.error).map((r) => ({ id: r.id, error: r.error }));
const output = { env, seconds: (Date.now() - started) / 1000, scenarios: results, failures };
// A partial run does not replace the last full one.
const files = writeResults(wanted.length ? `latest-${wanted.join("-")}` : "latest", output);
process.stdout.write(markdown(output).split("## ").slice(0, 3).join("## "));
log(`whole run ${Math.round(output.seconds)} s; wrote ${files.md} and ${files.json}`);
if (failures.length) {
  log(`BENCH FAILED: ${failures.map((f) => `${f.id}: ${f.error}`).join(" | ")}`);
  process.exitCode = 1;
}
