// Emergency alerts on the portal: the banner on every page, each alert's page, and CAP 1.2
// (each message as XML, an Atom index of them) for other systems.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html, xml } from '../../http/html.ts';
import { notFound } from '../../http/errors.ts';
import { formatDate, pick, t, type Lang } from '../../i18n/i18n.ts';
import { withCommunity } from '../../db/db.ts';
import { activeAlerts, capXml, getAlert, recentMessages } from '../../modules/alerts/service.ts';
import { capTime } from '../../modules/alerts/cap.ts';
import type { AlertTexts } from '../../modules/alerts/tables.ts';
import { portalPage } from '../layout.ts';
import { langOf, sendPage } from './page.ts';

type Banner = { id: string; severity: string; texts: AlertTexts; v: number };
declare module 'fastify' {
  interface FastifyRequest {
    activeAlerts?: Banner[];
  }
}

// Every portal page asks; one query a second per community and process answers them all.
const TTL_MS = 1000;
const cache = new Map<string, { at: number; alerts: Promise<Banner[]> }>();

export async function loadBanner(app: App, req: FastifyRequest): Promise<void> {
  const id = req.community.id;
  let hit = cache.get(id);
  if (!hit || Date.now() - hit.at > TTL_MS) {
    hit = { at: Date.now(), alerts: withCommunity(app.db, id, (tx) => activeAlerts(tx)).then((rows) => rows.map((r) => ({ id: r.id, severity: r.severity, texts: r.texts, v: new Date(r.updated_at).getTime() }))) };
    cache.set(id, hit);
    hit.alerts.catch(() => cache.delete(id));
  }
  req.activeAlerts = await hit.alerts;
}

const Id = z.object({ id: z.string().uuid() });

export const portalAlerts = (app: App) => async (r: FastifyInstance) => {
  r.get('/:lang/alerts/:id', async (req, reply) => {
    const lang = langOf(req);
    const { id } = Id.parse(req.params);
    const c = req.community;
    const a = await withCommunity(app.db, c.id, (tx) => getAlert(tx, id));
    if (a.status === 'draft' || a.status === 'pending_approval') throw notFound();
    const l = a.texts[lang]?.headline ? lang : a.texts[c.default_lang] ? c.default_lang : (Object.keys(a.texts)[0] as Lang);
    const tx = a.texts[l]!;
    const date = (d: Date) => formatDate(new Date(d), lang, c.time_zone, c.calendar, true);
    const body = html`<article class="card alert-page"${l !== lang ? html` lang="${l}"` : ''}>
<p class="kicker">${t(lang, `alerts.event.${a.event}` as 'alerts.event.fire')} · ${t(lang, `alerts.severity.${a.severity}` as 'alerts.severity.Severe')}</p>
<h1>${tx.headline}</h1>
${a.status === 'cancelled' ? html`<p class="notice" role="status">${t(lang, 'alerts.page.cancelled', { date: date(a.cancelled_at!) })}</p>` : ''}
${tx.description ? html`<p>${tx.description}</p>` : ''}
${tx.instruction ? html`<h2>${t(lang, 'alerts.banner.more')}</h2><p><strong>${tx.instruction}</strong></p>` : ''}
<p>${t(lang, 'alerts.area')}: ${pick(a.area_desc, lang, c.default_lang) || pick(c.names, lang, c.default_lang)}</p>
<p class="hint">${t(lang, 'alerts.page.updated', { date: date(a.updated_at) })} · ${t(lang, 'alerts.page.expires', { date: date(a.expires_at) })}</p>
<p><a href="${req.base}/cap/alerts/${a.id}.xml" type="application/cap+xml">${t(lang, 'alerts.cap')}</a></p>
</article>`;
    return sendPage(reply.header('cache-control', 'public, max-age=10'), portalPage(req, { title: tx.headline, body, lang }));
  });

  r.get('/cap/alerts/:file', async (req, reply) => {
    const m = /^([0-9a-f-]{36})\.xml$/.exec((req.params as { file: string }).file);
    if (!m) throw notFound();
    const xml = await withCommunity(app.db, req.community.id, (tx) => capXml(tx, m[1]));
    if (!xml) throw notFound();
    return reply.type('application/cap+xml; charset=utf-8').header('cache-control', 'public, max-age=5').send(xml);
  });

  r.get('/cap/alerts.atom', async (req, reply) => {
    const c = req.community;
    const origin = app.config.publicUrl ?? `${req.protocol}://${req.host}`;
    const rows = await withCommunity(app.db, c.id, (tx) => recentMessages(tx));
    const lang = c.default_lang;
    const self = `${origin}${req.base}/cap/alerts.atom`;
    const updated = rows[0] ? capTime(new Date(rows[0].sent_at)) : capTime(new Date(0));
    const entries = rows.map((m) => {
      const texts = m.texts as AlertTexts;
      const head = texts[lang]?.headline ?? Object.values(texts)[0]?.headline ?? '';
      return `<entry><id>urn:citydesk:cap:${xml(m.identifier)}</id><title>${xml(`${m.msg_type}: ${head}`)}</title><updated>${capTime(new Date(m.sent_at))}</updated>`
        + `<link rel="alternate" type="application/cap+xml" href="${origin}${req.base}/cap/alerts/${m.id}.xml"/>`
        + `<link rel="related" type="text/html" href="${origin}${req.base}/${lang}/alerts/${m.alert_id}"/><summary>${xml(head)}</summary></entry>`;
    });
    const feed = `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>${xml(self)}</id><title>${xml(t(lang, 'alerts.feed.title', { community: pick(c.names, lang, lang) }))}</title>`
      + `<updated>${updated}</updated><link rel="self" href="${xml(self)}"/><author><name>${xml(pick(c.names, lang, lang))}</name></author>${entries.join('')}</feed>`;
    return reply.type('application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=5').send(feed);
  });
};
