// The editorial calendar: the week's publications per day and channel, the review queue, and what
// residents ask about (this week's appeal categories, from the appeals dashboard).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { withCommunity } from '../../db/db.ts';
import { formatDate, locale, t } from '../../i18n/i18n.ts';
import { requireStaff } from '../../http/auth.ts';
import { localDate } from '../../modules/appeals/deadlines.ts';
import { residentsAsk, reviewQueue, weekCalendar, weekOf, type CalendarItem } from '../../modules/newsroom/calendar.ts';
import { textIn } from '../text.ts';
import { consoleBase, consoleLang, sendConsole, when } from './layout.ts';
import { CHANNELS } from '../../modules/channels/types.ts';
import { NEWSROOM_CSS } from './newsroom-form.ts';

export const calendarRoutes = (app: App) => async (r: FastifyInstance) => {
  r.get('/newsroom/calendar', async (req, reply) => {
    requireStaff(req, 'news.write');
    const lang = consoleLang(req);
    const c = req.community;
    const tz = c.time_zone;
    const day = z.object({ week: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => !Number.isNaN(Date.parse(d))) }).safeParse(req.query);
    const week = weekOf(day.success ? day.data.week : localDate(new Date(), tz), tz, c.calendar === 'persian' ? 6 : 1);
    // Appeals figures are for those who may see them; the newsroom sees only category counts.
    const data = await withCommunity(app.db, c.id, async (tx) => ({
      items: await weekCalendar(tx, week, tz),
      review: await reviewQueue(tx),
      asks: await residentsAsk(tx),
    }));
    const base = `${consoleBase(req)}/newsroom`;
    const dayLabel = (d: string) => formatDate(new Date(`${d}T12:00:00Z`), lang, 'UTC', c.calendar);
    const cal = lang === 'fa' || c.calendar === 'persian' ? 'persian' : 'gregory';
    const weekday = (d: string) => new Intl.DateTimeFormat(locale(lang), { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC', calendar: cal }).format(new Date(`${d}T12:00:00Z`));
    const fmt = (d: string, o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale(lang), { ...o, timeZone: 'UTC', calendar: cal }).format(new Date(`${d}T12:00:00Z`));
    const weekdayShort = (d: string) => `${fmt(d, { weekday: 'short' })} ${fmt(d, { day: 'numeric' })}`;
    const timeOf = (at: Date) => new Intl.DateTimeFormat(locale(lang), { hour: '2-digit', minute: '2-digit', timeZone: tz }).format(at);
    const byDay = (d: string) => data.items.filter((i) => i.day === d);
    const item = (i: CalendarItem) => html`<li><a href="${base}/materials/${i.material_id}?v=${i.lang}" lang="${i.lang}" dir="auto">${i.title}</a>
<br><span class="hint">${timeOf(i.at)} · ${t(lang, `newsroom.status.${i.status}` as 'newsroom.status.draft')} · ${t(lang, `lang.${i.lang}` as 'lang.uk')}</span>
<br><span class="tag">${t(lang, 'newsroom.calendar.website')}</span>${i.channels.map((k) => html`<span class="tag">${t(lang, `channels.name.${k}` as 'channels.name.telegram')}</span>`)}</li>`;
    const days = html`<div class="week" data-testid="week">${week.days.map((d) => html`<section aria-labelledby="d-${d}"><h3 id="d-${d}">${weekday(d)}</h3>
${byDay(d).length ? html`<ul>${byDay(d).map(item)}</ul>` : html`<p class="hint">${t(lang, 'newsroom.calendar.nothing')}</p>`}</section>`)}</div>`;
    // Per channel and day: how busy each channel is this week (the website carries everything).
    const used = CHANNELS.filter((k) => data.items.some((i) => i.channels.includes(k)));
    const count = (d: string, k: string | null) => byDay(d).filter((i) => k === null || i.channels.includes(k)).length;
    const perChannel = html`<table data-testid="per-channel"><caption class="hint">${t(lang, 'newsroom.calendar.per_channel')}</caption><thead><tr><th scope="col">${t(lang, 'newsroom.field.channels')}</th>${week.days.map((d) => html`<th scope="col">${weekdayShort(d)}</th>`)}</tr></thead><tbody>
<tr><th scope="row">${t(lang, 'newsroom.calendar.website')}</th>${week.days.map((d) => html`<td>${count(d, null) || ''}</td>`)}</tr>
${used.map((k) => html`<tr><th scope="row">${t(lang, `channels.name.${k}`)}</th>${week.days.map((d) => html`<td>${count(d, k) || ''}</td>`)}</tr>`)}</tbody></table>`;
    const review = html`<section class="card" data-testid="review"><h2>${t(lang, 'newsroom.calendar.review')}</h2>
${data.review.length ? html`<ul>${data.review.map((v) => html`<li>${v.urgent ? html`<span class="tag">!</span>` : ''}<a href="${base}/materials/${v.material_id}?v=${v.lang}" lang="${v.lang}" dir="auto">${v.title}</a> <span class="hint">${t(lang, `newsroom.type.${v.type}`)} · ${v.author_name ?? '—'} · ${when(req, v.updated_at)}</span></li>`)}</ul>`
    : html`<p class="muted">${t(lang, 'newsroom.calendar.no_review')}</p>`}</section>`;
    const asks = html`<section class="card" data-testid="asks"><h2>${t(lang, 'newsroom.calendar.asks')}</h2><p class="hint">${t(lang, 'newsroom.calendar.asks_hint')}</p>
${data.asks.length ? html`<ol>${data.asks.map((a) => html`<li>${a.icon} ${textIn(a.names, lang, c.default_lang)} — ${t(lang, 'newsroom.calendar.appeals', { count: a.n })}</li>`)}</ol>` : html`<p class="muted">${t(lang, 'newsroom.calendar.no_asks')}</p>`}</section>`;
    const body = html`${NEWSROOM_CSS}<nav class="row" aria-label="${t(lang, 'newsroom.calendar.title')}"><a href="${base}/calendar?week=${week.prev}" rel="prev">${t(lang, 'newsroom.calendar.prev')}</a> <a href="${base}/calendar?week=${week.next}" rel="next">${t(lang, 'newsroom.calendar.next')}</a></nav>
<h2>${t(lang, 'newsroom.calendar.week', { date: dayLabel(week.days[0]) })} — ${t(lang, 'newsroom.calendar.scheduled')}</h2>
${perChannel}${days}${review}${asks}`;
    return sendConsole(req, reply, { title: t(lang, 'newsroom.calendar.title'), body, active: '/newsroom/calendar' });
  });
};
