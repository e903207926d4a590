/**
 * Where a new signup's runtime CPU goes: Swagbox as the bench runs it (bench/lib/server.mjs,
 * the provider stub), `PROFILE_SIGNUPS` (3000) new signups at concurrency 10, three times:
 * once undisturbed, once with V8's sampling profiler in Swagbox's isolate, once with it in
 * the isolates of Miniflare's local simulators (D1, KV, queues, the assets router). Each
 * time workerd's CPU (user + system, every thread) is read once every email is at the
 * stub, and again once the Registrants' outboxes have had their first check of it (the
 * alarm OUTBOX_CONFIRM_SECONDS to twice that after each signup), less what the runtime
 * uses idle over that wait. Prints, per signup, that CPU, each isolate's JavaScript time,
 * and Swagbox's time by entry, function, file (and line); writes every number to
 * bench/results/profile-signups.json.
 *
 *   node bench/profile/signups.mjs
 *   PROFILE_MINIFY=false PROFILE_INTERVAL_US=250 node bench/profile/signups.mjs
 *
 * A profiler interrupts the thread every isolate shares, so a profiled pass costs more CPU
 * than an undisturbed one: read its times as shares of the profiled pass. It sees native
 * work only where JavaScript called it (SQLite's `exec`), not the runtime's own (HTTP,
 * RPC, a new object's database file).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSwagbox, checkStatuses, FORM, idleRuntimeCpu, load, log, now, OUTBOX_CHECKED_MS, round, runtimeCpuMs, signupBody, sleep, startStub, startWorker, tempDir, until,
} from "../lib/harness.mjs";
import { RESULTS } from "../lib/paths.mjs";
import { sourceMapper, startProfiling, summarise, top } from "./cpu-profile.mjs";

const SIGNUPS = Number(process.env.PROFILE_SIGNUPS ?? 3000);
/** PROFILE_MINIFY=false profiles the bundle unminified, so that time can be read by line. */
const MINIFY = process.env.PROFILE_MINIFY !== "false";
const INTERVAL_US = Number(process.env.PROFILE_INTERVAL_US ?? 500);
const CONNECTIONS = 10;
const SWAGBOX = "core:user:swagbox";
const SIMULATORS = ["d1:db", "kv:ns", "queues:queue", "assets:router:swagbox", "assets:rpc-proxy:swagbox", "core:entry"];

const JSON_FORM = { accept: "application/json", "content-type": FORM };

const build = buildSwagbox(tempDir("profile-build"), { minify: MINIFY });
const stub = await startStub();
const swagbox = await startWorker({ worker: "swagbox", stub, buildDir: build.outdir, inspector: true });
const cpu = () => runtimeCpuMs(swagbox.pid);

/** `amount` new signups; workerd's CPU per signup once their emails are out, and once their outboxes were checked. */
async function storm(name, amount, idleMsPerS = 0) {
  const domain = `${name}.profile.bench`;
  const started = cpu();
  const result = await load({
    url: swagbox.url, method: "POST", path: "/signup", headers: JSON_FORM, connections: CONNECTIONS, amount,
    request: (i) => ({ body: signupBody(`u${i}@${domain}`) }),
  });
  const answered = now();
  checkStatuses(`signups @${domain}`, result.statuses, [202]);
  await until(`emails for @${domain}`, async () => (await stub.recipients(`@${domain}`)).recipients >= result.requests, 180_000, 100);
  const emailed = cpu();
  const emailedAt = now();
  const waitMs = answered + OUTBOX_CHECKED_MS - now();
  // What the runtime does each second of the wait: the email consumer's last writes, the
  // objects' eviction (10 s after their last request) and their alarms.
  const timeline = [];
  for (let last = emailed, s = 1; now() < answered + OUTBOX_CHECKED_MS; s++) {
    await sleep(Math.min(1000, answered + OUTBOX_CHECKED_MS - now()));
    const at = cpu();
    timeline.push([round((now() - answered) / 1000), round((at - last - idleMsPerS) / result.requests, 3)]);
    last = at;
  }
  const confirmed = cpu() - (idleMsPerS * waitMs) / 1000;
  return {
    requests: result.requests, emailedAt, emailedMs: (emailed - started) / result.requests, confirmedMs: (confirmed - started) / result.requests, timeline,
  };
}

try {
  log("warming up: 300 signups");
  await storm("warm", 300);
  const idleMsPerS = await idleRuntimeCpu(swagbox.pid, 10);
  log(`idle: ${round(idleMsPerS, 2)} ms of workerd CPU a second`);

  const plain = await storm("plain", SIGNUPS, idleMsPerS);
  log(`${plain.requests} signups without the profiler: ${round(plain.emailedMs, 2)} ms of workerd CPU each once emailed, ${round(plain.confirmedMs, 2)} once confirmed`);
  log(`after the emails, each second (s after the last answer: ms per signup): ${plain.timeline.map(([t, ms]) => `${t}: ${ms}`).join(", ")}`);

  const pass = async (name, targets) => {
    const profiling = await startProfiling(swagbox.inspectorPort, targets, { intervalUs: INTERVAL_US });
    const startedAt = now();
    const result = await storm(name, SIGNUPS, idleMsPerS);
    const profiles = await profiling.stop();
    // The profile's samples until every email was out, and after (the outboxes' checks).
    result.emailedAfterMs = result.emailedAt - startedAt;
    log(`${result.requests} signups, ${targets.join(", ")} profiled: ${round(result.confirmedMs, 2)} ms of workerd CPU each once confirmed`);
    return { ...result, profiles };
  };
  const ourPass = await pass("swagbox", [SWAGBOX]);
  const simulatorPass = await pass("simulators", SIMULATORS);

  const perSignup = (ms, n = ourPass.requests) => round(ms / n, 3);
  const map = sourceMapper(join(build.outdir, "index.js"));
  const ours = summarise(ourPass.profiles[SWAGBOX], map);
  const phases = {
    untilEmailed: summarise(ourPass.profiles[SWAGBOX], map, { toMs: ourPass.emailedAfterMs }),
    afterEmailed: summarise(ourPass.profiles[SWAGBOX], map, { fromMs: ourPass.emailedAfterMs }),
  };
  const simulators = Object.fromEntries(SIMULATORS.map((t) => [t, summarise(simulatorPass.profiles[t])]));
  const simulatorPhases = Object.fromEntries(
    SIMULATORS.map((t) => [
      t,
      {
        untilEmailed: perSignup(summarise(simulatorPass.profiles[t], undefined, { toMs: simulatorPass.emailedAfterMs }).busyMs, simulatorPass.requests),
        afterEmailed: perSignup(summarise(simulatorPass.profiles[t], undefined, { fromMs: simulatorPass.emailedAfterMs }).busyMs, simulatorPass.requests),
      },
    ]),
  );
  const isolates = [[SWAGBOX, perSignup(ours.busyMs)], ...SIMULATORS.map((t) => [t, perSignup(simulators[t].busyMs, simulatorPass.requests)])];
  const rows = (table, k, n) => top(table, k).map(([key, ms]) => [key, perSignup(ms, n)]);
  const report = {
    signups: ourPass.requests,
    connections: CONNECTIONS,
    intervalUs: INTERVAL_US,
    minified: MINIFY,
    idleWorkerdCpuMsPerS: round(idleMsPerS, 3),
    afterEmailsTimeline: plain.timeline,
    workerdCpuMsPerSignup: Object.fromEntries(
      [["withoutProfiler", plain], ["swagboxProfiled", ourPass], ["simulatorsProfiled", simulatorPass]].map(([k, r]) => [k, { emailed: round(r.emailedMs, 3), confirmed: round(r.confirmedMs, 3) }]),
    ),
    isolateJsMsPerSignup: Object.fromEntries(isolates),
    swagbox: {
      byEntry: rows(ours.byEntry, 40),
      phases: Object.fromEntries(Object.entries(phases).map(([k, p]) => [k, { busy: perSignup(p.busyMs), byEntry: rows(p.byEntry, 30), totalByFunction: rows(p.total, 40) }])),
      selfByFunction: rows(ours.self, 60),
      totalByFunction: rows(ours.total, 80),
      selfByFile: rows(ours.byFile, 40),
      ...(MINIFY ? {} : { selfByLine: rows(ours.byLine, 80) }),
    },
    simulators: Object.fromEntries(SIMULATORS.map((t) => [t, rows(simulators[t].self, 12, simulatorPass.requests)])),
    simulatorPhases,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "profile-signups.json"), `${JSON.stringify(report, null, 2)}\n`);
  const print = (title, list) => process.stdout.write(`\n## ${title} (ms per signup)\n${list.map(([k, ms]) => `${String(ms).padStart(8)}  ${k}`).join("\n")}\n`);
  process.stdout.write(`workerd CPU per signup (emails out / outboxes checked): ${JSON.stringify(report.workerdCpuMsPerSignup)}\n`);
  print("JavaScript time by isolate", isolates);
  print("Simulators' JavaScript time until the emails were out / after", Object.entries(simulatorPhases).map(([t, p]) => [t, `${p.untilEmailed} / ${p.afterEmailed}`]));
  print("Swagbox time by entry", report.swagbox.byEntry.slice(0, 25));
  for (const [k, p] of Object.entries(report.swagbox.phases)) {
    print(`Swagbox ${k}: ${p.busy} ms in all; by entry`, p.byEntry.slice(0, 15));
    print(`Swagbox ${k}: total by function`, p.totalByFunction.slice(0, 25));
  }
  print("Swagbox self time by file", report.swagbox.selfByFile.slice(0, 25));
  print("Swagbox self time by function", report.swagbox.selfByFunction.slice(0, 40));
  print("Swagbox total time by function", report.swagbox.totalByFunction.slice(0, 50));
  if (!MINIFY) print("Swagbox self time by line", report.swagbox.selfByLine.slice(0, 40));
  for (const [t, list] of Object.entries(report.simulators)) print(`${t} self time`, list.slice(0, 6));
  log(`wrote ${join(RESULTS, "profile-signups.json")}`);
} finally {
  await swagbox.stop();
  await stub.stop();
  rmSync(build.outdir, { recursive: true, force: true });
}
