/**
 * What a run writes to bench/results/ (git-ignored): <name>.json with every number,
 * <name>.md with the tables, and the SVG plots the scenarios made.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { RESULTS, ROOT } from "./paths.mjs";

const require = createRequire(import.meta.url);

function version(pkg, from = require) {
  try {
    return JSON.parse(readFileSync(from.resolve(`${pkg}/package.json`), "utf8")).version;
  } catch {
    return "unknown";
  }
}

function git(args) {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function fileLimit() {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
  return Number(line?.split(/\s+/)[3]);
}

/** The machine, the versions and the code measured. */
export function environment(storage) {
  const fromWrangler = createRequire(require.resolve("wrangler"));
  const fromMiniflare = createRequire(fromWrangler.resolve("miniflare"));
  const dirty = git(["status", "--porcelain", "--", "src", "migrations", "wrangler.toml"]).split("\n").filter(Boolean);
  return {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      openFilesLimit: fileLimit(),
      storage,
    },
    versions: {
      node: process.versions.node,
      wrangler: version("wrangler"),
      miniflare: version("miniflare", fromWrangler),
      workerd: version("workerd", fromMiniflare),
      autocannon: version("autocannon"),
      ws: version("ws"),
    },
    code: {
      commit: git(["rev-parse", "--short", "HEAD"]),
      subject: git(["log", "-1", "--format=%s"]),
      uncommittedFiles: dirty.length,
    },
  };
}

const cell = (value) => (value === undefined || value === null || value === "" ? "–" : String(value).replace(/\|/g, "\\|"));

export function table(columns, rows) {
  return [`| ${columns.join(" | ")} |`, `| ${columns.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`)].join("\n");
}

export const SUMMARY_COLUMNS = ["#", "figure", "Swagbox", "ceiling (empty route)", "ratio", "seed design", "goal", "met"];

/** A report's title, machine, versions, code measured and length, then its failures if any. */
export function heading(title, { env, seconds, failures }) {
  const { machine, versions, code } = env;
  const lines = [`# ${title}, ${env.date.slice(0, 16).replace("T", " ")} UTC`, ""];
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, open files ${machine.openFilesLimit}; local storage on ${machine.storage}.`,
    `Versions: Node ${versions.node}, wrangler ${versions.wrangler}, miniflare ${versions.miniflare}, workerd ${versions.workerd}, autocannon ${versions.autocannon}, ws ${versions.ws}.`,
    `Code: ${code.commit} (${code.subject})${code.uncommittedFiles ? `, plus ${code.uncommittedFiles} uncommitted file(s) in src/, migrations/, wrangler.toml` : ""}.`,
    `Whole run: ${Math.round(seconds)} s.`,
    "",
  );
  if (failures.length) {
    lines.push("## FAILED", "", ...failures.map((f) => `- **${f.id}**: ${f.error}`), "");
  }
  return lines;
}

/** The Markdown of a run: environment, the headline table, then each scenario's details. */
export function markdown(run) {
  const { env, scenarios } = run;
  const { machine } = env;
  const lines = heading("Swagbox bench", run);
  lines.push("## Summary", "", table(SUMMARY_COLUMNS, scenarios.flatMap((s) => s.summary ?? [])), "");
  for (const s of scenarios) {
    lines.push(`## ${s.title}`, "");
    if (s.cpu?.seconds >= 1) lines.push(`CPU while it ran: ${s.cpu.busyCores} of ${machine.cores} cores busy, ${s.cpu.othersCores} of them other processes; ${s.cpu.seconds} s.`, "");
    for (const t of s.tables ?? []) lines.push(t.caption ? `${t.caption}` : "", "", table(t.columns, t.rows), "");
    if (s.checks?.length) lines.push("Checks:", "", ...s.checks.map((c) => `- ${c.ok ? "✅" : "❌"} ${c.what}: ${c.detail}`), "");
    if (s.notes?.length) lines.push(...s.notes.map((n) => `- ${n}`), "");
    for (const p of s.plots ?? []) lines.push(`![${p.title}](${p.file})`, "");
  }
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

/** Writes <name>.json, <name>.md (made by `render`) and the plots into bench/results/. */
export function writeResults(name, run, render = markdown) {
  mkdirSync(RESULTS, { recursive: true });
  for (const s of run.scenarios) for (const p of s.plots ?? []) writeFileSync(join(RESULTS, p.file), p.svg);
  const json = { ...run, scenarios: run.scenarios.map((s) => ({ ...s, plots: (s.plots ?? []).map(({ svg, ...rest }) => rest) })) };
  // Each load keeps every response's latency under `raw` for merging; the file keeps the summaries.
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(json, (key, value) => (key === "raw" ? undefined : value), 2)}\n`);
  writeFileSync(join(RESULTS, `${name}.md`), render(run));
  return { json: join(RESULTS, `${name}.json`), md: join(RESULTS, `${name}.md`) };
}
