// The portal's outages: current and planned notices, "is my address affected?", each notice's
// page, subscriptions, and the same data as JSON, RSS and iCalendar. No JavaScript needed: the
// map (Leaflet, tiles from CITYDESK_MAP_TILES) comes after the lists and only adds to them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html, xml, type Html } from '../../http/html.ts';
import { checkCsrf, csrfToken, loadResident, mayBeResident } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { formatDate, pick, t, type Lang } from '../../i18n/i18n.ts';
import { addressById, resolveAddress, type AddressMatch } from '../../modules/addresses/service.ts';
import { getOutage, isStale, listOutages, outagesAt, subscribe, unsubscribe, type OutageRow } from '../../modules/outages/service.ts';
import { isConnected, loadSettings, PushSubscription, savePushSubscription } from '../../modules/channels/service.ts';
import { followInBrowser } from './push.ts';
import { OUTAGE_KINDS } from '../../modules/outages/tables.ts';
import { outageShapes, type OutageShape } from '../../modules/outages/map.ts';
import { mapScript, mapScripts, mapStyles } from './map-assets.ts';
import { portalPage } from '../layout.ts';
import { textIn } from '../text.ts';
import { langOf, sendPage } from './page.ts';
import { sendCached } from './news-cache.ts';

/** Draws each notice's area: emergency solid red, planned dashed blue (colour and line both
 * tell them apart); areas first, points on top, emergencies above planned; every shape's
 * popup links to the notice. The lists above have it all. */
const OUTAGES_MAP = mapScript('outages-map', `(function(){var el=document.getElementById('outages-map');var box=document.getElementById('outages-map-section');
if(!el||!box||!window.L||!window.citydeskMap)return;var items=JSON.parse(el.getAttribute('data-outages')||'[]');if(!items.length)return;
box.hidden=false;var legend=document.getElementById('outages-map-legend');
var map=citydeskMap(el,{},function(){if(legend)legend.hidden=true});if(!map)return;var esc=citydeskMapEsc;var all=[];
items.sort(function(a,b){return a.e-b.e});
var st=function(o){return o.e?{color:'#b3261e',weight:3,fillOpacity:0.25}:{color:'#0b57d0',weight:3,dashArray:'6 5',fillOpacity:0.12}};
var pop=function(o){return '<a href="'+esc(o.u)+'">'+esc(o.t)+'</a>'+(o.a?'<br>'+esc(o.a):'')};
items.forEach(function(o){o.g.forEach(function(ring){L.polygon(ring,st(o)).bindPopup(pop(o)).addTo(map);all=all.concat(ring)})});
items.forEach(function(o){o.p.forEach(function(pt){L.circleMarker(pt,Object.assign({radius:7},st(o))).bindPopup(pop(o)).addTo(map);all.push(pt)})});
map.fitBounds(all,{maxZoom:16,padding:[24,24]});})();`);

const Lookup = z.object({ q: z.string().max(200).optional(), street: z.string().uuid().optional(), building: z.string().uuid().optional(), subscribed: z.string().optional() });

export const portalOutages = (app: App) => async (r: FastifyInstance) => {
  const when = (req: FastifyRequest, lang: Lang, d: Date) => formatDate(new Date(d), lang, req.community.time_zone, req.community.calendar, true);
  const item = (req: FastifyRequest, lang: Lang, o: OutageRow) => html`<li class="card"><h3><a href="${req.base}/${lang}/outages/${o.id}">${t(lang, `outages.kind.${o.kind}`)}</a> — ${t(lang, o.emergency ? 'outages.emergency' : 'outages.planned')}</h3>
<p>${textIn(o.area_summary, lang, req.community.default_lang)}</p>
<p>${textIn(o.reason, lang, req.community.default_lang)}</p>
<p>${t(lang, 'outages.notice.when', { from: when(req, lang, o.starts_at), to: when(req, lang, o.expected_end_at) })}${isStale(o) ? html` <strong>${t(lang, 'outages.stale')}</strong>` : ''}</p>
<p class="hint">${textIn(o.org_names, lang, req.community.default_lang)}</p></li>`;
  /** The map of current and planned notices, after the lists; hidden until Leaflet draws it. */
  function outagesMap(req: FastifyRequest, lang: Lang, rows: OutageRow[], shapes: Map<string, OutageShape>): Html | '' {
    const tiles = app.config.mapTiles;
    const items = rows.map((o) => ({ o, s: shapes.get(o.id) })).filter((x) => x.s && (x.s.points.length || x.s.polygons.length)).map(({ o, s }) => ({
      e: o.emergency ? 1 : 0, u: `${req.base}/${lang}/outages/${o.id}`, t: `${t(lang, `outages.kind.${o.kind}`)} — ${t(lang, o.emergency ? 'outages.emergency' : 'outages.planned')}`,
      a: pick(o.area_summary, lang, req.community.default_lang).slice(0, 200), g: s!.polygons, p: s!.points,
    }));
    if (!tiles || !items.length) return '';
    return html`<section id="outages-map-section" data-map-part aria-labelledby="outages-map-title" hidden><h2 id="outages-map-title">${t(lang, 'outages.map')}</h2>
<p class="hint">${t(lang, 'outages.map.hint')}</p>
<ul class="citymap-legend" id="outages-map-legend" data-map-part><li><span class="citymap-swatch" style="color:#b3261e" aria-hidden="true"></span>${t(lang, 'outages.emergency')}</li><li><span class="citymap-swatch dashed" style="color:#0b57d0" aria-hidden="true"></span>${t(lang, 'outages.planned')}</li></ul>
<div id="outages-map" class="citymap" dir="ltr" role="region" aria-label="${t(lang, 'outages.map')}" data-status="outages-map-failed" data-tiles="${tiles}" data-attribution="${app.config.mapAttribution}" data-outages="${JSON.stringify(items)}"></div>
<p id="outages-map-failed" class="notice" role="status" data-map-part hidden>${t(lang, 'outages.map.failed')}</p></section>
${mapScripts(req, OUTAGES_MAP)}`;
  }

  const list = (req: FastifyRequest, lang: Lang, rows: OutageRow[]) => (rows.length ? html`<ul class="plain">${rows.map((o) => item(req, lang, o))}</ul>` : html`<p>${t(lang, 'outages.none')}</p>`);

  function subscribeForm(req: FastifyRequest, reply: FastifyReply, lang: Lang, a: AddressMatch) {
    const bot = app.config.telegram?.username;
    const viaBot = bot ? html` <a href="https://t.me/${bot}?start=outages">${t(lang, 'outages.bot.portal_link')}</a>` : '';
    if (!req.residentId) return html`<p>${t(lang, 'outages.subscribe.lead')} <a href="${req.base}/${lang}/login">${t(lang, 'nav.sign_in')}</a>${viaBot}</p>`;
    return html`<form class="stack card" method="post" action="${req.base}/${lang}/outages/subscribe"><input type="hidden" name="_csrf" value="${csrfToken(req, reply)}">
<h3>${t(lang, 'outages.subscribe')}</h3>
<input type="hidden" name="street" value="${a.streetId}">${a.buildingId ? html`<input type="hidden" name="building" value="${a.buildingId}">` : ''}
<fieldset><legend>${t(lang, 'outages.subscribe.kinds')}</legend>${OUTAGE_KINDS.map((k) => html`<label><input type="checkbox" name="kinds" value="${k}"> ${t(lang, `outages.kind.${k}`)}</label> `)}</fieldset>
<div><label for="channel">${t(lang, 'outages.subscribe.channel')}</label><select id="channel" name="channel">${(['email', 'sms', ...(app.config.telegram ? ['telegram'] : [])] as const).map((c) => html`<option value="${c}">${t(lang, `appeals.notify.${c as 'sms'}`)}</option>`)}</select></div>
<div><button type="submit">${t(lang, 'outages.subscribe')}</button></div></form>`;
  }

  r.get('/:lang/outages', async (req, reply) => {
    const lang = langOf(req);
    const c = req.community;
    const q = Lookup.parse(req.query ?? {});
    // A crisis surge reads this page: anonymous readers get it from the page cache (keyed by
    // URL and the active alerts); a signed-in resident's page (subscribe form) is rendered afresh.
    return sendCached(req, reply, { personal: true }, async () => {
    if (mayBeResident(req)) await loadResident(app, req);
    const { current, planned, lookup, shapes, pushKey } = await withCommunity(app.db, c.id, async (tx) => {
      let lookup: { match?: AddressMatch; options?: AddressMatch[]; hits?: OutageRow[]; none?: boolean } | null = null;
      if (q.street) {
        const m = await addressById(tx, q.street, q.building ?? null, null, lang, c.default_lang);
        lookup = m ? { match: m, hits: await outagesAt(tx, m) } : { none: true };
      } else if (q.q?.trim()) {
        const res = await resolveAddress(tx, q.q, lang, c.default_lang);
        lookup = res.status === 'matched' ? { match: res.match, hits: await outagesAt(tx, res.match) } : res.status === 'ambiguous' ? { options: res.options } : { none: true };
      }
      const current = await listOutages(tx, { when: 'current' });
      const planned = await listOutages(tx, { when: 'planned' });
      const shapes = app.config.mapTiles ? await outageShapes(tx, [...current, ...planned].map((o) => o.id)) : new Map<string, OutageShape>();
      const push = lookup?.match ? (await loadSettings(tx)).get('webpush') : undefined;
      const pushKey = push && isConnected(push) ? String(push.config.vapid_public ?? '') : '';
      return { current, planned, lookup, shapes, pushKey };
    });
    const map = outagesMap(req, lang, [...current, ...planned], shapes);
    const body = html`<h1>${t(lang, 'outages.title')}</h1><p class="lead">${t(lang, 'outages.lead')}</p>
<form class="card stack" method="get" action="${req.base}/${lang}/outages" role="search"><h2><label for="q">${t(lang, 'outages.lookup')}</label></h2>
<div class="row"><input id="q" name="q" value="${q.q ?? ''}" maxlength="200" autocomplete="street-address" placeholder="${t(lang, 'outages.lookup.field')}"><button type="submit">${t(lang, 'outages.lookup.button')}</button></div></form>
${lookup ? html`<section class="card" aria-live="polite" data-testid="lookup">
${lookup.none ? html`<p>${t(lang, 'outages.lookup.not_found')}</p>` : ''}
${lookup.options ? html`<p>${t(lang, 'outages.lookup.choose')}</p><ul>${lookup.options.map((o) => html`<li><a href="${req.base}/${lang}/outages?street=${o.streetId}${o.buildingId ? `&building=${o.buildingId}` : ''}">${o.label}</a></li>`)}</ul>` : ''}
${lookup.match ? html`${q.subscribed ? html`<p class="notice" role="status">${t(lang, 'outages.subscribe.done', { address: lookup.match.label })}</p>` : ''}
<p><strong>${lookup.hits!.length ? t(lang, 'outages.lookup.found', { count: lookup.hits!.length, address: lookup.match.label }) : t(lang, 'outages.lookup.none', { address: lookup.match.label })}</strong></p>
${lookup.hits!.length ? list(req, lang, lookup.hits!) : ''}${subscribeForm(req, reply, lang, lookup.match)}${pushKey ? followInBrowser(req, lang, pushKey, lookup.match) : ''}` : ''}</section>` : ''}
<section><h2>${t(lang, 'outages.current')}</h2>${list(req, lang, current)}</section>
<section><h2>${t(lang, 'outages.planned_list')}</h2>${list(req, lang, planned)}</section>
${map}
<p>${t(lang, 'outages.feeds')}: <a href="${req.base}/${lang}/outages.rss">RSS</a> · <a href="${req.base}/${lang}/outages.json">JSON</a> · <a href="${req.base}/${lang}/outages.ics">iCalendar</a></p>`;
    const head = html`<link rel="alternate" type="application/rss+xml" title="${t(lang, 'outages.title')}" href="${req.base}/${lang}/outages.rss">${map ? mapStyles(req) : ''}`;
    return { body: portalPage(req, { title: t(lang, 'outages.title'), body, lang, head }).value, type: 'text/html; charset=utf-8' };
    });
  });

  r.get('/:lang/outages/:id', async (req, reply) => {
    const lang = langOf(req);
    const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
    const c = req.community;
    const o = await withCommunity(app.db, c.id, (tx) => getOutage(tx, id));
    const body = html`<article class="card"><p class="kicker">${t(lang, o.emergency ? 'outages.emergency' : 'outages.planned')} · ${textIn(o.org_names, lang, c.default_lang)}</p>
<h1>${t(lang, `outages.kind.${o.kind}`)}</h1>
${isStale(o) ? html`<p class="alert" role="status">${t(lang, 'outages.stale')}</p>` : ''}
<dl class="facts"><dt>${t(lang, 'outages.area')}</dt><dd>${textIn(o.area_summary, lang, c.default_lang)}</dd>
<dt>${t(lang, 'outages.reason')}</dt><dd>${textIn(o.reason, lang, c.default_lang)}</dd>
<dt>${t(lang, 'outages.starts')}</dt><dd>${when(req, lang, o.starts_at)}</dd>
<dt>${t(lang, o.actual_end_at ? 'outages.actual_end' : 'outages.ends')}</dt><dd>${when(req, lang, o.actual_end_at ?? o.expected_end_at)}</dd>
${o.contact ? html`<dt>${t(lang, 'outages.contact')}</dt><dd>${o.contact}</dd>` : ''}</dl>
<h2>${t(lang, 'outages.timeline')}</h2><ol>${o.updates.map((u) => html`<li>${when(req, lang, u.at)} — ${t(lang, `outages.update.${u.kind}`)}${u.kind === 'expected_end' && u.expected_end_at ? html` (${when(req, lang, u.expected_end_at)})` : ''}${pick(u.note, lang, c.default_lang) ? html`: ${textIn(u.note, lang, c.default_lang)}` : ''}</li>`)}</ol></article>`;
    return sendPage(reply.header('cache-control', 'public, max-age=30'), portalPage(req, { title: t(lang, `outages.kind.${o.kind}`), body, lang }));
  });

  r.post('/:lang/outages/subscribe', async (req, reply) => {
    const lang = langOf(req);
    await loadResident(app, req);
    if (!req.residentId) return reply.redirect(`${req.base}/${lang}/login`, 303);
    checkCsrf(req);
    const c = req.community;
    const f = z.object({ street: z.string().uuid(), building: z.string().uuid().optional(), channel: z.enum(['email', 'sms', 'telegram']), kinds: z.union([z.string(), z.array(z.string())]).optional() }).parse(req.body ?? {});
    const back = await withCommunity(app.db, c.id, async (tx) => {
      const a = await addressById(tx, f.street, f.building ?? null, null, lang, c.default_lang);
      const me = await tx.selectFrom('residents').select(['email', 'phone', 'telegram_chat_id']).where('id', '=', req.residentId!).executeTakeFirstOrThrow();
      const recipient = f.channel === 'email' ? me.email : f.channel === 'sms' ? me.phone : me.telegram_chat_id;
      if (!a || !recipient) return null;
      await subscribe(tx, { communityId: c.id, residentId: req.residentId!, channel: f.channel, recipient, address: a, kinds: [f.kinds ?? []].flat(), lang }, actorOf(req));
      return `${req.base}/${lang}/outages?street=${a.streetId}${a.buildingId ? `&building=${a.buildingId}` : ''}&subscribed=1`;
    });
    if (!back) {
      const body = html`<h1>${t(lang, 'outages.subscribe')}</h1><p class="alert" role="alert">${t(lang, f.channel === 'telegram' ? 'telegram.error.not_linked' : 'outages.lookup.not_found')}</p><p><a href="${req.base}/${lang}/account">${t(lang, 'nav.my_account')}</a></p>`;
      return sendPage(reply, portalPage(req, { title: t(lang, 'outages.subscribe'), body, lang }), 400);
    }
    return reply.redirect(back, 303);
  });

  // "Notify me in this browser" (outages-push.js): the browser's push subscription follows the
  // address, no sign-in needed (the subscription is the browser's, and holds no personal data).
  r.post('/:lang/outages/subscribe-push', async (req, reply) => {
    const lang = langOf(req);
    const c = req.community;
    const fail = (key: 'error.invalid' | 'outages.lookup.not_found' | 'channels.push.not_connected') => reply.code(400).send({ error: { code: 'invalid_input', message: t(lang, key) } });
    const f = z.object({ subscription: PushSubscription, street: z.string().uuid(), building: z.string().uuid().optional(), kinds: z.array(z.string().max(40)).max(20).default([]) }).safeParse(req.body ?? {});
    if (!f.success) return fail('error.invalid');
    const done = await withCommunity(app.db, c.id, async (tx) => {
      if (!isConnected((await loadSettings(tx)).get('webpush'))) return 'channels.push.not_connected' as const;
      const a = await addressById(tx, f.data.street, f.data.building ?? null, null, lang, c.default_lang);
      if (!a) return 'outages.lookup.not_found' as const;
      const id = await savePushSubscription(tx, c.id, f.data.subscription, lang, ['outages']);
      await subscribe(tx, { communityId: c.id, residentId: null, channel: 'webpush', recipient: id, address: a, kinds: f.data.kinds, lang }, actorOf(req));
      return a;
    });
    if (typeof done === 'string') return fail(done);
    return reply.code(201).send({ ok: true, message: t(lang, 'outages.push.done', { address: done.label }) });
  });

  // The link in every message: a page with a button (mail scanners follow links; they do not press buttons).
  r.get('/:lang/outages/unsubscribe/:token', async (req, reply) => {
    const lang = langOf(req);
    const { token } = z.object({ token: z.string().max(64) }).parse(req.params);
    const body = html`<h1>${t(lang, 'outages.subscribe.mine')}</h1><form method="post" action="${req.base}/${lang}/outages/unsubscribe/${token}"><input type="hidden" name="_csrf" value="${csrfToken(req, reply)}"><button type="submit">${t(lang, 'outages.notice.unsubscribe', { link: '' }).replace(/[:：]\s*$/, '')}</button></form>`;
    return sendPage(reply, portalPage(req, { title: t(lang, 'outages.subscribe.mine'), body, lang }));
  });
  r.post('/:lang/outages/unsubscribe/:token', async (req, reply) => {
    const lang = langOf(req);
    checkCsrf(req);
    const { token } = z.object({ token: z.string().max(64) }).parse(req.params);
    const ok = await withCommunity(app.db, req.community.id, (tx) => unsubscribe(tx, token));
    const body = html`<h1>${t(lang, 'outages.subscribe.mine')}</h1><p role="status">${t(lang, ok ? 'outages.unsubscribe.done' : 'outages.unsubscribe.unknown')}</p>`;
    return sendPage(reply, portalPage(req, { title: t(lang, 'outages.subscribe.mine'), body, lang }), ok ? 200 : 404);
  });

  const feedRows = (req: FastifyRequest) => withCommunity(app.db, req.community.id, async (tx) => [...(await listOutages(tx, { when: 'current' })), ...(await listOutages(tx, { when: 'planned' }))]);
  const origin = (req: FastifyRequest) => app.config.publicUrl ?? `${req.protocol}://${req.host}`;

  r.get('/:lang/outages.json', async (req, reply) => {
    const lang = langOf(req);
    const c = req.community;
    const rows = await feedRows(req);
    return reply.header('cache-control', 'public, max-age=30').send({ items: rows.map((o) => ({
      id: o.id, url: `${origin(req)}${req.base}/${lang}/outages/${o.id}`, kind: o.kind, emergency: o.emergency, stale: isStale(o),
      organisation: pick(o.org_names, lang, c.default_lang), area: pick(o.area_summary, lang, c.default_lang), reason: pick(o.reason, lang, c.default_lang),
      starts_at: new Date(o.starts_at).toISOString(), expected_end_at: new Date(o.expected_end_at).toISOString(),
    })) });
  });

  r.get('/:lang/outages.rss', async (req, reply) => {
    const lang = langOf(req);
    const c = req.community;
    const rows = await feedRows(req);
    const self = `${origin(req)}${req.base}/${lang}/outages`;
    const items = rows.map((o) => `<item><title>${xml(`${t(lang, `outages.kind.${o.kind}`)} — ${t(lang, o.emergency ? 'outages.emergency' : 'outages.planned')}: ${pick(o.area_summary, lang, c.default_lang)}`)}</title>`
      + `<link>${self}/${o.id}</link><guid isPermaLink="false">outage-${o.id}-${new Date(o.last_update_at).getTime()}</guid><pubDate>${new Date(o.last_update_at).toUTCString()}</pubDate>`
      + `<description>${xml(`${t(lang, 'outages.notice.when', { from: when(req, lang, o.starts_at), to: when(req, lang, o.expected_end_at) })} ${pick(o.reason, lang, c.default_lang)}`)}</description></item>`);
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${xml(`${t(lang, 'outages.title')} — ${pick(c.names, lang, c.default_lang)}`)}</title><link>${self}</link><description>${xml(t(lang, 'outages.lead'))}</description><language>${lang}</language>${items.join('')}</channel></rss>`;
    return reply.type('application/rss+xml; charset=utf-8').header('cache-control', 'public, max-age=30').send(body);
  });

  r.get('/:lang/outages.ics', async (req, reply) => {
    const lang = langOf(req);
    const c = req.community;
    const rows = (await feedRows(req)).filter((o) => !o.emergency);
    const stamp = (d: Date) => new Date(d).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/[,;]/g, (m) => `\\${m}`).replace(/\r?\n/g, '\\n');
    const fold = (line: string) => line.match(/.{1,70}/gu)?.join('\r\n ') ?? line;
    const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:-//CityDesk//Outages ${c.slug}//${lang.toUpperCase()}`, 'CALSCALE:GREGORIAN', `X-WR-CALNAME:${esc(`${t(lang, 'outages.planned_list')} — ${pick(c.names, lang, c.default_lang)}`)}`,
      ...rows.flatMap((o) => ['BEGIN:VEVENT', `UID:outage-${o.id}@citydesk`, `DTSTAMP:${stamp(o.last_update_at)}`, `DTSTART:${stamp(o.starts_at)}`, `DTEND:${stamp(o.expected_end_at)}`,
        `SUMMARY:${esc(`${t(lang, `outages.kind.${o.kind}`)}: ${pick(o.area_summary, lang, c.default_lang)}`)}`, `DESCRIPTION:${esc(pick(o.reason, lang, c.default_lang))}`,
        `URL:${origin(req)}${req.base}/${lang}/outages/${o.id}`, 'END:VEVENT']),
      'END:VCALENDAR'];
    return reply.type('text/calendar; charset=utf-8').header('cache-control', 'public, max-age=300').send(`${lines.map(fold).join('\r\n')}\r\n`);
  });
};
