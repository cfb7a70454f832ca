import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html, raw, type Html } from '../../http/html.ts';
import { mayBeResident } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { formatDate, formatNumber, t, type Lang } from '../../i18n/i18n.ts';
import { mapPoints, publicAppeals, publicCategories, publicStats, type PublicCategory } from '../../modules/appeals/public-stats.ts';
import { portalPage } from '../layout.ts';
import { textIn } from '../text.ts';
import { langOf, sendPage } from './page.ts';
// Leaflet itself is served by map-assets.ts (shared with the outages map), cached for a year.
import { leafletUrl } from './map-assets.ts';

const CSS = `.stats{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));margin:0}
.stats div{border:1px solid #c9d3df;border-radius:.5rem;padding:.75rem}
.stats dt{font-size:.9rem}.stats dd{margin:0;font-size:1.6rem;font-weight:700}
table.chart,table.list{border-collapse:collapse;inline-size:100%}
table.chart th,table.chart td,table.list th,table.list td{text-align:start;padding:.4rem .5rem;border-block-end:1px solid #dde3ea;vertical-align:top}
table.chart .n{white-space:nowrap;text-align:end;inline-size:5rem}
table.chart th{overflow-wrap:break-word;font-weight:400}
table.chart thead th{font-weight:600}
.stats dd.hint{font-size:.9rem;font-weight:400}
.chart-bar{display:block;block-size:.9rem;margin-block-start:.3rem;background:#0b4f9c;border-radius:.2rem;min-inline-size:2px}
form.row{display:flex;gap:.5rem;flex-wrap:wrap;align-items:end}
form.row>div{flex:1 1 12rem}
#appeals-map{display:none}
#appeals-map.on{display:block;block-size:22rem;margin-block:1rem;border:1px solid #c9d3df;border-radius:.5rem}
nav.paging ul{list-style:none;display:flex;gap:1rem;padding:0;flex-wrap:wrap;align-items:center}
@media (max-width:40rem){table.chart th,table.chart td{padding-inline:.3rem}table.list thead{display:none}table.list tr{display:block;border-block-end:1px solid #c9d3df;padding-block:.4rem}
table.list td{display:block;border:0;padding:.1rem 0}table.list td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}`;

/** Draws the list's points when Leaflet and tiles are there; without them the page is the list. */
const MAP_JS = `(function(){var el=document.getElementById('appeals-map');if(!el||!window.L)return;
var pts=JSON.parse(el.getAttribute('data-points')||'[]');if(!pts.length)return;
var esc=function(s){return String(s).replace(/[&<>"]/g,function(c){return{'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]})};
el.classList.add('on');var map=L.map(el,{scrollWheelZoom:false});
L.tileLayer(el.getAttribute('data-tiles'),{maxZoom:18,attribution:esc(el.getAttribute('data-attribution')||'')}).addTo(map);
var b=[];pts.forEach(function(p){L.circleMarker([p[0],p[1]],{radius:6+Math.min(10,p[2]*2),color:'#0b4f9c',weight:2}).bindTooltip(String(p[2])).addTo(map);b.push([p[0],p[1]]);});
map.fitBounds(b,{maxZoom:16,padding:[20,20]});})();`;

const version = (s: string | Buffer) => createHash('sha256').update(s).digest('hex').slice(0, 10);
const ASSETS: Record<string, { body: string | Buffer; type: string }> = {
  [`public-${version(CSS)}.css`]: { body: CSS, type: 'text/css; charset=utf-8' },
  [`map-${version(MAP_JS)}.js`]: { body: MAP_JS, type: 'text/javascript; charset=utf-8' },
};
const asset = (req: FastifyRequest, prefix: string, ext: string) => `${req.base}/assets/appeals/${Object.keys(ASSETS).find((k) => k.startsWith(prefix) && k.endsWith(ext))}`;

const DAYS = [30, 90, 365] as const;

export const portalAppealsPublic = (app: App) => async (r: FastifyInstance) => {
  r.get('/assets/appeals/:file', async (req, reply) => {
    const a = ASSETS[(req.params as { file: string }).file];
    if (!a) return reply.code(404).type('text/plain').send('not found');
    return reply.type(a.type).header('cache-control', 'public, max-age=31536000, immutable').send(a.body);
  });

  /** Public pages are the same for everyone; a resident's own header is not shared by caches. */
  const send = (req: FastifyRequest, reply: FastifyReply, lang: Lang, title: string, body: Html, head: Html | string = '') =>
    sendPage(reply.header('cache-control', mayBeResident(req) ? 'private, no-cache' : 'public, max-age=60').header('vary', 'Cookie'),
      portalPage(req, { title, body, lang, head: html`<link rel="stylesheet" href="${asset(req, 'public-', '.css')}">${head}` }));

  const scope = (lang: Lang, req: FastifyRequest, cats: PublicCategory[]) =>
    html`<p class="hint">${t(lang, 'appeals.public.scope')} ${cats.map((c, i) => html`${i ? (lang === 'fa' ? '، ' : ', ') : ''}${textIn(c.names, lang, req.community.default_lang)}`)}.</p>`;

  r.get('/:lang/appeals/stats', async (req, reply) => {
    const lang = langOf(req);
    const c = req.community;
    const q = z.object({ days: z.coerce.number().int().catch(90) }).catch({ days: 90 }).parse(req.query ?? {});
    const days = (DAYS as readonly number[]).includes(q.days) ? q.days : 90;
    const to = new Date();
    const from = new Date(to.getTime() - days * 86400_000);
    const s = await withCommunity(app.db, c.id, (tx) => publicStats(tx, { from, to }));
    const n = (x: number) => formatNumber(lang, x);
    const pct = (a: number, b: number) => (b ? `${formatNumber(lang, Math.round((a / b) * 1000) / 10)}%` : '—');
    const chart = (id: string, title: string, rows: Array<[Html | string, number]>) => {
      const max = Math.max(1, ...rows.map(([, v]) => v));
      return html`<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2><p class="hint">${t(lang, 'appeals.public.chart_hint')}</p>
<table class="chart" data-testid="${id}"><thead><tr><th scope="col">${title}</th><th scope="col" class="n">${t(lang, 'appeals.public.count')}</th><th scope="col" class="n">${t(lang, 'appeals.public.share')}</th></tr></thead><tbody>
${rows.map(([k, v]) => html`<tr><th scope="row">${k}<span class="chart-bar" aria-hidden="true" style="inline-size:${String(Math.round((v / max) * 100))}%"></span></th><td class="n">${n(v)}</td><td class="n">${pct(v, s.total)}</td></tr>`)}
</tbody></table></section>`;
    };
    const body = html`<h1>${t(lang, 'appeals.public.stats_title')}</h1>
<p class="lead">${t(lang, 'appeals.public.stats_lead')}</p>
<form class="row" method="get" action="${req.base}/${lang}/appeals/stats"><div><label for="days">${t(lang, 'appeals.public.period')}</label>
<select id="days" name="days">${DAYS.map((d) => html`<option value="${String(d)}"${d === days ? raw(' selected') : ''}>${t(lang, 'appeals.public.days', { count: d })}</option>`)}</select></div>
<div><button type="submit" class="secondary">${t(lang, 'appeals.public.show')}</button></div></form>
<p>${formatDate(from, lang, c.time_zone, c.calendar)} — ${formatDate(to, lang, c.time_zone, c.calendar)}</p>
${scope(lang, req, s.categories)}
${s.total === 0 ? html`<p>${t(lang, 'appeals.public.no_data')}</p>` : html`
<dl class="stats" data-testid="totals">
<div><dt>${t(lang, 'appeals.public.total')}</dt><dd>${n(s.total)}</dd></div>
<div><dt>${t(lang, 'appeals.public.resolved')}</dt><dd>${n(s.resolved)}</dd></div>
<div><dt>${t(lang, 'appeals.public.open')}</dt><dd>${n(s.open)}</dd></div>
<div><dt>${t(lang, 'appeals.public.within_target')}</dt><dd>${pct(s.withinTarget, s.resolvedCounted)}</dd><dd class="hint">${t(lang, 'appeals.public.within_target_of', { share: n(s.withinTarget), total: n(s.resolvedCounted) })}</dd></div>
</dl>
${chart('by-category', t(lang, 'appeals.public.by_category'), s.byCategory.map((x) => [html`<span aria-hidden="true">${x.icon}</span> ${textIn(x.names, lang, c.default_lang)}`, x.n]))}
${chart('by-status', t(lang, 'appeals.public.by_status'), s.byStatus.map((x) => [t(lang, `appeals.status.${x.status}`), x.n]))}`}
<p><a href="${req.base}/${lang}/appeals/public">${t(lang, 'appeals.public.list_link')}</a></p>`;
    return send(req, reply, lang, t(lang, 'appeals.public.stats_title'), body);
  });

  r.get('/:lang/appeals/public', async (req, reply) => {
    const lang = langOf(req);
    const c = req.community;
    const q = z.object({ category: z.string().uuid().optional().catch(undefined), page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1) }).catch({ page: 1 }).parse(req.query ?? {});
    const { cats, list } = await withCommunity(app.db, c.id, async (tx) => {
      const categories = await publicCategories(tx);
      const category = categories.some((x) => x.id === q.category) ? q.category : undefined;
      return { cats: categories, list: { ...(await publicAppeals(tx, { categoryId: category, page: q.page })), category } };
    });
    const page = list.page;
    const catOf = new Map(cats.map((x) => [x.id, x]));
    const link = (p: number) => `${req.base}/${lang}/appeals/public?${list.category ? `category=${list.category}&` : ''}page=${p}`;
    const points = mapPoints(list.rows);
    const tiles = app.config.mapTiles;
    const map = tiles && points.length
      ? html`<h2>${t(lang, 'appeals.public.map')}</h2><p class="hint">${t(lang, 'appeals.public.map_hint')}</p>
<div id="appeals-map" dir="ltr" role="region" aria-label="${t(lang, 'appeals.public.map')}" data-tiles="${tiles}" data-attribution="${app.config.mapAttribution}" data-points="${JSON.stringify(points)}"></div>
<script src="${leafletUrl(req, '.js')}" defer></script><script src="${asset(req, 'map-', '.js')}" defer></script>`
      : '';
    const label = (k: Parameters<typeof t>[1]) => t(lang, k);
    const body = html`<h1>${t(lang, 'appeals.public.list_title')}</h1>
<p class="lead">${t(lang, 'appeals.public.list_lead')}</p>
<p class="hint" data-testid="privacy">${t(lang, 'appeals.public.privacy')}</p>
${scope(lang, req, cats)}
<form class="row" method="get" action="${req.base}/${lang}/appeals/public"><div><label for="category">${t(lang, 'appeals.public.category_filter')}</label>
<select id="category" name="category"><option value="">${t(lang, 'appeals.public.all_categories')}</option>${cats.map((x) => html`<option value="${x.id}"${x.id === list.category ? raw(' selected') : ''}>${x.icon} ${textIn(x.names, lang, c.default_lang)}</option>`)}</select></div>
<div><button type="submit" class="secondary">${t(lang, 'appeals.public.show')}</button></div></form>
${map}
${list.rows.length ? html`<table class="list" data-testid="public-appeals"><thead><tr><th scope="col">${label('appeals.public.number')}</th><th scope="col">${label('appeals.view.category')}</th><th scope="col">${label('appeals.view.status')}</th><th scope="col">${label('appeals.public.street')}</th><th scope="col">${label('appeals.public.date')}</th></tr></thead><tbody>
${list.rows.map((a) => {
    const cat = catOf.get(a.category_id);
    return html`<tr><td data-label="${label('appeals.public.number')}"><bdi class="ltr" dir="ltr">${a.number}</bdi></td><td data-label="${label('appeals.view.category')}">${cat ? html`<span aria-hidden="true">${cat.icon}</span> ${textIn(cat.names, lang, c.default_lang)}` : ''}</td><td data-label="${label('appeals.view.status')}">${t(lang, `appeals.status.${a.status}`)}</td><td data-label="${label('appeals.public.street')}">${a.street ?? '—'}</td><td data-label="${label('appeals.public.date')}">${formatDate(a.created_at, lang, c.time_zone, c.calendar)}</td></tr>`;
  })}
</tbody></table>` : html`<p>${t(lang, 'appeals.public.none')}</p>`}
${list.pages > 1 ? html`<nav class="paging" aria-label="${t(lang, 'appeals.public.paging')}"><ul>
${page > 1 ? html`<li><a href="${link(page - 1)}" rel="prev">${t(lang, 'appeals.public.prev')}</a></li>` : ''}
<li aria-current="page">${t(lang, 'appeals.public.page', { page })} / ${formatNumber(lang, list.pages)}</li>
${page < list.pages ? html`<li><a href="${link(page + 1)}" rel="next">${t(lang, 'appeals.public.next')}</a></li>` : ''}
</ul></nav>` : ''}
<p><a href="${req.base}/${lang}/appeals/stats">${t(lang, 'appeals.public.stats_link')}</a></p>`;
    return send(req, reply, lang, t(lang, 'appeals.public.list_title'), body, tiles && points.length ? html`<link rel="stylesheet" href="${leafletUrl(req, '.css')}">` : '');
  });
};
