/**
 * Publishing the results: the winners who agreed to be listed go to the KV snapshot the
 * public winners page reads (first name and last initial, title, an excerpt, links), and
 * each publication or withdrawal is recorded and audited. Results can only be published once
 * submissions have closed.
 */
import type { Env } from "../env";
import { HttpError } from "../http/errors";
import { json } from "../http/negotiate";
import { httpUrl } from "../email/templates";
import { excerpt } from "../markdown";
import { RESULTS_SNAPSHOT_KEY, type ListedWinner, type ResultsSnapshot } from "../schemas/results";
import { auditStatement } from "../store/audit";
import type { AdminRequest } from "./admin-request";
import { forgetCachedWinners, publishedResults } from "./winners";

/** How much of a description the winners page shows. */
const EXCERPT_CHARS = 220;

interface WinnerRow {
  slot: number;
  firstname: string;
  lastname: string;
  title: string | null;
  description: string | null;
  demo_url: string | null;
  repo_url: string | null;
  showcase: number;
}

/** GET /admin/api/results — whether results are published, and how many winners agreed to be listed. */
export async function results(_request: AdminRequest, env: Env): Promise<Response> {
  const [published, counts] = await Promise.all([
    publishedResults(env),
    env.DB.prepare("SELECT COUNT(*) AS winners, COALESCE(SUM(showcase), 0) AS consenting FROM entries WHERE status = 'winner'").first<{ winners: number; consenting: number }>(),
  ]);
  return json({
    published: published !== null,
    publishedAt: published?.publishedAt ?? null,
    listed: published?.winners.length ?? 0,
    unlisted: published?.unlisted ?? 0,
    winners: counts?.winners ?? 0,
    consenting: counts?.consenting ?? 0,
  });
}

/** POST /admin/api/results — publishes (or publishes again) the winners page from today's winners and their consent. */
export async function publishResults(request: AdminRequest, env: Env): Promise<Response> {
  if (Date.now() < request.config.submission.closes) {
    throw new HttpError(409, "submissions_open", "Submissions are still open: publish the results once they have closed.");
  }
  const { results: rows } = await env.DB.prepare(
    "SELECT slot, firstname, lastname, title, description, demo_url, repo_url, showcase FROM entries WHERE status = 'winner' ORDER BY slot",
  ).all<WinnerRow>();
  const listed = rows.filter((row) => row.showcase === 1 && row.title !== null).map(listedWinner);
  const at = Date.now();
  const snapshot: ResultsSnapshot = { publishedAt: new Date(at).toISOString(), winners: listed, unlisted: rows.length - listed.length };
  await record(request, env, "publish", snapshot.winners.length, snapshot.unlisted, at);
  await env.SNAPSHOTS.put(RESULTS_SNAPSHOT_KEY, JSON.stringify(snapshot));
  await forgetCachedWinners(request.url, rows.length);
  return json({ published: true, publishedAt: snapshot.publishedAt, listed: listed.length, unlisted: snapshot.unlisted });
}

/** DELETE /admin/api/results — takes the winners page down (published by mistake, say). */
export async function withdrawResults(request: AdminRequest, env: Env): Promise<Response> {
  const published = await publishedResults(env);
  if (!published) throw new HttpError(404, "not_found", "No results are published.");
  await record(request, env, "withdraw", 0, 0, Date.now());
  await env.SNAPSHOTS.delete(RESULTS_SNAPSHOT_KEY);
  await forgetCachedWinners(request.url, published.winners.length + published.unlisted);
  return json({ published: false });
}

async function record(request: AdminRequest, env: Env, action: "publish" | "withdraw", listed: number, unlisted: number, at: number): Promise<void> {
  await env.DB.batch([
    env.DB.prepare("INSERT INTO result_publications (action, listed, unlisted, actor, at) VALUES (?, ?, ?, ?, ?)").bind(action, listed, unlisted, request.judge.name, at),
    auditStatement(env.DB, request.judge, action === "publish" ? "results_publish" : "results_withdraw", null, { listed, unlisted }, at),
  ]);
}

/** What the public page may show of a winner who agreed: no email, no surname beyond its initial. */
function listedWinner(row: WinnerRow): ListedWinner {
  const initial = Array.from(row.lastname.trim())[0];
  return {
    slot: row.slot,
    name: `${row.firstname.trim()}${initial ? ` ${initial}.` : ""}`,
    title: row.title ?? "",
    excerpt: excerpt(row.description ?? "", EXCERPT_CHARS),
    demoUrl: httpUrl(row.demo_url),
    repoUrl: httpUrl(row.repo_url),
  };
}
