// Verifies a Swagbox deployment's public award log from its first event to its head.
// Usage: npm run verify-log -- https://challenge.example.com
import { verifyAwardLog, type HashedAwardEvent } from "../src/prizes/award-log.ts";

const base = process.argv[2]?.replace(/\/+$/, "");
if (!base) {
  console.error("usage: npm run verify-log -- <public URL of the contest>");
  process.exit(2);
}

const events: HashedAwardEvent[] = [];
let after = 0;
let head = "";
for (;;) {
  const response = await fetch(`${base}/api/prizes/log?after=${after}&limit=1000`);
  if (!response.ok) throw new Error(`GET /api/prizes/log answered ${response.status}`);
  const page = (await response.json()) as { events: HashedAwardEvent[]; head: string; next: number | null };
  events.push(...page.events);
  head = page.head;
  if (page.next === null) break;
  after = page.next;
}

const result = verifyAwardLog(events, head);
if (result.ok) {
  console.log(`ok: ${events.length} events, head ${head}`);
} else {
  console.error(`NOT OK at event ${result.seq}: ${result.reason}`);
  process.exit(1);
}
