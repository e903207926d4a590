/**
 * Checks that src/ depends downwards only: each folder may import its own layer and the
 * layers below it, never above, and no chain of imports comes back to where it started.
 * Run by `npm run typecheck`; prints every violation and exits 1 if there is one.
 *
 *   node scripts/check-layers.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dirname, "..", "src");

/**
 * Lowest first. A module's layer is that of the longest entry its path starts with: its
 * folder's, or its own where a file of a folder serves lower layers (an error's vocabulary).
 */
const LAYERS: string[][] = [
  ["schemas", "secrets.ts", "html.ts", "markdown.ts", "markdown-inline.ts", "prizes", "links", "http/errors.ts", "http/client-key.ts"],
  ["config.ts", "messages"],
  ["store"],
  ["env.ts", "objects"],
  ["http", "pages", "email", "checks", "judges", "tasks", "announcements", "retention.ts"],
  ["queues", "routes"],
  ["index.ts"],
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

function layerOf(file: string): number {
  const path = relative(SRC, file);
  const matches = LAYERS.flatMap((names, layer) =>
    names.filter((name) => path === name || path.startsWith(`${name}/`)).map((name) => ({ name, layer })),
  );
  const longest = matches.sort((a, b) => b.name.length - a.name.length)[0];
  if (!longest) throw new Error(`${path} is in no layer: add its folder to LAYERS in scripts/check-layers.ts`);
  return longest.layer;
}

/** The src/ files a file imports (type-only imports count too: they are dependencies of the design). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const targets = [...text.matchAll(/(?:import|export)[^'";]*?from\s+["'](\.[^"']+)["']/g)].map((match) => match[1]!);
  return targets.map((target) => {
    const base = resolve(dirname(file), target);
    for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
      try {
        readFileSync(candidate);
        return candidate;
      } catch {
        // not this one
      }
    }
    return base; // a text module (.html) or a generated declaration
  }).filter((path) => path.endsWith(".ts"));
}

const graph = new Map(files(SRC).map((file) => [file, importsOf(file)]));
const problems: string[] = [];

for (const [file, targets] of graph) {
  for (const target of targets) {
    if (layerOf(target) > layerOf(file)) problems.push(`${relative(SRC, file)} imports ${relative(SRC, target)}, a layer above it`);
  }
}

// Cycles: a depth-first walk that meets a file it is still inside.
const state = new Map<string, "visiting" | "done">();
function walk(file: string, path: string[]): void {
  if (state.get(file) === "done") return;
  if (state.get(file) === "visiting") {
    const cycle = path.slice(path.indexOf(file));
    problems.push(`a cycle: ${[...cycle, file].map((f) => relative(SRC, f)).join(" → ")}`);
    return;
  }
  state.set(file, "visiting");
  for (const target of graph.get(file) ?? []) walk(target, [...path, file]);
  state.set(file, "done");
}
for (const file of graph.keys()) walk(file, []);

if (problems.length > 0) {
  console.error(`src/ depends upwards or in circles:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(`src/ depends downwards only: ${graph.size} modules, no cycle.`);
