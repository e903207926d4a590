/**
 * The shared harness: starts the provider stub and the Workers as child processes, drives
 * HTTP load with autocannon from this process, and gives scenarios small helpers. Every
 * load is bounded by a request count or a duration, and goes to 127.0.0.1 only.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import autocannon from "autocannon";
import { ROOT, WRANGLER } from "./paths.mjs";

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const now = () => performance.timeOrigin + performance.now();

export function log(message) {
  const time = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[bench ${time}] ${message}\n`);
}

/** An invariant the bench checks: a broken one fails the whole run, loudly. */
export class InvariantError extends Error {
  name = "InvariantError";
}

export function check(condition, message) {
  if (!condition) throw new InvariantError(message);
}

/** Polls `probe` until it returns something other than undefined/false; throws after `ms`. */
export async function until(what, probe, ms = 60_000, every = 250) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Where local storage goes: tmpfs (/dev/shm) when the machine has it, so the figures measure
 * the runtime rather than this machine's disk (docs/benchmarks.md shows the difference).
 * BENCH_STORAGE=disk puts it under the OS temp directory instead.
 */
export function storageRoot(kind = process.env.BENCH_STORAGE ?? "tmpfs") {
  const root = kind === "tmpfs" && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = join(root, "swagbox-bench");
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function tempDir(prefix, kind) {
  return mkdtempSync(join(storageRoot(kind), `${prefix}-`));
}

/** Runs wrangler with Node 22 from node_modules; throws with its output when it fails. */
export function wrangler(args, { timeout = 120_000 } = {}) {
  const result = spawnSync(WRANGLER, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout,
    input: "",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`wrangler ${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout + result.stderr;
}

/**
 * Bundles Swagbox exactly as a deploy would (`wrangler deploy --dry-run --outdir`);
 * `minify: false` leaves it readable line by line (bench/profile).
 */
export function buildSwagbox(outdir = join(storageRoot(), "build"), { minify = true } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  const output = wrangler(["deploy", "--dry-run", "--outdir", outdir, ...(minify ? [] : ["--no-minify"])]);
  const modules = readdirSync(outdir).filter((name) => name.endsWith(".js") || name.endsWith(".html"));
  return { outdir, output, modules };
}

/** Applies the D1 migrations to a local database, as `npm run db:migrate` does. */
export function migrate(persistTo) {
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
}

/** Children this process started, stopped on exit whatever happens. */
const children = new Set();

/** Kills a child's whole process group at once (a crash: nothing gets to clean up). */
function killChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      resolve();
    }
  });
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      resolve();
    }, 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      // Each child leads its own process group (workerd runs under Miniflare's process).
      process.kill(-child.pid, "SIGTERM");
    } catch {
      resolve();
    }
  });
}

process.on("exit", () => {
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => process.exit(130));
}

/**
 * Starts a Node script (or any command) in its own process group and waits for the line
 * `ready <value>` on its stdout. Its output also goes to `logFile`-style buffer `output`.
 */
export async function startProcess(command, args, { name, env, timeout = 60_000 } = {}) {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  children.add(child);
  let output = "";
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeout} ms:\n${output.slice(-3000)}`)), timeout);
    const onData = (chunk) => {
      output += chunk;
      const match = /^ready (\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output.slice(-3000)}`));
    });
  });
  const value = await ready;
  child.removeAllListeners("exit");
  return {
    value,
    pid: child.pid,
    output: () => output,
    /** SIGTERM to the process group (SIGKILL after 5 s): the process shuts down cleanly. */
    async stop() {
      await stopChild(child);
      children.delete(child);
    },
    /** SIGKILL to the process group, the runtime (workerd) included: a crash. */
    async kill() {
      await killChild(child);
      children.delete(child);
    },
  };
}

/** The provider stub (bench/lib/provider-stub.mjs) in its own process. */
export async function startStub() {
  const proc = await startProcess(process.execPath, [join(ROOT, "bench", "lib", "provider-stub.mjs"), "0"], { name: "provider stub" });
  const port = Number(proc.value);
  const base = `http://127.0.0.1:${port}`;
  const get = async (path) => (await fetch(`${base}${path}`)).json();
  return {
    port,
    pid: proc.pid,
    stop: proc.stop,
    state: () => get("/__stub/state"),
    count: (to) => get(`/__stub/count?to=${encodeURIComponent(to)}`),
    recipients: (suffix) => get(`/__stub/recipients?suffix=${encodeURIComponent(suffix)}`),
    emails: (to) => get(`/__stub/emails?to=${encodeURIComponent(to)}`),
    /** Emails delivered per address and subject ([{to, subject, count}]), for addresses ending in suffix. */
    delivered: (suffix) => get(`/__stub/delivered?suffix=${encodeURIComponent(suffix)}`),
    async setDelay(ms) {
      await fetch(`${base}/__stub/delay?ms=${ms}`, { method: "POST" });
    },
    /** Sets a failure mode (bench/lib/provider-stub.mjs), e.g. {kind: "throttle", retryAfterS: 2, forMs: 10_000}. */
    async setMode(mode) {
      const response = await fetch(`${base}/__stub/mode`, { method: "POST", body: JSON.stringify(mode) });
      if (!response.ok) throw new Error(`stub mode ${JSON.stringify(mode)}: ${(await response.json()).message}`);
    },
    /** Waits until the stub has received `n` posts in all, and nothing more arrives for `quietMs`. */
    async drained(n, { timeout = 120_000, quietMs = 1_000 } = {}) {
      let last = -1;
      let since = Date.now();
      return until(`${n} emails at the provider stub`, async () => {
        const { posts } = await get("/__stub/state");
        if (posts !== last) {
          last = posts;
          since = Date.now();
        }
        return posts >= n && Date.now() - since >= quietMs ? posts : undefined;
      }, timeout, 200);
    },
  };
}

/** Development vars the bench layers on config/development.env for Swagbox. */
export function swagboxVars(port) {
  return {
    // The HTTP provider, pointed at the stub: production-like email, with a delay to set.
    EMAIL_PROVIDER: "resend",
    RESEND_API_KEY: "re_bench_stub",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
}

/**
 * Starts a Worker with bench/lib/server.mjs (Miniflare's API, no dev proxy).
 * worker: "swagbox" (needs buildDir), "baseline" or "floor". `control` (Swagbox) opens the
 * server's control port: `control(path, body)` then reaches D1, the queues and the objects'
 * outboxes through Miniflare (bench/lib/server.mjs).
 * Besides `stop()` (which deletes the storage), a Worker can crash (`kill()`: SIGKILL to
 * the server and workerd at once), stop cleanly (`halt()`: SIGTERM), and `restart()` on the
 * same port and storage; `pid` is then the new server's. `inspector` opens workerd's V8
 * inspector on a port of its own (`inspectorPort`), for bench/profile.
 */
export async function startWorker({ worker, stub, buildDir, persistTo, vars = {}, assets = true, control = false, inspector = false }) {
  const port = await freePort();
  persistTo ??= tempDir(worker);
  const options = {
    worker,
    port,
    persistTo,
    stubPort: stub.port,
    buildDir,
    vars: worker === "swagbox" ? { ...swagboxVars(port), ...vars } : vars,
    assets,
    controlPort: control ? await freePort() : undefined,
    inspectorPort: inspector ? await freePort() : undefined,
  };
  if (worker === "swagbox" && !existsSync(join(persistTo, "v3", "d1"))) migrate(persistTo);
  const url = `http://127.0.0.1:${port}`;
  let proc;
  const target = {
    worker,
    url,
    port,
    persistTo,
    inspectorPort: options.inspectorPort,
    pid: 0,
    output: () => proc.output(),
    async stop() {
      await proc.stop();
      // Thousands of objects' SQLite files: tmpfs is memory, so give it back.
      if (!process.env.BENCH_KEEP) rmSync(persistTo, { recursive: true, force: true });
    },
    kill: () => proc.kill(),
    halt: () => proc.stop(),
    restart: launch,
    async control(path, body) {
      const response = await fetch(`http://127.0.0.1:${options.controlPort}${path}`, { method: "POST", body: JSON.stringify(body) });
      const answer = await response.json();
      if (!response.ok) throw new Error(`control ${path}: ${answer.error}`);
      return answer;
    },
  };
  async function launch() {
    proc = await startProcess(process.execPath, [join(ROOT, "bench", "lib", "server.mjs"), JSON.stringify(options)], {
      name: `${worker} server`,
    });
    target.pid = proc.pid;
    await until(`${worker} /healthz`, async () => (await fetch(`${url}/healthz`)).ok, 30_000);
  }
  await launch();
  return target;
}

/**
 * Starts Swagbox under `wrangler dev` (the proxy and all), for the runtime comparison.
 * Uses the development config as `npm start` does, with its own state directory.
 */
export async function startWranglerDev({ persistTo }) {
  const port = await freePort();
  migrate(persistTo);
  const args = [
    "dev",
    "--env-file", "config/development.env",
    "--port", String(port),
    "--ip", "127.0.0.1",
    "--var", `PUBLIC_URL:http://127.0.0.1:${port}`,
    "--persist-to", persistTo,
    "--inspector-port", String(await freePort()),
    "--show-interactive-dev-session=false",
    "--log-level", "warn",
  ];
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  children.add(child);
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  try {
    await until("wrangler dev /healthz", async () => (await fetch(`${url}/healthz`)).ok, 60_000, 500);
  } catch (error) {
    await stopChild(child);
    throw new Error(`${error.message}\n${output.slice(-3000)}`);
  }
  return {
    url,
    port,
    output: () => output,
    async stop() {
      await stopChild(child);
      children.delete(child);
      if (!process.env.BENCH_KEEP) rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

/** A signup form body, as the landing page's form posts it. */
export function signupBody(email, firstname = "Ada", lastname = "Lovelace") {
  return new URLSearchParams({ firstname, lastname, email, accept_rules: "on" }).toString();
}

export const FORM = "application/x-www-form-urlencoded";
export const ORGANISER = { authorization: "Bearer dev-organiser-token", accept: "application/json" };

/**
 * The prizes left, exactly, as the PrizeCounter says them (through the organisers' stats):
 * GET /api/prizes may answer from the location's cache, up to 2 s old.
 */
export async function exactRemaining(url) {
  const response = await fetch(`${url}/admin/api/stats`, { headers: ORGANISER });
  check(response.ok, `GET /admin/api/stats answered ${response.status}`);
  return (await response.json()).prizes.remaining;
}

/**
 * Runs autocannon against `url` and summarises: requests completed, throughput (req/s),
 * latency percentiles (ms, from every response's own time) and status codes. `request(i)`
 * may give each request its own method, path, headers and body. Bounded by `amount`
 * requests or `duration` seconds.
 */
export async function load({ url, path = "/", method = "GET", headers = {}, body, request, connections = 10, duration, amount, timeout = 60 }) {
  let i = 0;
  const base = { method, path, headers, body };
  const latencies = [];
  const run = autocannon({
    url,
    connections,
    ...(amount ? { amount } : { duration }),
    timeout,
    requests: [request ? { ...base, setupRequest: (req) => ({ ...req, ...base, ...request(i++) }) } : base],
  });
  run.on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await run;
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
  return summarise([{ latencies, statuses, sent: result.requests.sent, seconds: result.duration, errors: result.errors, timeouts: result.timeouts }], connections);
}

/**
 * One summary of several runs of the same load (slices interleaved with another load, so
 * that a slow drift of the machine touches both alike).
 */
export function combine(runs) {
  return summarise(runs.map((r) => r.raw), runs[0].connections);
}

function summarise(raws, connections) {
  const latencies = raws.flatMap((r) => r.latencies);
  const statuses = {};
  for (const r of raws) for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  const completed = Object.values(statuses).reduce((a, b) => a + b, 0);
  const seconds = raws.reduce((a, r) => a + r.seconds, 0);
  const p = latencies.length ? percentiles(latencies, [50, 99]) : { p50: null, p99: null, max: null };
  return {
    connections,
    requests: completed,
    // Sent includes requests still in flight when a timed run stopped; the server may have handled them.
    sent: raws.reduce((a, r) => a + r.sent, 0),
    seconds,
    throughput: completed / seconds,
    p50: round(p.p50, 1),
    p99: round(p.p99, 1),
    max: round(p.max, 1),
    statuses,
    errors: raws.reduce((a, r) => a + r.errors, 0),
    timeouts: raws.reduce((a, r) => a + r.timeouts, 0),
    raw: { latencies, statuses, sent: raws.reduce((a, r) => a + r.sent, 0), seconds, errors: raws.reduce((a, r) => a + r.errors, 0), timeouts: raws.reduce((a, r) => a + r.timeouts, 0) },
  };
}

/**
 * `count` requests truly at once: `count` connections are opened and kept alive first (one
 * GET /healthz each), then every request is written in the same tick. Connection set-up is
 * thus not part of the race, nor of the latency. Returns statuses and latency percentiles (ms).
 */
export async function burst({ url, path, method = "GET", headers = {}, body, count }) {
  const agent = new Agent({ keepAlive: true, maxSockets: count, maxFreeSockets: count, timeout: 120_000 });
  const send = (options, payload) =>
    new Promise((resolve, reject) => {
      const started = now();
      const req = httpRequest(`${url}${options.path}`, { agent, method: options.method, headers: options.headers }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode, ms: now() - started }));
      });
      req.on("error", reject);
      req.end(payload);
    });
  try {
    await Promise.all(Array.from({ length: count }, () => send({ path: "/healthz", method: "GET", headers: {} })));
    const open = Object.values(agent.freeSockets).reduce((a, list) => a + list.length, 0);
    check(open === count, `burst: ${open} of ${count} connections stayed open`);
    const started = now();
    const results = await Promise.all(Array.from({ length: count }, () => send({ path, method, headers }, body)));
    const statuses = {};
    for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    return { requests: results.length, seconds: (now() - started) / 1000, statuses, ...percentiles(results.map((r) => r.ms), [50, 99]) };
  } finally {
    agent.destroy();
  }
}

/** The ceiling: the same Worker's empty route (GET /healthz, no I/O) under the same load shape. */
export function ceiling(url, { connections, duration }) {
  return load({ url, path: "/healthz", connections, duration });
}

/** Runs `task(i)` for i in 0..n-1 with at most `concurrency` in flight. */
export async function pool(n, concurrency, task) {
  const results = new Array(n);
  let next = 0;
  async function lane() {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return results;
}

/** Percentiles (nearest rank) of a list of numbers. */
export function percentiles(values, ps = [50, 99]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return Object.fromEntries([...ps.map((p) => [`p${p}`, at(p)]), ["max", sorted.at(-1)], ["min", sorted[0]]]);
}

export const round = (value, digits = 0) => (value === null || value === undefined ? value : Number(value.toFixed(digits)));

/** Counts of statuses, e.g. {202: 1000}, checked to hold only `allowed` codes. */
export function checkStatuses(what, statuses, allowed) {
  const unexpected = Object.entries(statuses).filter(([code]) => !allowed.includes(Number(code)));
  check(unexpected.length === 0, `${what}: unexpected statuses ${JSON.stringify(Object.fromEntries(unexpected))}`);
}

/** The runtime (workerd) a server process started: its child named workerd. */
function workerdPid(serverPid) {
  const found = readdirSync("/proc").find((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      return stat.includes("(workerd)") && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === serverPid;
    } catch {
      return false;
    }
  });
  return found ? Number(found) : null;
}

/**
 * Open file descriptors of the runtime (workerd, a child of the server process) and its
 * limit: each WebSocket client costs workerd two.
 */
export function runtimeDescriptors(serverPid) {
  const workerd = workerdPid(serverPid);
  if (!workerd) return null;
  const limits = readFileSync(`/proc/${workerd}/limits`, "utf8").split("\n").find((l) => l.startsWith("Max open files"));
  return { pid: workerd, open: readdirSync(`/proc/${workerd}/fd`).length, limit: Number(limits.split(/\s+/)[3]) };
}

/**
 * CPU milliseconds the runtime has used so far (user + system, every thread): read it
 * before and after some requests and their background work to get what they cost.
 */
export function runtimeCpuMs(serverPid) {
  const workerd = workerdPid(serverPid);
  if (!workerd) throw new Error(`no workerd under process ${serverPid}`);
  const stat = readFileSync(`/proc/${workerd}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ
}

/**
 * How long after a signup its Registrant has surely checked the work it handed to the
 * queue: twice OUTBOX_CONFIRM_SECONDS of config/development.env (the first check is due
 * between once and twice that after the change), and a margin.
 */
export const OUTBOX_CHECKED_MS =
  2 * Number(parseEnv(readFileSync(join(ROOT, "config", "development.env"), "utf8")).OUTBOX_CONFIRM_SECONDS) * 1000 + 3000;

/** The runtime's CPU milliseconds a second while nothing is asked of it, over `seconds`. */
export async function idleRuntimeCpu(serverPid, seconds = 5) {
  const before = runtimeCpuMs(serverPid);
  await sleep(seconds * 1000);
  return (runtimeCpuMs(serverPid) - before) / seconds;
}

/** Busy CPU seconds of the whole machine, from /proc/stat. */
function machineBusy() {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ
}

/** CPU seconds so far of this process and each of its descendants, by pid. */
function ourProcesses() {
  const parents = new Map();
  const cpu = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
      cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {}
  }
  const ours = new Map([[process.pid, cpu.get(process.pid) ?? 0]]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!ours.has(pid) && ours.has(parent)) {
        ours.set(pid, cpu.get(pid) ?? 0);
        grew = true;
      }
    }
  }
  return ours;
}

/**
 * Measures how busy the machine is while a scenario runs, and how much of that is other
 * processes (other engineers' tests share these cores). Our processes are sampled every
 * second, so one that ends between samples loses at most its last second: `othersCores`
 * is a slight overestimate.
 */
export function cpuMeter() {
  const startedAt = Date.now();
  const busyAtStart = machineBusy();
  const initial = ourProcesses();
  const last = new Map(initial);
  const sample = () => {
    for (const [pid, cpu] of ourProcesses()) last.set(pid, cpu);
  };
  const timer = setInterval(sample, 1_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (Date.now() - startedAt) / 1000;
      const busy = machineBusy() - busyAtStart;
      let ours = 0;
      for (const [pid, cpu] of last) ours += cpu - (initial.get(pid) ?? 0);
      return {
        seconds: round(seconds, 1),
        busyCores: round(busy / seconds, 2),
        othersCores: round(Math.max(0, busy - ours) / seconds, 2),
      };
    },
  };
}
