/**
 * SQL that fills the judges' index with made-up entries (deterministic: the same seed gives
 * the same rows), for `wrangler d1 execute DB --local --file`. Rows go into `entries` only
 * (and `scores`); the migration's triggers fill the search table and the product filter.
 */
import { writeFileSync } from "node:fs";
import { PRODUCT_IDS } from "../../src/schemas/products.ts";

const FIRST = ["Ada", "Grace", "Alan", "Zoë", "José", "Ådne", "Chloé", "Mateus", "Aiko", "Priya", "Olu", "Ines", "Björn", "Noor", "Leïla", "Tomasz", "Sofía", "Kwame", "Mei", "Yusuf", "Hana", "Emil", "Farah", "Diego"];
const LAST = ["Lovelace", "Hopper", "Turing", "Okafor", "Núñez", "Nakamura", "Sharma", "Müller", "Kowalski", "Haddad", "Silva", "Andersen", "Dubois", "Mensah", "Chen", "Rossi", "García", "Ivanova", "Kim", "Osei"];
const WORDS = (
  "edge cache lantern quantum river orbit pixel garden signal harbor rocket canvas ember meadow cipher atlas beacon " +
  "compass delta falcon glacier horizon island jasmine kernel lattice mosaic nebula oasis prism quartz relay summit " +
  "tundra umbra vertex willow zephyr anchor bridge cobalt dune echo fable grove helix indigo juniper kite lotus " +
  "mantle nimbus onyx pebble quill ripple saffron thistle uplink velvet wander yarrow zenith amber breeze cinder " +
  "drift ether flint gossamer hollow ivory jetty kelp lumen marrow nectar opal plume quiver rune sable tallow " +
  "unity vapor wisp yonder zinc arbor bramble cove dapple eddy fjord gale hearth inlet jade knoll"
).split(" ");
const JUDGES = ["Judge Ada", "Judge Brook", "Judge Cruz"];
const COLUMNS = [
  "id", "version", "email", "firstname", "lastname", "status", "registered_at", "submitted_at", "amended_at", "submission_version",
  "title", "description", "repo_url", "demo_url", "products", "slot", "score", "scores_count",
];

/** mulberry32: a small deterministic PRNG. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quote = (value) => (value === null ? "NULL" : typeof value === "number" ? String(value) : `'${String(value).replace(/'/g, "''")}'`);

/** Multi-row INSERTs, each under D1's limit on the length of one statement (100 KB). */
function inserts(head, rows, maxBytes = 90_000) {
  const statements = [];
  let current = [];
  let size = head.length;
  for (const row of rows) {
    if (current.length && size + row.length + 2 > maxBytes) {
      statements.push(`${head}\n${current.join(",\n")};`);
      current = [];
      size = head.length;
    }
    current.push(row);
    size += row.length + 2;
  }
  if (current.length) statements.push(`${head}\n${current.join(",\n")};`);
  return statements;
}

/**
 * Writes the SQL for `count` entries to `file` (see seedStatements). Returns what it wrote,
 * for the report.
 */
export function writeSeed(file, options = {}) {
  const { statements, ...seeded } = seedStatements(options);
  writeFileSync(file, `${statements.join("\n")}\n`);
  return seeded;
}

/**
 * The SQL statements for `count` entries. About 70% have a submission, `winners` of those
 * are winners, and a third of the submitted are scored by three judges with different
 * habits (so z-scores differ from raw means). `ids` gives the entries' registrant ids
 * (made-up ones otherwise); `registry` also lists them in the registry of registrants, as
 * their objects would. Returns the statements and what they hold.
 */
export function seedStatements({ count = 100_000, winners = 300, seed = 42, ids = null, registry = false } = {}) {
  const rand = random(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const words = (n) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
  const start = Date.UTC(2027, 0, 1);
  const scores = [];
  const rows = [];
  let submitted = 0;
  let scored = 0;
  for (let i = 0; i < count; i++) {
    const id = ids ? ids[i] : (i.toString(16).padStart(8, "0") + "5eed").padEnd(64, "0");
    const first = pick(FIRST);
    const last = pick(LAST);
    const registered = start + Math.floor((i / count) * 30 * 86_400_000) + Math.floor(rand() * 60_000);
    const row = {
      id, version: 1, email: `${first.toLowerCase()}.${last.toLowerCase()}.${i}@example.com`, firstname: first, lastname: last,
      status: "registered", registered_at: registered, submitted_at: null, amended_at: null, submission_version: null,
      title: null, description: null, repo_url: null, demo_url: null, products: "[]", slot: null, score: null, scores_count: 0,
    };
    if (rand() < 0.7) {
      submitted++;
      const amended = rand() < 0.2;
      row.submitted_at = registered + Math.floor(rand() * 5 * 86_400_000);
      row.amended_at = amended ? row.submitted_at + 3_600_000 : null;
      row.submission_version = amended ? 2 : 1;
      row.title = `${words(3)}`.replace(/^./, (c) => c.toUpperCase());
      row.description = words(14);
      row.repo_url = `https://github.com/entrant${i}/${pick(WORDS)}`;
      row.demo_url = `https://${pick(WORDS)}-${i}.example.com/`;
      row.products = JSON.stringify([...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(PRODUCT_IDS)))]);
      if (submitted <= winners) {
        row.status = "winner";
        row.slot = submitted;
      } else {
        row.status = "submitted";
      }
      if (submitted % 3 === 0) {
        scored++;
        const base = rand();
        // Judge Ada marks high, Brook low, Cruz anywhere: z-scores and raw means disagree.
        const marks = [0.3 + base * 0.7, base * 0.6, base].map((mark, j) => {
          const weighted = Math.round(Math.min(1, Math.max(0, mark + (rand() - 0.5) * 0.2)) * 10_000) / 100;
          scores.push(`(${[id, JUDGES[j], "{}", weighted, "", row.submitted_at + 86_400_000].map(quote).join(", ")})`);
          return weighted;
        });
        row.score = Math.round((marks.reduce((a, b) => a + b, 0) / marks.length) * 100) / 100;
        row.scores_count = marks.length;
      }
    }
    rows.push(`(${COLUMNS.map((column) => quote(row[column])).join(", ")})`);
  }
  const statements = [
    ...inserts(`INSERT INTO entries (${COLUMNS.join(", ")}) VALUES`, rows),
    ...inserts("INSERT INTO scores (entry_id, judge, criteria, weighted, comment, updated_at) VALUES", scores),
    ...(registry ? ["INSERT OR IGNORE INTO registrants (id, registered_at) SELECT id, registered_at FROM entries;"] : []),
  ];
  return { statements, entries: count, submitted, winners: Math.min(winners, submitted), scored, scores: scores.length };
}
