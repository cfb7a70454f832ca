// The home page's "urgent and latest news" section: a few headlines without pictures, so the
// home page stays light; rendered once per community and language every few seconds.
import type { FastifyRequest } from 'fastify';
import type { App } from '../../http/context.ts';
import { html, raw, type Html } from '../../http/html.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import { withCommunity } from '../../db/db.ts';
import { homeNews } from '../../modules/newsroom/public.ts';
import { cachedFragment } from './news-cache.ts';
import { newsList, newsUrls } from './news-view.ts';

export async function homeNewsSection(app: App, req: FastifyRequest, lang: Lang): Promise<Html> {
  const body = await cachedFragment(`${req.community.id}|home|${req.base}|${lang}`, async () => {
    const { urgent, latest } = await withCommunity(app.db, req.community.id, (tx) => homeNews(tx, req.community.id, lang, 5));
    if (!urgent.length && !latest.length) return '';
    const u = newsUrls(req, lang);
    return html`${urgent.length ? html`<section class="alert" aria-labelledby="urgent-news"><h2 id="urgent-news">${t(lang, 'newsroom.public.urgent')}</h2>${newsList(req, lang, urgent, 3, false, false)}</section>` : ''}
<section class="card" aria-labelledby="latest-news">
<h2 id="latest-news">${t(lang, 'newsroom.public.latest')}</h2>
${newsList(req, lang, latest.filter((i) => !urgent.some((x) => x.id === i.id)), 3, false)}
<p><a href="${u.list}">${t(lang, 'newsroom.public.all_news')}</a> · <a href="${u.search}">${t(lang, 'newsroom.public.search')}</a> · <a href="${req.base}/${lang}/feed.rss">RSS</a></p>
</section>`.value;
  });
  return raw(body);
}
