import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { forbidden } from '../../http/errors.ts';
import { requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { formatNumber, t, type MessageKey } from '../../i18n/i18n.ts';
import { periodDashboard } from '../../modules/appeals/dashboard.ts';
import { seesAllAppeals } from '../../modules/appeals/actions.ts';
import { localDate, zonedTimeToUtc } from '../../modules/appeals/deadlines.ts';
import { consoleBase, consoleLang, sendConsole } from './layout.ts';
import { textIn } from '../text.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const appealsDashboard = (app: App) => async (r: FastifyInstance) => {
  r.get('/appeals/dashboard', async (req, reply) => {
    const s = requireStaff(req, 'appeals.use');
    if (!seesAllAppeals(s)) throw forbidden();
    const lang = consoleLang(req);
    const c = req.community;
    const today = localDate(new Date(), c.time_zone);
    const q = z.object({ from: Day.optional(), to: Day.optional() }).parse(req.query ?? {});
    const from = q.from ?? localDate(new Date(Date.now() - 90 * 86400_000), c.time_zone);
    const to = q.to ?? today;
    const at = (d: string, plusDays = 0) => {
      const [y, m, dd] = d.split('-').map(Number);
      return zonedTimeToUtc(y, m, dd + plusDays, 0, 0, c.time_zone);
    };
    const d = await withCommunity(app.db, c.id, (tx) => periodDashboard(tx, { from: at(from), to: at(to, 1) }));
    const n = (x: number) => formatNumber(lang, x);
    const pct = (a: number, b: number) => (b ? `${formatNumber(lang, Math.round((a / b) * 1000) / 10)}%` : '—');
    const table = (title: MessageKey, rows: Array<[string | ReturnType<typeof html>, number]>) => html`<section class="card"><h2>${t(lang, title)}</h2>
<table><thead><tr><th>${t(lang, title)}</th><th>${t(lang, 'appeals.dash.count')}</th></tr></thead><tbody>${rows.map(([k, v]) => html`<tr><td>${k}</td><td>${n(v)}</td></tr>`)}</tbody></table></section>`;
    const body = html`<form class="row" method="get">
<div><label for="from">${t(lang, 'appeals.dash.from')}</label><input id="from" name="from" type="date" value="${from}"></div>
<div><label for="to">${t(lang, 'appeals.dash.to')}</label><input id="to" name="to" type="date" value="${to}"></div>
<div><button type="submit" class="secondary">${t(lang, 'appeals.dash.show')}</button></div></form>
<section class="card"><dl class="facts" data-testid="headline">
<dt>${t(lang, 'appeals.dash.total')}</dt><dd>${n(d.total)}</dd>
${(['phone', 'web', 'facebook', 'walk_in', 'email', 'messenger', 'open311'] as const).map((ch) => html`<dt>${t(lang, `appeals.channel.${ch}`)}</dt><dd>${n(d.byChannel[ch] ?? 0)}</dd>`)}
<dt>${t(lang, 'appeals.type.thanks')}</dt><dd>${n(d.byType.thanks ?? 0)}</dd>
<dt>${t(lang, 'appeals.dash.within3')}</dt><dd>${pct(d.resolvedWithin3Days, d.resolved)} <span class="muted">(${t(lang, 'appeals.dash.share', { share: n(d.resolvedWithin3Days), total: n(d.resolved) })})</span></dd>
<dt>${t(lang, 'appeals.dash.on_control')}</dt><dd>${n(d.onControl)}</dd>
<dt>${t(lang, 'appeals.dash.overdue_service')}</dt><dd>${n(d.overdueService)}</dd>
<dt>${t(lang, 'appeals.dash.overdue_legal')}</dt><dd>${n(d.overdueLegal)}</dd>
</dl></section>
<section class="card"><h2>${t(lang, 'appeals.dash.red_tape')}</h2><table data-testid="executors"><thead><tr><th>${t(lang, 'appeals.console.executor')}</th><th>${t(lang, 'appeals.dash.count')}</th><th>${t(lang, 'appeals.dash.missed')}</th><th>${t(lang, 'appeals.dash.reopened')}</th><th>${t(lang, 'appeals.dash.bad')}</th><th>${t(lang, 'appeals.dash.open')}</th></tr></thead><tbody>
${d.executors.map((e) => html`<tr><td>${textIn(e.names, lang, c.default_lang)}</td><td>${n(e.total)}</td><td>${n(e.missed)} (${pct(e.missed, e.total)})</td><td>${n(e.reopened)}</td><td>${n(e.badRatings)}</td><td>${n(e.open)}</td></tr>`)}</tbody></table></section>
${table('appeals.dash.by_type', Object.entries(d.byType).map(([k, v]) => [t(lang, `appeals.type.${k}` as 'appeals.type.thanks'), v]))}
${table('appeals.dash.by_status', Object.entries(d.byStatus).map(([k, v]) => [t(lang, `appeals.status.${k}` as 'appeals.status.closed'), v]))}
${table('appeals.dash.by_category', d.byCategory.map((x) => [html`${x.icon} ${textIn(x.names, lang, c.default_lang)}`, x.n]))}
${table('appeals.dash.repeated', d.repeated.map((x) => [html`${x.address} — ${textIn(x.names, lang, c.default_lang)}`, x.n]))}
<p><a href="${consoleBase(req)}/appeals">${t(lang, 'appeals.console.list')}</a></p>`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.dash.title'), body, active: '/appeals' });
  });
};
