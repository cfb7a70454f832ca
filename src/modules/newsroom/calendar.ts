import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { Texts } from '../../db/types.ts';
import { localDate, zonedTimeToUtc } from '../appeals/deadlines.ts';
import { periodDashboard } from '../appeals/dashboard.ts';

const DAY = 86400_000;

/** The first day (00:00 local) of the week holding `day` ('YYYY-MM-DD') and the seven local dates
 * from it. `firstDay` 1 is Monday (Ukraine), 6 Saturday (Iran). */
export function weekOf(day: string, timeZone: string, firstDay = 1) {
  const [y, m, d] = day.split('-').map(Number);
  const noon = new Date(Date.UTC(y, m - 1, d, 12));
  const monday = new Date(noon.getTime() - ((noon.getUTCDay() - firstDay + 7) % 7) * DAY);
  const days = Array.from({ length: 7 }, (_, i) => new Date(monday.getTime() + i * DAY).toISOString().slice(0, 10));
  const at = (s: string) => {
    const [yy, mm, dd] = s.split('-').map(Number);
    return zonedTimeToUtc(yy, mm, dd, 0, 0, timeZone);
  };
  const next = new Date(monday.getTime() + 7 * DAY).toISOString().slice(0, 10);
  return { days, from: at(days[0]), to: at(next), prev: new Date(monday.getTime() - 7 * DAY).toISOString().slice(0, 10), next };
}

export type CalendarItem = { id: string; material_id: string; lang: string; title: string; status: string; at: Date; channels: string[]; urgent: boolean; day: string };

/** What goes out in the week, per local day: scheduled versions at their time, published ones at theirs. */
export async function weekCalendar(tx: Tx, week: { from: Date; to: Date }, timeZone: string): Promise<CalendarItem[]> {
  const rows = await tx.selectFrom('material_versions as v').innerJoin('materials as m', 'm.id', 'v.material_id')
    .select(['v.id', 'v.material_id', 'v.lang', 'v.title', 'v.status', 'v.channels', 'm.urgent', sql<Date>`coalesce(v.scheduled_at, v.published_at)`.as('at')])
    .where((eb) => eb.or([
      eb.and([eb('v.status', '=', 'scheduled'), eb('v.scheduled_at', '>=', week.from), eb('v.scheduled_at', '<', week.to)]),
      eb.and([eb('v.status', '=', 'published'), eb('v.published_at', '>=', week.from), eb('v.published_at', '<', week.to)]),
    ]))
    .orderBy('at').limit(500).execute();
  return rows.map((r) => ({ ...r, day: localDate(r.at, timeZone) }));
}

/** Versions sent for review, oldest first: what the editors owe the authors. */
export async function reviewQueue(tx: Tx) {
  return tx.selectFrom('material_versions as v').innerJoin('materials as m', 'm.id', 'v.material_id').leftJoin('users as u', 'u.id', 'm.author_id')
    .select(['v.id', 'v.material_id', 'v.lang', 'v.title', 'v.updated_at', 'm.type', 'm.urgent', 'u.display_name as author_name'])
    .where('v.status', '=', 'in_review').orderBy('m.urgent', 'desc').orderBy('v.updated_at').limit(100).execute();
}

/** "What residents ask about": this week's appeal categories, from the appeals dashboard. */
export async function residentsAsk(tx: Tx, now = new Date(), top = 8): Promise<Array<{ names: Texts; icon: string; n: number }>> {
  const d = await periodDashboard(tx, { from: new Date(now.getTime() - 7 * DAY), to: now });
  return d.byCategory.slice(0, top).map((c) => ({ names: c.names, icon: c.icon, n: c.n }));
}
