/**
 * `npm run faults`: plays every fault of issue 11's table against a real local runtime (a
 * Resend-like stub that fails on demand, D1 that refuses chosen writes, the runtime killed
 * or stopped and restarted on its state), waits for the work of every answered request,
 * and checks that each got exactly one email and one index row. `npm run faults -- 429-10s
 * kill-signups` plays only those. Writes bench/results/faults.{json,md} (faults-<names>.*
 * for a subset); exits 1 if a scenario failed or broke an invariant.
 */
import { buildSwagbox, log, now, storageRoot } from "../lib/harness.mjs";
import { environment, writeResults } from "../lib/report.mjs";
import { brokenInvariants, openLab } from "./lab.mjs";
import { faultsMarkdown } from "./report.mjs";
import { SCENARIOS } from "./scenarios.mjs";

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length) {
  log(`unknown scenario(s) ${unknown.join(", ")}; there are: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const chosen = SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.name));

const started = Date.now();
const env = environment(storageRoot());
log("bundling Swagbox");
const build = buildSwagbox();

/** Plays one scenario in a lab of its own; `onSettling` as openLab. Never rejects. */
async function play(scenario, onSettling) {
  log(`=== ${scenario.name}: ${scenario.fault}`);
  const began = now();
  const base = { name: scenario.name, fault: scenario.fault, before: scenario.before };
  let lab;
  try {
    lab = await openLab(build, scenario.name, onSettling);
    const outcome = await scenario.run(lab);
    const broken = [...brokenInvariants(outcome.census), ...(outcome.checks ?? []).filter((c) => !c.ok).map((c) => c.what)];
    log(broken.length ? `INVARIANT BROKEN in ${scenario.name}: ${broken.join("; ")}` : `${scenario.name}: every invariant holds`);
    return { ...base, ...outcome, broken, seconds: (now() - began) / 1000 };
  } catch (error) {
    log(`FAILED ${scenario.name}: ${error.stack ?? error}`);
    return { ...base, error: String(error.message ?? error), broken: [String(error.message ?? error)], seconds: (now() - began) / 1000 };
  } finally {
    await lab?.close().catch((error) => log(`closing ${scenario.name}: ${error}`));
  }
}

// One fault at a time, but a scenario's wait for recovery overlaps the next ones' faults:
// the restarts wait out an email claim's 15-minute lease, so they go first.
const order = [...chosen.filter((s) => s.slow), ...chosen.filter((s) => !s.slow)];
const playing = [];
for (const scenario of order) {
  let faultOver;
  const settling = new Promise((resolve) => (faultOver = resolve));
  const result = play(scenario, faultOver);
  playing.push(result);
  await Promise.race([settling, result]);
}
const finished = await Promise.all(playing);
const results = chosen.map((scenario) => finished.find((r) => r.name === scenario.name));

const failures = results.filter((r) => r.broken.length).map((r) => ({ id: r.name, error: r.broken.join("; ") }));
const output = { env, seconds: (Date.now() - started) / 1000, scenarios: results, failures };
const files = writeResults(wanted.length ? `faults-${wanted.join("-")}` : "faults", output, faultsMarkdown);
log(`whole run ${Math.round(output.seconds)} s; wrote ${files.md} and ${files.json}`);
if (failures.length) {
  log(`FAULTS FAILED: ${failures.map((f) => `${f.id}: ${f.error}`).join(" | ")}`);
  process.exitCode = 1;
}
