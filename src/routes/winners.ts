import * as v from "valibot";
import type { Env } from "../env";
import { escapeHtml } from "../html";
import { HttpError } from "../http/errors";
import { isHead } from "../http/head";
import { wantsJson } from "../http/negotiate";
import { readContent, pageContent } from "../pages/content";
import { prizeCount } from "../pages/contest-text";
import { renderPage } from "../pages/page";
import { PAGES } from "../pages/templates";
import { RESULTS_SNAPSHOT_KEY, ResultsSnapshot, type ListedWinner } from "../schemas/results";
import type { AppRequest } from "./context";
import { prizeSnapshot } from "./prizes";

/** Winners a page shows: the page stays within the landing page's weight budget (14 KB gzip). */
export const WINNERS_PER_PAGE = 24;
/** The winners page is the same for everyone until the organisers publish again. */
const EDGE_MAX_AGE_S = 300;

/** The published results, from the KV snapshot the publish route writes; null when none are published. */
export async function publishedResults(env: Env): Promise<ResultsSnapshot | null> {
  const stored = await env.SNAPSHOTS.get(RESULTS_SNAPSHOT_KEY, { type: "json", cacheTtl: 60 }).catch(() => null);
  const parsed = v.safeParse(ResultsSnapshot, stored);
  return parsed.success ? parsed.output : null;
}

const WinnersQuery = v.object({
  page: v.optional(v.pipe(v.string(), v.regex(/^[1-9]\d{0,3}$/, "page is a whole number from 1"), v.transform(Number)), "1"),
});

/**
 * GET /winners — the winners who agreed to be listed, once the organisers published the
 * results: first name and last initial, the project's title, an excerpt and its links, a
 * page at a time. Served from this location's cache for a few minutes: it is the same for
 * everyone, and a crowd arriving from an announcement should not each cost a KV read.
 */
export async function winners(request: AppRequest, env: Env, ctx: ExecutionContext): Promise<Response> {
  const query = v.safeParse(WinnersQuery, { page: request.query.page });
  if (!query.success) throw new HttpError(400, "malformed", query.issues[0].message, { page: query.issues[0].message });
  const key = winnersCacheKey(request.url, query.output.page, wantsJson(request));
  const cached = await caches.default.match(key);
  if (cached) return cached;
  const { response, published } = await renderWinners(request, env, query.output.page);
  if (published && !isHead(request)) ctx.waitUntil(caches.default.put(key, response.clone()));
  return response;
}

/** Where this location caches a page of winners (HTML or JSON): the query string is rebuilt, so a visitor cannot bust it. */
function winnersCacheKey(url: string, page: number, asJson: boolean): Request {
  // The cache matches by address alone, so the JSON answer has an address of its own.
  return new Request(new URL(`/winners?page=${page}${asJson ? "&as=json" : ""}`, url));
}

/**
 * Forgets this location's cached winners pages once the results change. Other locations
 * keep theirs for at most EDGE_MAX_AGE_S (docs/operations.md).
 */
export async function forgetCachedWinners(url: string, winners: number): Promise<void> {
  const pages = Math.max(1, Math.ceil(winners / WINNERS_PER_PAGE)) + 1;
  const keys = Array.from({ length: pages }, (_, i) => [winnersCacheKey(url, i + 1, false), winnersCacheKey(url, i + 1, true)]).flat();
  await Promise.all(keys.map((key) => caches.default.delete(key)));
}

async function renderWinners(request: AppRequest, env: Env, page: number): Promise<{ response: Response; published: boolean }> {
  const { config } = request;
  const [results, pool, stored] = await Promise.all([publishedResults(env), prizeSnapshot(env, config.prizePool), readContent(env)]);
  const listed = results?.winners ?? [];
  const pages = Math.max(1, Math.ceil(listed.length / WINNERS_PER_PAGE));
  if (page > pages) throw new HttpError(404, "not_found", "There is no such page of winners.");
  const shown = listed.slice((page - 1) * WINNERS_PER_PAGE, page * WINNERS_PER_PAGE);
  const headers = { "cache-control": `public, max-age=${EDGE_MAX_AGE_S}` };
  const published = results !== null;
  if (wantsJson(request)) {
    return { published, response: Response.json({ published, publishedAt: results?.publishedAt ?? null, winners: shown, unlisted: results?.unlisted ?? 0, page, pages }, { headers: published ? headers : { "cache-control": "no-store" } }) };
  }
  const content = pageContent(config, pool.total, stored);
  const total = listed.length + (results?.unlisted ?? 0);
  const summary = results
    ? `${prizeCount(config, total)} went to winners. ${listed.length === total ? "Here they are" : `Here are the ${listed.length} who agreed to be listed`}, by prize number.`
    : "";
  const response = renderPage(
    request,
    config,
    PAGES.winners,
    {
      title: "Winners",
      text: { summary },
      href: { previous: pageHref(page - 1), next: pageHref(page + 1) },
      html: { winners: shown.map(winnerCard).join("\n") },
      attributes: { winnersStart: { start: String((page - 1) * WINNERS_PER_PAGE + 1) } },
      show: { published: results !== null, notPublished: results === null, pager: pages > 1, previous: page > 1, next: page < pages },
    },
    { headers: published ? headers : {}, social: { description: published ? `${summary} ${content.description}`.slice(0, 300) : content.description, image: content.fields.prizeImage || undefined } },
  );
  return { response, published };
}

function pageHref(page: number): string {
  return page <= 1 ? "/winners" : `/winners?page=${page}`;
}

/** One winner, every value escaped; links only when they are http(s), as the snapshot keeps them. */
function winnerCard(winner: ListedWinner): string {
  const link = (url: string | null, label: string) => (url ? `<a href="${escapeHtml(url)}" rel="nofollow noopener">${label}</a>` : "");
  const links = [link(winner.demoUrl, "Live project"), link(winner.repoUrl, "Code")].filter(Boolean).join(" · ");
  return `<li><h2>${escapeHtml(winner.title)}</h2><p class="hint">by ${escapeHtml(winner.name)}</p><p>${escapeHtml(winner.excerpt)}</p>${links ? `<p>${links}</p>` : ""}</li>`;
}
