/**
 * What every scenario shares: opening the bench (bundle, provider stub, the Workers),
 * running one scenario with its CPU accounting, and running a scenario file on its own.
 *
 * A scenario module's default export: { id, title, uses: ["swagbox", "baseline"], run(bench) }
 * where run returns { summary, tables, checks, notes, plots, data } (see report.mjs) and
 * throws InvariantError when an invariant breaks.
 */
import { fileURLToPath } from "node:url";
import { buildSwagbox, cpuMeter, InvariantError, log, startStub, startWorker, storageRoot } from "./harness.mjs";
import { environment, writeResults } from "./report.mjs";

/** Bundles Swagbox and starts the stub plus the Workers `uses` names ("swagbox", "baseline"). */
export async function openBench(uses = ["swagbox", "baseline"], shared = {}) {
  const build = shared.build ?? buildSwagbox();
  const stub = shared.stub ?? (await startStub());
  const bench = { build, stub, storage: shared.storage ?? storageRoot() };
  for (const worker of uses) {
    if (worker !== "swagbox" && worker !== "baseline") continue;
    log(`starting ${worker}`);
    bench[worker] = await startWorker({ worker, stub, buildDir: build.outdir });
  }
  bench.close = async () => {
    for (const worker of uses) await bench[worker]?.stop();
    if (!shared.stub) await stub.stop();
  };
  return bench;
}

/** Runs one scenario; a failure is returned as { error }, with invariant failures marked. */
export async function runScenario(scenario, bench) {
  log(`=== ${scenario.title}`);
  const meter = cpuMeter();
  try {
    const result = await scenario.run(bench);
    return { id: scenario.id, title: scenario.title, ...result, cpu: meter.stop() };
  } catch (error) {
    const invariant = error instanceof InvariantError;
    log(`${invariant ? "INVARIANT BROKEN" : "FAILED"} in ${scenario.id}: ${error.stack ?? error}`);
    return {
      id: scenario.id,
      title: scenario.title,
      error: `${invariant ? "invariant broken: " : ""}${error.message}`,
      invariant,
      cpu: meter.stop(),
    };
  }
}

/** Lets `node bench/scenarios/<file>.mjs` run that scenario alone and write bench/results/<id>.*. */
export async function standalone(moduleUrl, scenario) {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const started = Date.now();
  const bench = await openBench(scenario.uses ?? []);
  let result;
  try {
    result = await runScenario(scenario, bench);
  } finally {
    await bench.close();
  }
  const failures = result.error ? [{ id: result.id, error: result.error }] : [];
  const files = writeResults(scenario.id, {
    env: environment(bench.storage),
    seconds: (Date.now() - started) / 1000,
    scenarios: [result],
    failures,
  });
  log(`wrote ${files.md}`);
  if (failures.length) {
    log(`FAILED: ${failures.map((f) => f.error).join("; ")}`);
    process.exitCode = 1;
  }
}
