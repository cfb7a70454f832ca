// RSS 2.0, Atom 1.0 and JSON Feed 1.1 of published materials: plain functions from a list of
// items to the document's text, so every feed (all news, a category, a tag, a rubric) shares them.
import type { Lang } from '../../db/types.ts';
import { xml } from '../../http/html.ts';

export type FeedItem = {
  /** Stable id: the material version's URN (a slug may change, the id does not). */
  id: string;
  url: string;
  title: string;
  summary: string;
  contentHtml?: string;
  published: Date;
  updated: Date;
  categories: string[];
  image?: { url: string; type: string };
};

export type Feed = {
  title: string;
  description: string;
  lang: Lang;
  /** Absolute URL of the page the feed mirrors. */
  homeUrl: string;
  /** Absolute URL of this feed (Atom "self", JSON Feed "feed_url"). */
  feedUrl: string;
  author: string;
  items: FeedItem[];
};

export const FEED_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
} as const;
export type FeedKind = keyof typeof FEED_TYPES;

export { xml } from '../../http/html.ts';

const updatedOf = (f: Feed) => f.items.reduce((m, i) => (i.updated > m ? i.updated : m), new Date(0));

/** RSS 2.0 (with atom:link rel="self", as the RSS Advisory Board recommends). */
export function rss(f: Feed): string {
  const items = f.items.map((i) =>
    [
      '<item>',
      `<title>${xml(i.title)}</title>`,
      `<link>${xml(i.url)}</link>`,
      `<guid isPermaLink="false">${xml(i.id)}</guid>`,
      `<pubDate>${i.published.toUTCString()}</pubDate>`,
      `<description>${xml(i.summary)}</description>`,
      ...i.categories.map((c) => `<category>${xml(c)}</category>`),
      i.image ? `<enclosure url="${xml(i.image.url)}" type="${xml(i.image.type)}" length="0"/>` : '',
      '</item>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    '<channel>',
    `<title>${xml(f.title)}</title>`,
    `<link>${xml(f.homeUrl)}</link>`,
    `<description>${xml(f.description)}</description>`,
    `<language>${f.lang}</language>`,
    `<lastBuildDate>${(f.items.length ? updatedOf(f) : new Date()).toUTCString()}</lastBuildDate>`,
    `<atom:link href="${xml(f.feedUrl)}" rel="self" type="application/rss+xml"/>`,
    ...items,
    '</channel>',
    '</rss>',
    '',
  ].join('\n');
}

/** Atom 1.0 (RFC 4287): feed id, title, updated, author, self link; entries with id, title, updated, link. */
export function atom(f: Feed): string {
  const entries = f.items.map((i) =>
    [
      '<entry>',
      `<id>${xml(i.id)}</id>`,
      `<title>${xml(i.title)}</title>`,
      `<link rel="alternate" type="text/html" href="${xml(i.url)}"/>`,
      `<published>${i.published.toISOString()}</published>`,
      `<updated>${i.updated.toISOString()}</updated>`,
      `<summary>${xml(i.summary)}</summary>`,
      i.contentHtml !== undefined ? `<content type="html">${xml(i.contentHtml)}</content>` : '',
      ...i.categories.map((c) => `<category term="${xml(c)}"/>`),
      '</entry>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${f.lang}">`,
    `<id>${xml(f.feedUrl)}</id>`,
    `<title>${xml(f.title)}</title>`,
    `<subtitle>${xml(f.description)}</subtitle>`,
    `<updated>${(f.items.length ? updatedOf(f) : new Date(0)).toISOString()}</updated>`,
    `<author><name>${xml(f.author)}</name></author>`,
    `<link rel="self" type="application/atom+xml" href="${xml(f.feedUrl)}"/>`,
    `<link rel="alternate" type="text/html" href="${xml(f.homeUrl)}"/>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

/** JSON Feed 1.1: version, title, items with id and content; language and authors per 1.1. */
export function jsonFeed(f: Feed): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: f.title,
    home_page_url: f.homeUrl,
    feed_url: f.feedUrl,
    description: f.description,
    language: f.lang,
    authors: [{ name: f.author }],
    items: f.items.map((i) => ({
      id: i.id,
      url: i.url,
      title: i.title,
      summary: i.summary,
      ...(i.contentHtml !== undefined ? { content_html: i.contentHtml } : { content_text: i.summary || i.title }),
      ...(i.image ? { image: i.image.url } : {}),
      date_published: i.published.toISOString(),
      date_modified: i.updated.toISOString(),
      tags: i.categories,
    })),
  });
}

export function renderFeed(kind: FeedKind, f: Feed): string {
  return kind === 'rss' ? rss(f) : kind === 'atom' ? atom(f) : jsonFeed(f);
}
