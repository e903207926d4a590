import { isOpen, type Config } from "../config";

/**
 * Where the contest is, which decides what the pages offer:
 * - `upcoming`: registration has not opened;
 * - `registration`: anyone may sign up (submissions may be open too);
 * - `between`: registration closed, submissions not open yet;
 * - `submission`: registration closed, entrants who signed up may submit;
 * - `judging`: submissions closed, results not published;
 * - `results`: the organisers published the results (only possible once submissions closed).
 */
export type Phase = "upcoming" | "registration" | "between" | "submission" | "judging" | "results";

export function contestPhase(config: Config, now: number, resultsPublished: boolean): Phase {
  if (isOpen(config.registration, now)) return "registration";
  if (isOpen(config.submission, now)) return "submission";
  if (now < config.registration.opens) return "upcoming";
  if (now < config.submission.opens) return "between";
  return resultsPublished ? "results" : "judging";
}

/** The next change of the windows, for the pages' countdown. */
export interface Deadline {
  /** "Registration closes", as the countdown's label. */
  label: string;
  at: number;
}

/** The soonest of the four window edges still ahead, or null once every window has closed. */
export function nextDeadline(config: Config, now: number): Deadline | null {
  const edges: Deadline[] = [
    { label: "Registration opens", at: config.registration.opens },
    { label: "Registration closes", at: config.registration.closes },
    { label: "Submissions open", at: config.submission.opens },
    { label: "Submissions close", at: config.submission.closes },
  ];
  return edges.filter((edge) => edge.at > now).sort((a, b) => a.at - b.at)[0] ?? null;
}

/** "3 days, 4 hours", "2 hours, 5 minutes", "under a minute": how far `at` is, for pages without JavaScript. */
export function timeUntil(at: number, now: number): string {
  const minutes = Math.floor((at - now) / 60_000);
  if (minutes < 1) return "under a minute";
  const days = Math.floor(minutes / 1_440);
  const hours = Math.floor((minutes % 1_440) / 60);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (days > 0) return hours > 0 ? `${unit(days, "day")}, ${unit(hours, "hour")}` : unit(days, "day");
  return hours > 0 ? `${unit(hours, "hour")}, ${unit(minutes % 60, "minute")}` : unit(minutes, "minute");
}
