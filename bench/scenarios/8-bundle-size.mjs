/**
 * 8. Worker bundle size: what `wrangler deploy --dry-run --outdir` builds (the script and
 * the HTML text modules), gzip-compressed, next to wrangler's own "Total Upload" figure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { check, round } from "../lib/harness.mjs";
import { standalone } from "../lib/scenario.mjs";

const GOAL_KB = 150;

const scenario = {
  id: "8-bundle-size",
  title: "8. Worker bundle size",
  uses: [],
  async run({ build }) {
    const modules = build.modules.map((name) => {
      const bytes = readFileSync(join(build.outdir, name));
      return { name: name.replace(/^[0-9a-f]{40}-/, ""), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
    const raw = modules.reduce((a, m) => a + m.raw, 0);
    const gzip = modules.reduce((a, m) => a + m.gzip, 0);
    const reported = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(build.output);
    check(reported, "wrangler's dry run did not report its upload size");
    const [wranglerRaw, wranglerGzip] = [Number(reported[1]), Number(reported[2])];
    const kib = (bytes) => round(bytes / 1024, 1);
    modules.sort((a, b) => b.gzip - a.gzip);
    return {
      summary: [["8", "Worker bundle, KiB gzip (wrangler's figure)", wranglerGzip, "–", "–", "–", `≤ ${GOAL_KB}`, wranglerGzip <= GOAL_KB ? "yes" : "no"]],
      tables: [
        {
          caption: `wrangler deploy --dry-run: Total Upload ${wranglerRaw} KiB, gzip ${wranglerGzip} KiB. Each module gzipped on its own (level 9), largest first:`,
          columns: ["module", "raw KiB", "gzip KiB"],
          rows: [...modules.map((m) => [m.name, kib(m.raw), kib(m.gzip)]), ["all modules", kib(raw), kib(gzip)]],
        },
      ],
      checks: [],
      notes: ["Static assets in public/ (the dashboard's scripts and stylesheet, the judges' OpenAPI document, favicon, robots.txt) are uploaded separately and are not part of the Worker."],
      data: { wranglerRaw, wranglerGzip, modules, raw, gzip },
    };
  },
};

export default scenario;
await standalone(import.meta.url, scenario);
