// The public news site: the list with filters, material pages, tag/rubric/campaign pages and
// search. Everything is server-rendered, cached for a short while (news-cache.ts) and public.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { formatDate, pick, t, type Lang } from '../../i18n/i18n.ts';
import { withCommunity } from '../../db/db.ts';
import { findTerm, getPublished, listCategories, listPublished, searchPublished, type ListFilter, type Term } from '../../modules/newsroom/public.ts';
import { queryText } from '../../modules/newsroom/search.ts';
import { portalPage } from '../layout.ts';
import { langOf } from './page.ts';
import { sendCached } from './news-cache.ts';
import { articleBody, articleHead, NEWS_CSS, newsList, newsUrls, PAGE_SIZE, pager } from './news-view.ts';
import { newsFeeds } from './news-feeds.ts';

const HTML = 'text/html; charset=utf-8';
const Str = z.string().max(120).optional();
const ListQuery = z.object({ category: Str, tag: Str, rubric: Str, from: Str, to: Str, page: Str, q: z.string().max(500).optional() }).passthrough();

/** Midnight of a `YYYY-MM-DD` day in the community's time zone, as an instant; null if not a date. */
export function zonedDay(day: string, timeZone: string, plusDays = 0): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  const check = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (check.getUTCMonth() !== Number(m[2]) - 1 || check.getUTCDate() !== Number(m[3])) return null;
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
    .formatToParts(new Date(utc)).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return new Date(utc - (local - utc));
}

function pageNumber(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new AppError(404, 'not_found', 'newsroom.public.bad_page');
  return n;
}

type ListOpts = { title: string; intro?: Html; filter: Omit<ListFilter, 'lang' | 'limit' | 'offset'>; path: string; params: Record<string, string | undefined>; form?: Html; feed?: string };

export const portalNews = (app: App) => async (r: FastifyInstance) => {
  await r.register(newsFeeds(app));

  /** A paged list of materials as a whole page (the news list and the tag, rubric, campaign pages). */
  async function listPage(req: FastifyRequest, lang: Lang, page: number, o: ListOpts): Promise<string> {
    const { items, total } = await withCommunity(app.db, req.community.id, (tx) =>
      listPublished(tx, req.community.id, { ...o.filter, lang, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }));
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page > pages) throw new AppError(404, 'not_found', 'newsroom.public.bad_page');
    const feedLinks = o.feed ? html`<link rel="alternate" type="application/rss+xml" title="${o.title} (RSS)" href="${o.feed}.rss"><link rel="alternate" type="application/atom+xml" title="${o.title} (Atom)" href="${o.feed}.atom">` : '';
    const body = html`<h1>${o.title}</h1>
${o.intro ?? ''}
${o.form ?? ''}
<p class="meta" role="status">${t(lang, 'newsroom.public.count', { count: total })}</p>
${items.length ? newsList(req, lang, items) : html`<p>${t(lang, 'newsroom.public.none')}</p>`}
${pager(lang, o.path, o.params, page, pages)}
${o.feed ? html`<p class="meta">${t(lang, 'newsroom.public.feeds')}: <a href="${o.feed}.rss">RSS</a> · <a href="${o.feed}.atom">Atom</a> · <a href="${o.feed}.json">JSON Feed</a></p>` : ''}`;
    return portalPage(req, { title: page > 1 ? `${o.title} (${page})` : o.title, body, lang, head: html`${NEWS_CSS}${feedLinks}` }).value;
  }

  async function filterForm(req: FastifyRequest, lang: Lang, v: z.infer<typeof ListQuery>, error?: string): Promise<Html> {
    const cats = await withCommunity(app.db, req.community.id, (tx) => listCategories(tx, req.community.id));
    const bad = error ? html` aria-invalid="true" aria-describedby="filter-error"` : '';
    return html`<form class="filters" method="get" action="${newsUrls(req, lang).list}" role="search" aria-label="${t(lang, 'newsroom.public.filter')}">
${error ? html`<p class="alert" role="alert" id="filter-error">${error}</p>` : ''}
<div><label for="f-category">${t(lang, 'newsroom.public.category')}</label><select id="f-category" name="category"><option value="">${t(lang, 'newsroom.public.any')}</option>
${cats.map((c) => html`<option value="${c.code}"${v.category === c.code ? html` selected` : ''}>${pick(c.names, lang, req.community.default_lang)}</option>`)}</select></div>
<div><label for="f-from">${t(lang, 'newsroom.public.from')}</label><input id="f-from" name="from" type="date" value="${v.from ?? ''}"${bad}></div>
<div><label for="f-to">${t(lang, 'newsroom.public.to')}</label><input id="f-to" name="to" type="date" value="${v.to ?? ''}"${bad}></div>
${v.tag ? html`<input type="hidden" name="tag" value="${v.tag}">` : ''}${v.rubric ? html`<input type="hidden" name="rubric" value="${v.rubric}">` : ''}
<div><button type="submit">${t(lang, 'newsroom.public.apply')}</button></div>
</form>`;
  }

  r.get('/:lang/news', async (req, reply) => {
    const lang = langOf(req);
    const q = ListQuery.parse(req.query ?? {});
    const tz = req.community.time_zone;
    const from = q.from ? zonedDay(q.from, tz) : undefined;
    const to = q.to ? zonedDay(q.to, tz, 1) : undefined;
    if (from === null || to === null) {
      // Bad input: the form comes back with what was typed and the reason; nothing is listed.
      const title = t(lang, 'newsroom.public.news');
      const body = html`<h1>${title}</h1>${await filterForm(req, lang, q, t(lang, 'newsroom.public.bad_date'))}`;
      return reply.code(400).header('cache-control', 'no-store').type(HTML).send(portalPage(req, { title, body, lang, head: NEWS_CSS }).value);
    }
    const page = pageNumber(q.page);
    return sendCached(req, reply, { personal: true }, async () => ({
      type: HTML,
      body: await listPage(req, lang, page, {
        title: t(lang, 'newsroom.public.news'),
        filter: { category: q.category || undefined, tag: q.tag || undefined, rubric: q.rubric || undefined, from, to },
        path: newsUrls(req, lang).list,
        params: { category: q.category, tag: q.tag, rubric: q.rubric, from: q.from, to: q.to },
        form: await filterForm(req, lang, q),
        feed: q.category ? `${req.base}/${lang}/news/category/${encodeURIComponent(q.category)}/feed` : `${req.base}/${lang}/feed`,
      }),
    }));
  });

  r.get('/:lang/news/:slug', async (req, reply) => {
    const lang = langOf(req);
    const { slug } = req.params as { slug: string };
    return sendCached(req, reply, { personal: true }, async () => {
      const a = await withCommunity(app.db, req.community.id, (tx) => getPublished(tx, req.community.id, lang, slug));
      if (!a) throw notFound();
      const alternates = Object.fromEntries(Object.entries(a.alternates).map(([l, s]) => [l, newsUrls(req, l as Lang).articleEncoded(s)]));
      return { type: HTML, body: portalPage(req, { title: a.title, body: articleBody(req, lang, a), lang, head: articleHead(req, lang, a), alternates }).value };
    });
  });

  const termPage = (kind: 'tag' | 'rubric' | 'campaign', segment: string) =>
    r.get(`/:lang/${segment}/:code`, async (req, reply) => {
      const lang = langOf(req);
      const { code } = req.params as { code: string };
      const page = pageNumber(ListQuery.parse(req.query ?? {}).page);
      return sendCached(req, reply, { personal: true }, async () => {
        const term = await withCommunity(app.db, req.community.id, (tx) => findTerm(tx, req.community.id, kind, code));
        if (!term) throw notFound();
        const c = req.community;
        const name = pick(term.names, lang, c.default_lang);
        const intro = termIntro(req, lang, term);
        const path = `${req.base}/${lang}/${segment}/${encodeURIComponent(code)}`;
        const title = kind === 'tag' ? t(lang, 'newsroom.public.tag_title', { name }) : name;
        const feed = kind === 'campaign' ? undefined : `${req.base}/${lang}/news/${kind}/${encodeURIComponent(code)}/feed`;
        return { type: HTML, body: await listPage(req, lang, page, { title, intro, filter: { [kind]: code }, path, params: {}, feed }) };
      });
    });
  termPage('tag', 'tags');
  termPage('rubric', 'rubrics');
  termPage('campaign', 'campaigns');

  r.get('/:lang/search', async (req, reply) => {
    const lang = langOf(req);
    const q = ListQuery.parse(req.query ?? {});
    const text = (q.q ?? '').trim().slice(0, 200);
    const page = pageNumber(q.page);
    return sendCached(req, reply, { personal: true }, async () => {
      const u = newsUrls(req, lang);
      const words = text ? queryText(text) : null;
      const found = words ? await withCommunity(app.db, req.community.id, (tx) => searchPublished(tx, req.community.id, lang, text, PAGE_SIZE, (page - 1) * PAGE_SIZE)) : null;
      const pages = found ? Math.max(1, Math.ceil(found.total / PAGE_SIZE)) : 1;
      const body = html`<h1>${t(lang, 'newsroom.public.search')}</h1>
<form class="stack" method="get" action="${u.search}" role="search">
<div><label for="q">${t(lang, 'newsroom.public.search_label')} <span class="hint" id="q-hint">${t(lang, 'newsroom.public.search_hint')}</span></label>
<input id="q" name="q" type="search" value="${text}" maxlength="200" aria-describedby="q-hint"${text && !words ? html` aria-invalid="true"` : ''}></div>
<div><button type="submit">${t(lang, 'newsroom.public.search_button')}</button></div>
</form>
${text && !words ? html`<p class="alert" role="alert">${t(lang, 'newsroom.public.search_no_words')}</p>` : ''}
${found ? html`<h2>${t(lang, 'newsroom.public.search_results', { q: text })}</h2>
<p class="meta" role="status">${t(lang, 'newsroom.public.count', { count: found.total })}</p>
${found.items.length ? newsList(req, lang, found.items, 3) : html`<p>${t(lang, 'newsroom.public.none')}</p>`}
${pager(lang, u.search, { q: text }, page, pages)}` : ''}`;
      return { type: HTML, body: portalPage(req, { title: text ? `${t(lang, 'newsroom.public.search')}: ${text}` : t(lang, 'newsroom.public.search'), body, lang, head: NEWS_CSS }).value };
    });
  });
};

function termIntro(req: FastifyRequest, lang: Lang, term: Term & { descriptions?: Record<string, string>; goals?: Record<string, string>; starts_on?: Date; ends_on?: Date }): Html {
  const c = req.community;
  const text = pick(term.descriptions ?? term.goals ?? {}, lang, c.default_lang);
  const period = term.starts_on && term.ends_on
    ? t(lang, 'newsroom.public.campaign_period', { from: formatDate(new Date(term.starts_on), lang, c.time_zone, c.calendar), to: formatDate(new Date(term.ends_on), lang, c.time_zone, c.calendar) })
    : '';
  return html`${period ? html`<p class="meta">${t(lang, 'newsroom.public.campaign')}: ${period}</p>` : ''}${text ? html`<p class="lead">${text}</p>` : ''}`;
}

