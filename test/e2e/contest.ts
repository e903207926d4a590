/**
 * A whole contest for real-browser tests: `wrangler dev` on its own port and its own local
 * storage, started once per test file and stopped (with workerd) afterwards, and Chromium.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { chromium, type Browser } from "playwright-core";

const ROOT = join(import.meta.dirname, "..", "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

/** Polls `check` until it returns a value that is not undefined/false, or fails after `ms`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

export interface Contest {
  base: string;
  /** What wrangler dev printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Migrates fresh local storage and serves the development contest on `port`, with `vars` over its configuration. */
export async function startContest(port: number, vars: Record<string, string> = {}): Promise<Contest> {
  const base = `http://localhost:${port}`;
  const running = await fetch(`${base}/healthz`).then(() => true, () => false);
  assert.equal(running, false, `Something already answers on port ${port}; stop it first.`);
  const persistTo = mkdtempSync(join(tmpdir(), "swagbox-e2e-"));
  // Each migration is its own wrangler step, a few seconds each on a busy machine.
  const migrate = spawnSync("npm", ["run", "db:migrate", "--", "--persist-to", persistTo], { cwd: ROOT, encoding: "utf8", timeout: 90_000 });
  assert.equal(migrate.status, 0, `db:migrate failed:\n${migrate.stdout}\n${migrate.stderr}`);

  let output = "";
  const child: ChildProcess = spawn(
    WRANGLER,
    ["dev", "--env-file", "config/development.env", "--port", String(port), "--var", `PUBLIC_URL:${base}`, ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]), "--persist-to", persistTo, "--ip", "127.0.0.1"],
    { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const stop = async () => {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      // wrangler runs workerd as a child: end the whole process group started here.
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, name);
        } catch {}
      };
      signal("SIGTERM");
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      if (!stopped) signal("SIGKILL");
    }
    rmSync(persistTo, { recursive: true, force: true });
  };

  const state = await until("GET /healthz to answer ok", async () => {
    if (child.exitCode !== null) return "exited";
    return (await fetch(`${base}/healthz`)).ok && "ready";
  }, 30_000).catch((error: unknown) => String(error));
  if (state !== "ready") {
    await stop();
    assert.fail(`wrangler dev is not serving (${state}):\n${output}`);
  }
  return { base, log: () => output, stop };
}

/**
 * The test file's contest on `port`: started before its tests, stopped (with the browser)
 * after them.
 */
export function useContest(port: number, vars: Record<string, string> = {}): Pick<Contest, "base" | "log"> {
  let contest: Contest | undefined;
  before(async () => {
    contest = await startContest(port, vars);
  }, { timeout: 150_000 });
  after(async () => {
    await closeBrowser();
    await contest?.stop();
  });
  return { base: `http://localhost:${port}`, log: () => contest?.log() ?? "" };
}

let browser: Browser | undefined;

/** One headless Chromium per test file (Debian's, or CHROMIUM_PATH). */
export async function launchBrowser(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    timeout: 30_000,
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close().catch(() => {});
  browser = undefined;
}
