/**
 * The Markdown of a faults run (bench/results/faults*.md): the table re-measured,
 * next to what the issue measured before, then each scenario's checks and details.
 */
import { heading, table } from "../lib/report.mjs";
import { OUTBOX_CONFIRM_SECONDS, QUIET_SECONDS, SETTLE_SECONDS } from "./lab.mjs";

const COLUMNS = [
  "fault",
  "before (the issue)",
  "answered",
  "exactly once",
  "duplicated",
  "missing",
  "open dead letters",
  "index rows",
  "complete after s",
  "settled after s",
  "invariants",
];

const seconds = (value) => {
  if (value === null || value === undefined) return "not within the bound";
  return value < 0 ? `during the fault (${(-value).toFixed(1)} s before its end)` : value.toFixed(1);
};

function row(s) {
  if (!s.census) return [s.fault, beforeOf(s), "–", "–", "–", "–", "–", "–", "–", "–", `❌ ${s.error}`];
  const c = s.census;
  return [
    s.fault,
    beforeOf(s),
    c.expected + c.refused,
    `${c.exactlyOnce} / ${c.expected}`,
    c.duplicated,
    c.missing,
    c.openDeadLetters,
    `${c.indexedOnce} / ${c.indexExpected}`,
    seconds(c.recoveredSeconds),
    seconds(c.settledSeconds),
    s.broken.length ? `❌ ${s.broken.join("; ")}` : "✅",
  ];
}

const beforeOf = (s) => `once: ${s.before.once}; duplicated: ${s.before.duplicated}; missing: ${s.before.missing}`;

export function faultsMarkdown(run) {
  const lines = heading("Swagbox faults", run);
  lines.push(
    `Each scenario: a fresh runtime (bench/lib/server.mjs, Resend pointed at the provider stub, OUTBOX_CONFIRM_SECONDS=${OUTBOX_CONFIRM_SECONDS}); the fault; then a wait of at most ${SETTLE_SECONDS} s until every answered request's email and index row are there ("complete after", counted from the end of the fault or the restart) and the email log holds none of the scenario's emails still being sent or retried ("settled after"); then every object is asked to check its work and the stub is watched ${QUIET_SECONDS} s more before the final count. One fault at a time; a scenario's wait overlaps the next scenarios' faults (the restarts go first), so times are noisy.`,
    "",
    "## Results",
    "",
    table(COLUMNS, run.scenarios.map(row)),
    "",
  );
  for (const s of run.scenarios) {
    lines.push(`## ${s.name}: ${s.fault}`, "");
    if (s.error) lines.push(`Failed: ${s.error}`, "");
    if (!s.census) continue;
    const c = s.census;
    lines.push(
      `- requests: ${JSON.stringify(s.signups)}`,
      `- provider requests by outcome: ${JSON.stringify(c.providerRequests)}`,
      `- email log (this scenario's addresses): ${JSON.stringify(c.logStatuses)}`,
      `- refused for good: ${c.refused} (${c.refusedVisible} recorded as failed, ${c.refusedDelivered} delivered)`,
      `- jobs past their turn with nothing to run them, before the flush: ${c.overdueJobs} (of ${c.overdueObjects} objects)`,
      `- jobs the objects still held after the quiet check: ${c.heldJobs} ${JSON.stringify(c.heldStates)}`,
      `- whole scenario: ${s.seconds.toFixed(0)} s`,
      ...(c.deadLetterSample.length ? [`- open dead letters, first: ${c.deadLetterSample.join("; ")}`] : []),
      ...(s.checks ?? []).map((check) => `- ${check.ok ? "✅" : "❌"} ${check.what}: ${check.detail}`),
      ...(s.notes ?? []).map((note) => `- ${note}`),
      "",
    );
  }
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}
