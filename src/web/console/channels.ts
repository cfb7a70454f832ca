// Console: channel settings (connect, test), every delivery with its state, link and error
// (retry a failed one, resolve an "unknown" one), and the press list.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { forgetNewsPages } from '../portal/news-cache.ts';
import { z, ZodError } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { t, LANGS, type MessageKey } from '../../i18n/i18n.ts';
import * as ch from '../../modules/channels/service.ts';
import { printPdf } from '../../modules/channels/print.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';

type Msg = { notice?: string; error?: string };
const STATUSES = ['queued', 'sending', 'sent', 'failed', 'unknown', 'skipped'] as const;

export const consoleChannels = (app: App) => async (r: FastifyInstance) => {
  const inTx = <T>(req: FastifyRequest, fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(app.db, req.community.id, fn);
  const origin = (req: FastifyRequest) => app.config.publicUrl ?? `${req.protocol}://${req.headers.host}${req.base}`;

  async function settingsPage(req: FastifyRequest, reply: FastifyReply, msg: Msg = {}, status = 200, typed: Record<string, string> = {}) {
    requireStaff(req, 'channels.manage');
    const lang = consoleLang(req);
    const base = `${consoleBase(req)}/channels`;
    const settings = await inTx(req, (tx) => ch.loadSettings(tx));
    const cards = ch.CHANNELS.map((kind) => {
      const s = settings.get(kind);
      const adapter = ch.adapterFor(kind);
      const connected = ch.isConnected(s);
      const fields = adapter.fields.map((f) => {
        const id = `${kind}-${f.name}`;
        const stored = s?.config[f.name];
        const value = f.secret ? '' : (typed[f.name] ?? (typeof stored === 'string' ? stored : ''));
        const hint = f.secret && stored ? html`<span class="hint" id="${id}-hint">${t(lang, 'channels.settings.secret_kept', { masked: ch.mask(stored) })}</span>` : '';
        return html`<div><label for="${id}">${t(lang, `channels.field.${f.name}` as MessageKey)}</label>${hint}<input id="${id}" name="${f.name}" value="${value}" autocomplete="off"${f.secret && stored ? html` aria-describedby="${id}-hint"` : ''}${f.secret ? html` type="password"` : ''}></div>`;
      });
      return html`<section class="card" aria-labelledby="h-${kind}" data-channel="${kind}"><h2 id="h-${kind}">${t(lang, `channels.name.${kind}`)} — <span data-testid="status-${kind}">${t(lang, connected ? 'channels.status.connected' : 'channels.status.not_connected')}</span></h2>
<form class="stack" method="post" action="${base}/${kind}">${hidden(req, reply)}
${kind === 'webpush' ? html`<p class="hint">${t(lang, 'channels.settings.vapid_note')}</p>` : fields}
<div><label><input type="checkbox" name="enabled"${s?.enabled ? ' checked' : ''}> ${t(lang, 'channels.settings.enabled')}</label></div>
<div><button type="submit">${t(lang, 'channels.settings.save')}</button></div></form>
${adapter.test ? html`<form class="inline" method="post" action="${base}/${kind}/test">${hidden(req, reply)}<button class="secondary" type="submit">${t(lang, 'channels.settings.test')}</button></form>` : ''}</section>`;
    });
    const body = html`<p>${t(lang, 'channels.settings.lead')}</p>
<nav class="row" aria-label="${t(lang, 'channels.nav')}"><a href="${base}/deliveries">${t(lang, 'channels.deliveries.title')}</a> · <a href="${base}/press">${t(lang, 'channels.press.title')}</a></nav>
${cards}`;
    return sendConsole(req, reply, { title: t(lang, 'channels.settings.title'), body, active: '/channels', notice: msg.notice, error: msg.error }, status);
  }

  r.get('/channels', (req, reply) => settingsPage(req, reply));

  r.post('/channels/:kind', async (req, reply) => {
    requireStaff(req, 'channels.manage');
    checkCsrf(req);
    const lang = consoleLang(req);
    const kind = z.enum(ch.CHANNELS).safeParse((req.params as { kind: string }).kind);
    if (!kind.success) throw notFound();
    const f = z.record(z.string(), z.string().max(4000)).parse(req.body ?? {});
    try {
      await inTx(req, async (tx) => {
        if (kind.data === 'webpush') {
          return f.enabled === 'on' ? ch.ensureVapid(tx, actorOf(req), `mailto:${req.community.contacts.email ?? 'press@citydesk.local'}`) : ch.disableWebPush(tx, actorOf(req));
        }
        return ch.saveSettings(tx, actorOf(req), kind.data, f, f.enabled === 'on');
      });
      // The portal's cached pages show web push's button (outages) only while it is on.
      if (kind.data === 'webpush') forgetNewsPages(req.community.id);
      return settingsPage(req, reply, { notice: t(lang, 'channels.settings.saved') });
    } catch (e) {
      if (e instanceof AppError && e.status < 500) return settingsPage(req, reply, { error: t(lang, e.key) }, e.status, f);
      throw e;
    }
  });

  r.post('/channels/:kind/test', async (req, reply) => {
    requireStaff(req, 'channels.manage');
    checkCsrf(req);
    const lang = consoleLang(req);
    const kind = z.enum(ch.CHANNELS).safeParse((req.params as { kind: string }).kind);
    if (!kind.success) throw notFound();
    const res = await ch.testChannel(app.db, req.community.id, kind.data, origin(req));
    return res.ok
      ? settingsPage(req, reply, { notice: t(lang, 'channels.settings.test_ok', { name: res.name }) })
      : settingsPage(req, reply, { error: t(lang, 'channels.settings.test_failed', { detail: res.detail }) }, 400);
  });

  async function deliveriesPage(req: FastifyRequest, reply: FastifyReply, msg: Msg = {}, status = 200) {
    requireStaff(req, 'channels.manage');
    const lang = consoleLang(req);
    const base = `${consoleBase(req)}/channels/deliveries`;
    const q = z.object({ status: z.enum(STATUSES).optional().catch(undefined), source: z.string().max(100).optional() }).parse(req.query ?? {});
    const rows = await inTx(req, (tx) => ch.listDeliveries(tx, { status: q.status, sourceId: q.source, limit: 300 }));
    const errorOf = (d: ch.Delivery): Html | string => {
      const e = ch.parseError(d.error);
      if (!e) return '';
      return html`${t(lang, e.key, { detail: e.detail ?? '', ...(e.params ?? {}) })}`;
    };
    const actions = (d: ch.Delivery) => {
      if (d.status === 'failed' || d.status === 'skipped') {
        return html`<form class="inline" method="post" action="${base}/${d.id}/retry">${hidden(req, reply)}<button type="submit" class="secondary">${t(lang, 'channels.retry')}</button></form>`;
      }
      if (d.status !== 'unknown') return '';
      return html`<form class="stack" method="post" action="${base}/${d.id}/resolve">${hidden(req, reply)}
<div><label for="u-${d.id}">${t(lang, 'channels.resolve.link')}</label><input id="u-${d.id}" name="external_url" type="url"></div>
<div><button type="submit" name="posted" value="yes">${t(lang, 'channels.resolve.posted')}</button> <button type="submit" name="posted" value="no" class="secondary">${t(lang, 'channels.resolve.again')}</button></div></form>`;
    };
    const body = html`<nav class="row" aria-label="${t(lang, 'channels.col.status')}"><a href="${base}"${!q.status ? html` aria-current="page"` : ''}>${t(lang, 'channels.filter.all')}</a>${STATUSES.map((s) => html` · <a href="${base}?status=${s}"${q.status === s ? html` aria-current="page"` : ''}>${t(lang, `channels.dstatus.${s}`)}</a>`)}</nav>
${rows.length ? html`<div style="overflow-x:auto"><table data-testid="deliveries"><thead><tr><th>${t(lang, 'channels.col.when')}</th><th>${t(lang, 'channels.col.source')}</th><th>${t(lang, 'channels.col.channel')}</th><th>${t(lang, 'channels.col.status')}</th><th>${t(lang, 'channels.col.link')}</th><th>${t(lang, 'channels.col.error')}</th><th>${t(lang, 'channels.col.attempts')}</th></tr></thead><tbody>
${rows.map((d) => html`<tr data-status="${d.status}"><td>${when(req, d.created_at)}</td><td>${d.payload.title} <span class="muted">(${d.lang}, v${d.version}, ${t(lang, `channels.action.${d.action}`)})</span></td><td>${t(lang, `channels.name.${d.channel}`)}</td>
<td><strong>${t(lang, `channels.dstatus.${d.status}`)}</strong></td><td>${d.external_url && /^https?:\/\//.test(d.external_url) ? html`<a href="${d.external_url}" rel="noopener">${d.channel === 'print' ? t(lang, 'channels.print.download') : d.external_url}</a>` : '—'}</td><td>${errorOf(d)}${actions(d)}</td><td>${d.attempts}</td></tr>`)}
</tbody></table></div>` : html`<p>${t(lang, 'channels.deliveries.empty')}</p>`}`;
    return sendConsole(req, reply, { title: t(lang, 'channels.deliveries.title'), body, active: '/channels', notice: msg.notice, error: msg.error }, status);
  }

  r.get('/channels/deliveries', (req, reply) => deliveriesPage(req, reply));

  r.post('/channels/deliveries/:id/:action', async (req, reply) => {
    requireStaff(req, 'channels.manage');
    checkCsrf(req);
    const lang = consoleLang(req);
    const p = z.object({ id: z.string().uuid(), action: z.enum(['retry', 'resolve']) }).safeParse(req.params);
    if (!p.success) throw notFound();
    const f = z.record(z.string(), z.string().max(2000)).parse(req.body ?? {});
    try {
      await inTx(req, (tx) => p.data.action === 'retry'
        ? ch.retryDelivery(tx, app.queue, p.data.id, actorOf(req))
        : ch.resolveUnknown(tx, app.queue, p.data.id, { posted: f.posted === 'yes', externalUrl: f.external_url }, actorOf(req)));
      return deliveriesPage(req, reply, { notice: t(lang, p.data.action === 'retry' ? 'channels.retried' : 'channels.resolved') });
    } catch (e) {
      if (e instanceof AppError && e.status < 500 && e.status !== 404) return deliveriesPage(req, reply, { error: t(lang, e.key) }, e.status);
      throw e;
    }
  });

  r.get('/channels/deliveries/:id/print.pdf', async (req, reply) => {
    requireStaff(req, 'channels.manage');
    const id = z.string().uuid().safeParse((req.params as { id: string }).id);
    if (!id.success) throw notFound();
    const d = await inTx(req, (tx) => ch.getDelivery(tx, id.data));
    if (!d || d.channel !== 'print') throw notFound();
    const pdf = await printPdf(d.payload);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="print-${d.source_id}-v${d.version}.pdf"`).send(pdf);
  });

  async function pressPage(req: FastifyRequest, reply: FastifyReply, msg: Msg = {}, status = 200, typed: Record<string, string> = {}, errors: Record<string, string> = {}) {
    requireStaff(req, 'channels.manage');
    const lang = consoleLang(req);
    const base = `${consoleBase(req)}/channels/press`;
    const list = await inTx(req, (tx) => ch.listPress(tx));
    const field = (name: string, type = 'text', required = true) => html`<div><label for="p-${name}">${t(lang, `channels.press.${name}` as MessageKey)}</label>${errors[name] ? html`<p class="alert" id="p-${name}-error">${errors[name]}</p>` : ''}<input id="p-${name}" name="${name}" type="${type}" value="${typed[name] ?? ''}"${required ? ' required' : ''}${errors[name] ? html` aria-invalid="true" aria-describedby="p-${name}-error"` : ''}></div>`;
    const body = html`<p>${t(lang, 'channels.press.lead')}</p>
<section class="card"><h2>${t(lang, 'channels.press.add')}</h2><form class="stack" method="post" action="${base}">${hidden(req, reply)}
${field('name')}${field('email', 'email')}${field('outlet', 'text', false)}
<div><label for="p-lang">${t(lang, 'channels.press.lang')}</label><select id="p-lang" name="lang">${LANGS.map((l) => html`<option value="${l}"${(typed.lang ?? 'uk') === l ? ' selected' : ''}>${t(lang, `lang.${l}`)}</option>`)}</select></div>
<div><button type="submit">${t(lang, 'channels.press.add')}</button></div></form></section>
${list.length ? html`<table data-testid="press"><thead><tr><th>${t(lang, 'channels.press.name')}</th><th>${t(lang, 'channels.press.email')}</th><th>${t(lang, 'channels.press.outlet')}</th><th>${t(lang, 'channels.press.lang')}</th></tr></thead><tbody>
${list.map((p) => html`<tr><td>${p.name}${p.unsubscribed_at ? html` <span class="muted">(${t(lang, 'channels.press.unsubscribed', { date: when(req, p.unsubscribed_at) })})</span>` : ''}</td><td><span class="mono">${p.email}</span></td><td>${p.outlet ?? ''}</td><td>${t(lang, `lang.${p.lang}`)}</td></tr>`)}</tbody></table>` : html`<p>${t(lang, 'channels.press.empty')}</p>`}`;
    return sendConsole(req, reply, { title: t(lang, 'channels.press.title'), body, active: '/channels', notice: msg.notice, error: msg.error }, status);
  }

  r.get('/channels/press', (req, reply) => pressPage(req, reply));

  r.post('/channels/press', async (req, reply) => {
    requireStaff(req, 'channels.manage');
    checkCsrf(req);
    const lang = consoleLang(req);
    const f = z.record(z.string(), z.string().max(1000)).parse(req.body ?? {});
    try {
      await inTx(req, (tx) => ch.addPressContact(tx, actorOf(req), f));
      return pressPage(req, reply, { notice: t(lang, 'channels.press.added') });
    } catch (e) {
      if (e instanceof ZodError) {
        const errors = Object.fromEntries(e.issues.map((i) => [String(i.path[0]), t(lang, 'channels.error.field')]));
        return pressPage(req, reply, { error: t(lang, 'error.invalid') }, 400, f, errors);
      }
      if (e instanceof AppError && e.status < 500) return pressPage(req, reply, { error: t(lang, e.key) }, e.status, f, { email: t(lang, e.key) });
      throw e;
    }
  });
};
