// RSS 2.0, Atom and JSON Feed of the news (all, per category, tag and rubric) and /sitemap.xml.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../http/context.ts';
import { notFound } from '../../http/errors.ts';
import { LANGS, pick, t, type Lang } from '../../i18n/i18n.ts';
import { withCommunity } from '../../db/db.ts';
import { findTerm, listPublished, sitemapEntries, type PublicItem } from '../../modules/newsroom/public.ts';
import { FEED_TYPES, renderFeed, xml, type FeedKind } from '../../modules/newsroom/feeds.ts';
import { langOf } from './page.ts';
import { sendCached } from './news-cache.ts';
import { coverUrl, newsUrls, origin } from './news-view.ts';

const FEED_SIZE = 30;
const KINDS = Object.keys(FEED_TYPES) as FeedKind[];

export const newsFeeds = (app: App) => async (r: FastifyInstance) => {
  async function feed(req: FastifyRequest, kind: FeedKind, lang: Lang, term?: { kind: 'category' | 'tag' | 'rubric'; code: string }) {
    const c = req.community;
    const community = pick(c.names, lang, c.default_lang);
    const { items, name } = await withCommunity(app.db, c.id, async (tx) => {
      const found = term ? await findTerm(tx, c.id, term.kind, term.code) : null;
      if (term && !found) throw notFound();
      const list = await listPublished(tx, c.id, { lang, limit: FEED_SIZE, ...(term ? { [term.kind]: term.code } : {}) });
      return { items: list.items, name: found ? pick(found.names, lang, c.default_lang) : null };
    });
    const u = newsUrls(req, lang);
    const home = term ? (term.kind === 'category' ? u.category(term.code) : term.kind === 'tag' ? u.tag(term.code) : u.rubric(term.code)) : u.list;
    const self = term ? `${req.base}/${lang}/news/${term.kind}/${encodeURIComponent(term.code)}/feed.${kind}` : `${req.base}/${lang}/feed.${kind}`;
    return renderFeed(kind, {
      title: name ? t(lang, 'newsroom.public.feed_of', { community, name }) : t(lang, 'newsroom.public.feed_title', { community }),
      description: t(lang, 'newsroom.public.feed_description', { community }),
      lang,
      homeUrl: `${origin(req)}${home}`,
      feedUrl: `${origin(req)}${self}`,
      author: community,
      items: items.map((i: PublicItem) => ({
        id: `urn:uuid:${i.id}`,
        url: `${origin(req)}${u.articleEncoded(i.slug)}`,
        title: i.title,
        summary: i.lead,
        published: new Date(i.first_published_at ?? i.published_at),
        updated: new Date(i.corrected_at ?? i.published_at),
        categories: i.category_names ? [pick(i.category_names, lang, c.default_lang)] : [],
        ...(i.cover ? { image: { url: coverUrl(req, i.cover), type: 'image/jpeg' } } : {}),
      })),
    });
  }

  for (const kind of KINDS) {
    r.get(`/:lang/feed.${kind}`, async (req, reply) => {
      const lang = langOf(req);
      return sendCached(req, reply, { personal: false }, async () => ({ type: FEED_TYPES[kind], body: await feed(req, kind, lang) }));
    });
    for (const term of ['category', 'tag', 'rubric'] as const) {
      r.get(`/:lang/news/${term}/:code/feed.${kind}`, async (req, reply) => {
        const lang = langOf(req);
        const { code } = req.params as { code: string };
        return sendCached(req, reply, { personal: false }, async () => ({ type: FEED_TYPES[kind], body: await feed(req, kind, lang, { kind: term, code }) }));
      });
    }
  }

  // Every published version, with its other language versions as xhtml:link alternates.
  r.get('/sitemap.xml', async (req, reply) =>
    sendCached(req, reply, { personal: false }, async () => {
      const c = req.community;
      const rows = await withCommunity(app.db, c.id, (tx) => sitemapEntries(tx, c.id));
      const byMaterial = new Map<string, typeof rows>();
      for (const row of rows) byMaterial.set(row.material_id, [...(byMaterial.get(row.material_id) ?? []), row]);
      const abs = (l: Lang, slug: string) => `${origin(req)}${newsUrls(req, l).articleEncoded(slug)}`;
      const urls = [
        ...LANGS.map((l) => `<url><loc>${xml(`${origin(req)}${req.base}/${l}/`)}</loc><changefreq>hourly</changefreq></url>`),
        ...LANGS.map((l) => `<url><loc>${xml(`${origin(req)}${newsUrls(req, l).list}`)}</loc><changefreq>hourly</changefreq></url>`),
        ...rows.map((row) => {
          const versions = byMaterial.get(row.material_id)!;
          const alts = versions.length > 1 ? versions.map((v) => `<xhtml:link rel="alternate" hreflang="${v.lang}" href="${xml(abs(v.lang, v.slug))}"/>`).join('') : '';
          return `<url><loc>${xml(abs(row.lang, row.slug))}</loc><lastmod>${new Date(row.updated_at).toISOString()}</lastmod>${alts}</url>`;
        }),
      ];
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${urls.join('\n')}\n</urlset>\n`;
      return { type: 'application/xml; charset=utf-8', body };
    }),
  );
};
