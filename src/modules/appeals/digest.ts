import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { Community } from '../communities/service.ts';
import { formatDate, formatNumber, pick, t, type Lang } from '../../i18n/i18n.ts';
import { periodDashboard, type Dashboard } from './dashboard.ts';
import { localDate, zonedTimeToUtc } from './deadlines.ts';

// The daily digest for leadership (A4) and the daily overdue lists (A7). The figures are the
// dashboard's (dashboard.ts) for one local day; this file only picks and words them.

export const DIGEST_HOUR = 8;
export const WORST_EXECUTORS = 5;

const parts = (day: string) => day.split('-').map(Number) as [number, number, number];

/** A local day 'YYYY-MM-DD' as the instants [from, to) in the community's time zone. */
export function dayPeriod(day: string, timeZone: string) {
  const [y, m, d] = parts(day);
  return { from: zonedTimeToUtc(y, m, d, 0, 0, timeZone), to: zonedTimeToUtc(y, m, d + 1, 0, 0, timeZone) };
}

/** The local day before `day`. */
export function previousDay(day: string): string {
  const [y, m, d] = parts(day);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

export function nextDay(day: string): string {
  const [y, m, d] = parts(day);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Local noon of a day: a safe instant to format as that day's date in any calendar. */
export const dayInstant = (day: string, timeZone: string) => {
  const [y, m, d] = parts(day);
  return zonedTimeToUtc(y, m, d, 12, 0, timeZone);
};

/** Is it past the digest hour of the community's local day? Returns that day, or null. */
export function digestDue(now: Date, timeZone: string): string | null {
  const today = localDate(now, timeZone);
  const [y, m, d] = parts(today);
  return now >= zonedTimeToUtc(y, m, d, DIGEST_HOUR, 0, timeZone) ? today : null;
}

export type Digest = { day: string; figures: Dashboard; worst: Dashboard['executors']; openIncidents: number };

/** The day's figures, exactly the dashboard's for from = to = that day, and the worst executors:
 * those with missed targets, reopenings or bad ratings, in the dashboard's order. */
export async function dailyDigest(tx: Tx, community: Pick<Community, 'time_zone'>, day: string): Promise<Digest> {
  const figures = await periodDashboard(tx, dayPeriod(day, community.time_zone));
  const worst = figures.executors.filter((e) => e.missed + e.reopened + e.badRatings > 0).slice(0, WORST_EXECUTORS);
  const open = await tx.selectFrom('appeal_incidents').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'open').executeTakeFirstOrThrow();
  return { day, figures, worst, openIncidents: Number(open.n) };
}

export type OverdueItem = {
  id: string; number: string; status: string; address: string | null; service_due_at: Date; legal_due_at: Date | null;
  executor_org_id: string; executor_names: Record<string, string>; category_names: Record<string, string>; icon: string;
  service_missed: boolean; legal_missed: boolean;
};

/** Open appeals past the service target (not yet reported) or the legal term, oldest target
 * first; for one executor organisation when given (the query itself is scoped). */
export async function overdueAppeals(tx: Tx, f: { executorOrgId?: string; limit?: number } = {}): Promise<OverdueItem[]> {
  const rows = await tx
    .selectFrom('appeals as a')
    .innerJoin('organisations as o', 'o.id', 'a.executor_org_id')
    .innerJoin('appeal_categories as c', 'c.id', 'a.category_id')
    .select(['a.id', 'a.number', 'a.status', 'a.address', 'a.service_due_at', 'a.legal_due_at', 'a.executor_org_id', 'o.names as executor_names', 'c.names as category_names', 'c.icon'])
    .select(sql<boolean>`a.status in ('registered', 'in_progress', 'reopened') and a.service_due_at < now()`.as('service_missed'))
    .select(sql<boolean>`coalesce(a.legal_due_at < now(), false)`.as('legal_missed'))
    .where((eb) => eb.or([
      eb.and([eb('a.status', 'in', ['registered', 'in_progress', 'reopened']), eb('a.service_due_at', '<', sql<Date>`now()`)]),
      eb.and([eb('a.status', 'in', ['registered', 'in_progress', 'reported', 'reopened']), eb('a.legal_due_at', '<', sql<Date>`now()`)]),
    ]))
    .$if(!!f.executorOrgId, (q) => q.where('a.executor_org_id', '=', f.executorOrgId!))
    .orderBy('a.service_due_at')
    .limit(f.limit ?? 500)
    .execute();
  return rows as OverdueItem[];
}

type Words = { subject: string; body: string };
const n = (lang: Lang, x: number) => formatNumber(lang, x);
const pct = (lang: Lang, a: number, b: number) => (b ? `${formatNumber(lang, Math.round((a / b) * 1000) / 10)}%` : '—');

/** The digest e-mail in one language (plain text: it reads the same in any mail client). */
export function digestText(lang: Lang, c: Community, d: Digest, link: string): Words {
  const f = d.figures;
  const date = formatDate(dayInstant(d.day, c.time_zone), lang, c.time_zone, c.calendar);
  const city = pick(c.names, lang, c.default_lang);
  const channels = (['phone', 'web', 'facebook', 'walk_in', 'email', 'messenger', 'open311'] as const)
    .map((ch) => `${t(lang, `appeals.channel.${ch}`)}: ${n(lang, f.byChannel[ch] ?? 0)}`).join('; ');
  const lines = [
    t(lang, 'appeals.digest.intro', { city, date }),
    '',
    `${t(lang, 'appeals.dash.total')}: ${n(lang, f.total)} (${channels})`,
    `${t(lang, 'appeals.type.thanks')}: ${n(lang, f.byType.thanks ?? 0)}`,
    `${t(lang, 'appeals.dash.within3')}: ${pct(lang, f.resolvedWithin3Days, f.resolved)} (${t(lang, 'appeals.dash.share', { share: n(lang, f.resolvedWithin3Days), total: n(lang, f.resolved) })})`,
    `${t(lang, 'appeals.dash.on_control')}: ${n(lang, f.onControl)}`,
    `${t(lang, 'appeals.dash.overdue_service')}: ${n(lang, f.overdueService)}`,
    `${t(lang, 'appeals.dash.overdue_legal')}: ${n(lang, f.overdueLegal)}`,
    `${t(lang, 'appeals.digest.open_incidents')}: ${n(lang, d.openIncidents)}`,
    '',
    t(lang, 'appeals.digest.worst'),
    ...(d.worst.length
      ? d.worst.map((e, i) => `${n(lang, i + 1)}. ${pick(e.names, lang, c.default_lang)} — ${t(lang, 'appeals.digest.executor_line', { missed: n(lang, e.missed), total: n(lang, e.total), reopened: n(lang, e.reopened), bad: n(lang, e.badRatings) })}`)
      : [t(lang, 'appeals.digest.no_worst')]),
    '',
    t(lang, 'appeals.digest.link', { link }),
  ];
  return { subject: t(lang, 'appeals.digest.subject', { city, date }), body: lines.join('\n') };
}

/** An overdue list e-mail in one language: one line per appeal with its console link. */
export function overdueText(lang: Lang, c: Community, items: OverdueItem[], consoleUrl: string, withExecutor: boolean): Words {
  const city = pick(c.names, lang, c.default_lang);
  const when = (d: Date) => formatDate(d, lang, c.time_zone, c.calendar, true);
  const lines = [t(lang, 'appeals.overdue.intro', { city, count: items.length }), ''];
  for (const a of items) {
    const due = a.legal_missed && a.legal_due_at ? t(lang, 'appeals.overdue.legal', { date: when(a.legal_due_at) }) : t(lang, 'appeals.overdue.service', { date: when(a.service_due_at) });
    const who = withExecutor ? ` — ${pick(a.executor_names, lang, c.default_lang)}` : '';
    lines.push(`${a.number} — ${pick(a.category_names, lang, c.default_lang)}${a.address ? ` — ${a.address}` : ''} — ${due}${who}`, `  ${consoleUrl}${a.id}`);
  }
  return { subject: t(lang, 'appeals.overdue.subject', { city, count: items.length }), body: lines.join('\n') };
}
