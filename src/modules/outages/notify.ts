// Telling subscribers: every subscription whose street or building the notice covers, in its
// language and channel, through the outbox, with an unsubscribe link; one message per person
// and channel even when the notice covers several of the addresses they follow. Quiet hours (22:00–07:00
// in the community's time zone) hold back planned-outage messages, never emergencies.
import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import type { OutboxMessagesTable } from '../../db/types.ts';
import { formatDate, pick, t, type Lang } from '../../i18n/i18n.ts';
import { zonedTimeToUtc } from '../appeals/deadlines.ts';
import { insidePolygon } from './areas.ts';
import { areaCovers, type PlaceSql } from './match.ts';
import type { OutagesCtx } from './service.ts';

const QUIET_FROM = 22;
const QUIET_TO = 7;

/** The next 07:00 in the community's time zone when `now` is in quiet hours, else null. */
export function quietUntil(now: Date, timeZone: string): Date | null {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(now).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour);
  if (hour >= QUIET_TO && hour < QUIET_FROM) return null;
  const [y, m, d] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  return zonedTimeToUtc(y, m, hour >= QUIET_FROM ? d + 1 : d, QUIET_TO, 0, timeZone);
}

/** A subscription's street or building; polygons are tested below against the building's point. */
const SUBSCRIBED_PLACE: PlaceSql = { street: sql.ref('s.street_id'), building: sql.ref('s.building_id'), number: sql.ref('b.number'), district: sql`coalesce(b.district_id, st.district_id)` };

type Sub = { id: string; channel: 'email' | 'sms' | 'telegram' | 'webpush'; recipient: string; lang: Lang; unsubscribe_token: string; lat: number | null; lon: number | null };

export async function notifySubscribers(ctx: OutagesCtx, outageId: string, event: 'posted' | 'changed' | 'closed'): Promise<number> {
  const { tx, community } = ctx;
  const o = await tx.selectFrom('outages').selectAll().where('id', '=', outageId).executeTakeFirstOrThrow();
  // The address rules are matched in SQL; polygons against each subscribed building's point.
  const polygons = (await tx.selectFrom('outage_areas').select('polygon').where('outage_id', '=', outageId).where('kind', '=', 'polygon').execute()).map((p) => p.polygon!);
  const subs = await sql<Sub & { by_rule: boolean }>`
    select * from (select s.id, s.channel, s.recipient, s.lang, s.unsubscribe_token, b.lat, b.lon,
      exists (select 1 from outage_areas a where a.outage_id = ${outageId} and ${areaCovers('a', SUBSCRIBED_PLACE)}) as by_rule
    from outage_subscriptions s
    join streets st on st.id = s.street_id
    left join buildings b on b.id = s.building_id
    where s.ended_at is null and (cardinality(s.kinds) = 0 or ${o.kind} = any(s.kinds))) x
    where x.by_rule or (${polygons.length > 0} and x.lat is not null)`.execute(tx);
  const hold = !o.emergency ? quietUntil(new Date(), community.time_zone) : null;
  // The words depend on the language only (and the unsubscribe line on the channel): made once each.
  const words = new Map<Lang, { subject: string; lines: string[] }>();
  const wordsIn = (lang: Lang) => {
    let w = words.get(lang);
    if (!w) {
      const d = (x: Date) => formatDate(new Date(x), lang, community.time_zone, community.calendar, true);
      const kind = t(lang, `outages.kind.${o.kind}`);
      const subject = t(lang, `outages.notice.${event}`, { kind, emergency: o.emergency ? t(lang, 'outages.emergency') : t(lang, 'outages.planned') });
      const lines = [
        subject,
        pick(o.area_summary, lang, community.default_lang),
        event === 'closed' ? t(lang, 'outages.notice.restored', { date: d(o.actual_end_at ?? new Date()) }) : t(lang, 'outages.notice.when', { from: d(o.starts_at), to: d(o.expected_end_at) }),
        pick(o.reason, lang, community.default_lang),
        `${ctx.origin}${ctx.base}/${lang}/outages/${o.id}`,
      ];
      words.set(lang, (w = { subject, lines }));
    }
    return w;
  };
  // One message per person and channel, however many of their addresses the notice covers.
  const messages = new Map<string, Insertable<OutboxMessagesTable>>();
  for (const s of subs.rows) {
    const inPolygon = s.lat !== null && s.lon !== null && polygons.some((p) => insidePolygon(s.lat!, s.lon!, p));
    if (!s.by_rule && !inPolygon) continue;
    const who = `${s.channel}:${s.recipient}`;
    if (messages.has(who)) continue;
    const { subject, lines } = wordsIn(s.lang);
    const link = `${ctx.origin}${ctx.base}/${s.lang}/outages/unsubscribe/${s.unsubscribe_token}`;
    const body = [...lines, t(s.lang, s.channel === 'telegram' ? 'outages.notice.stop_telegram' : 'outages.notice.unsubscribe', { link })].filter(Boolean).join('\n');
    messages.set(who, { community_id: community.id, channel: s.channel, recipient: s.recipient, subject, body, purpose: `outage_${event}`, ...(hold ? { next_attempt_at: hold } : {}) });
  }
  // A street's thousands of subscribers in a few statements, not one each: the dispatcher's
  // request waits for them.
  const rows = [...messages.values()];
  for (let i = 0; i < rows.length; i += 1000) await tx.insertInto('outbox_messages').values(rows.slice(i, i + 1000)).execute();
  return rows.length;
}
