import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import { requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { formatDate, formatNumber, t, type Lang } from '../../i18n/i18n.ts';
import { seesAllAppeals } from '../../modules/appeals/actions.ts';
import { localDate } from '../../modules/appeals/deadlines.ts';
import { dailyDigest, dayInstant, nextDay, overdueAppeals, previousDay, type Digest, type OverdueItem } from '../../modules/appeals/digest.ts';
import { consoleBase, consoleLang, sendConsole, when } from './layout.ts';
import { textIn } from '../text.ts';

// The daily digest page (A4): the same figures as the 08:00 e-mail to leadership, for any day
// (yesterday by default), and the overdue list (A7). Executors see only their own overdue list.

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)));

export const consoleAppealsDigest = (app: App) => async (r: FastifyInstance) => {
  r.get('/appeals/digest', async (req, reply) => {
    const s = requireStaff(req, 'appeals.use');
    const lang = consoleLang(req);
    const c = req.community;
    const yesterday = previousDay(localDate(new Date(), c.time_zone));
    const q = z.object({ date: Day.optional().catch(undefined) }).parse(req.query ?? {});
    const day = q.date ?? yesterday;
    const all = seesAllAppeals(s);
    const d = await withCommunity(app.db, c.id, async (tx) => ({
      digest: all ? await dailyDigest(tx, c, day) : null,
      // The e-mail of the morning after `day` carries `day`'s figures.
      sent: all ? await tx.selectFrom('appeal_daily_sends').select('sent_at').where('day', '=', nextDay(day)).where('kind', '=', 'digest').executeTakeFirst() : undefined,
      overdue: await overdueAppeals(tx, all ? { limit: 200 } : { executorOrgId: s.organisationId ?? '00000000-0000-0000-0000-000000000000', limit: 200 }),
    }));
    const base = `${consoleBase(req)}/appeals/digest`;
    const date = formatDate(dayInstant(day, c.time_zone), lang, c.time_zone, c.calendar);
    const body = html`<form class="row card" method="get" action="${base}"><div><label for="date">${t(lang, 'appeals.digest.date')}</label><input id="date" name="date" type="date" value="${day}" dir="ltr"></div>
<div><button type="submit" class="secondary">${t(lang, 'appeals.digest.show')}</button></div>
<div><a href="${base}?date=${previousDay(day)}" rel="prev">${t(lang, 'appeals.digest.prev')}</a>${day < yesterday ? html` · <a href="${base}?date=${nextDay(day)}" rel="next">${t(lang, 'appeals.digest.next')}</a>` : ''}</div></form>
${d.digest ? figures(req, lang, d.digest) : ''}
${d.digest ? html`<p class="muted" data-testid="digest-sent">${d.sent ? t(lang, 'appeals.digest.sent', { time: when(req, d.sent.sent_at) }) : t(lang, 'appeals.digest.not_sent')}</p>` : ''}
${overdueTable(req, lang, d.overdue, all)}`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.digest.title', { date }), body, active: '/appeals/digest' });
  });
};

function figures(req: FastifyRequest, lang: Lang, d: Digest): Html {
  const f = d.figures;
  const c = req.community;
  const n = (x: number) => formatNumber(lang, x);
  const pct = (a: number, b: number) => (b ? `${formatNumber(lang, Math.round((a / b) * 1000) / 10)}%` : '—');
  // The same list, wording and format as the dashboard's headline (appeals-dashboard.ts).
  return html`<section class="card"><dl class="facts" style="grid-template-columns:minmax(0,max-content) minmax(8rem,1fr)" data-testid="headline">
<dt>${t(lang, 'appeals.dash.total')}</dt><dd>${n(f.total)}</dd>
${(['phone', 'web', 'facebook', 'walk_in', 'email', 'messenger', 'open311'] as const).map((ch) => html`<dt>${t(lang, `appeals.channel.${ch}`)}</dt><dd>${n(f.byChannel[ch] ?? 0)}</dd>`)}
<dt>${t(lang, 'appeals.type.thanks')}</dt><dd>${n(f.byType.thanks ?? 0)}</dd>
<dt>${t(lang, 'appeals.dash.within3')}</dt><dd>${pct(f.resolvedWithin3Days, f.resolved)} <span class="muted">(${t(lang, 'appeals.dash.share', { share: n(f.resolvedWithin3Days), total: n(f.resolved) })})</span></dd>
<dt>${t(lang, 'appeals.dash.on_control')}</dt><dd>${n(f.onControl)}</dd>
<dt>${t(lang, 'appeals.dash.overdue_service')}</dt><dd>${n(f.overdueService)}</dd>
<dt>${t(lang, 'appeals.dash.overdue_legal')}</dt><dd>${n(f.overdueLegal)}</dd>
</dl><p><strong>${t(lang, 'appeals.digest.open_incidents')}:</strong> <a href="${consoleBase(req)}/appeals/incidents">${n(d.openIncidents)}</a></p></section>
<section class="card"><h2 id="worst">${t(lang, 'appeals.digest.worst')}</h2>
${d.worst.length ? html`<div role="region" tabindex="0" aria-labelledby="worst" style="overflow-x:auto;width:0;min-width:100%"><table data-testid="worst" aria-labelledby="worst"><thead><tr><th>${t(lang, 'appeals.console.executor')}</th><th>${t(lang, 'appeals.dash.count')}</th><th>${t(lang, 'appeals.dash.missed')}</th><th>${t(lang, 'appeals.dash.reopened')}</th><th>${t(lang, 'appeals.dash.bad')}</th><th>${t(lang, 'appeals.dash.open')}</th></tr></thead><tbody>
${d.worst.map((e) => html`<tr><td>${textIn(e.names, lang, c.default_lang)}</td><td>${n(e.total)}</td><td>${n(e.missed)} (${pct(e.missed, e.total)})</td><td>${n(e.reopened)}</td><td>${n(e.badRatings)}</td><td>${n(e.open)}</td></tr>`)}</tbody></table></div>`
    : html`<p>${t(lang, 'appeals.digest.no_worst')}</p>`}</section>`;
}

function overdueTable(req: FastifyRequest, lang: Lang, items: OverdueItem[], withExecutor: boolean): Html {
  const c = req.community;
  const base = `${consoleBase(req)}/appeals`;
  return html`<section class="card"><h2 id="overdue">${t(lang, 'appeals.overdue.title')} (${formatNumber(lang, items.length)})</h2>
${items.length ? html`<div role="region" tabindex="0" aria-labelledby="overdue" style="overflow-x:auto;width:0;min-width:100%"><table data-testid="overdue" aria-labelledby="overdue"><thead><tr><th>№</th><th>${t(lang, 'appeals.view.category')}</th><th>${t(lang, 'appeals.field.address')}</th><th>${t(lang, 'appeals.overdue.due')}</th>${withExecutor ? html`<th>${t(lang, 'appeals.console.executor')}</th>` : ''}</tr></thead><tbody>
${items.map((a) => html`<tr><td><a href="${base}/${a.id}">${a.number}</a></td><td>${a.icon} ${textIn(a.category_names, lang, c.default_lang)}</td><td>${a.address ?? '—'}</td>
<td class="overdue">${a.legal_missed && a.legal_due_at ? t(lang, 'appeals.overdue.legal', { date: when(req, a.legal_due_at) }) : t(lang, 'appeals.overdue.service', { date: when(req, a.service_due_at) })}</td>${withExecutor ? html`<td>${textIn(a.executor_names, lang, c.default_lang)}</td>` : ''}</tr>`)}</tbody></table></div>`
    : html`<p>${t(lang, 'appeals.overdue.none')}</p>`}</section>`;
}
