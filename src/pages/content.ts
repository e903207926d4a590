import * as v from "valibot";
import type { Config } from "../config";
import type { Env } from "../env";
import { excerpt, markdownText, renderMarkdown } from "../markdown";
import { CONTENT_SNAPSHOT_KEY, ContentSnapshot, EMPTY_CONTENT, type ContentFields } from "../schemas/content";
import { defaultContent } from "./contest-text";

/** The organisers' words as a page shows them: their Markdown (or the default) rendered safely. */
export interface PageContent {
  /** The saved version shown; 0 while nothing was ever saved. */
  version: number;
  fields: ContentFields;
  html: { intro: string; prize: string; eligibility: string; faq: string };
  /** The introduction as plain text, short enough for a meta description. */
  description: string;
}

/** KV may serve a location's copy this long; a saved change reaches every page within it. */
const KV_CACHE_TTL_S = 60;

/**
 * Rendered content per configuration, by version and pool size (the defaults name the
 * pool): rendering is done once per isolate, not once per page view.
 */
const rendered = new WeakMap<Config, Map<string, PageContent>>();

/** What the organisers saved, as the pages read it. */
export interface StoredContent {
  version: number;
  fields: ContentFields;
}

/**
 * The organisers' latest content: the KV snapshot written when they saved it (which may lag
 * by up to a minute), or none (version 0) when nothing was ever saved or the snapshot does
 * not read.
 */
export async function readContent(env: Env): Promise<StoredContent> {
  const stored = await env.SNAPSHOTS.get(CONTENT_SNAPSHOT_KEY, { type: "json", cacheTtl: KV_CACHE_TTL_S }).catch(() => null);
  const snapshot = v.safeParse(ContentSnapshot, stored);
  return snapshot.success ? { version: snapshot.output.version, fields: snapshot.output.fields } : { version: 0, fields: EMPTY_CONTENT };
}

/** The content as the pages show it, with Swagbox's defaults for every part left empty. */
export function pageContent(config: Config, pool: number, { version, fields }: StoredContent): PageContent {
  let cache = rendered.get(config);
  if (!cache) rendered.set(config, (cache = new Map()));
  const key = `${version}:${pool}`;
  let content = cache.get(key);
  if (!content) {
    if (cache.size >= 16) cache.clear();
    content = renderContent(config, pool, version, fields);
    cache.set(key, content);
  }
  return content;
}

/** The content with defaults filled in and each Markdown part rendered. */
export function renderContent(config: Config, pool: number, version: number, fields: ContentFields): PageContent {
  const defaults = defaultContent(config, pool);
  const source = {
    intro: fields.intro || defaults.intro,
    prize: fields.prize || defaults.prize,
    eligibility: fields.eligibility || defaults.eligibility,
    faq: fields.faq || defaults.faq,
  };
  return {
    version,
    fields: { ...fields, ...source },
    html: {
      intro: renderMarkdown(source.intro, 2),
      prize: renderMarkdown(source.prize, 3),
      eligibility: renderMarkdown(source.eligibility, 3),
      faq: renderMarkdown(source.faq, 3),
    },
    description: excerpt(markdownText(source.intro), 160),
  };
}
