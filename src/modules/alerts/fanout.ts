// An alert's message (Alert, Update or Cancel) to every subscriber in its area: the outage
// subscribers (per street or building) on e-mail, SMS and the city's Telegram bot. Issuing
// queues this job in its own transaction; the job writes the outbox rows in FANOUT_PARTS parts
// at once, each ONE INSERT ... SELECT with the alert_fanouts row that says the part is done, in
// one transaction, so a fan-out happens exactly once even if the job runs again after a crash. The rows carry the
// alerts' priority: the outbox lanes send them before anything else waiting.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sql } from 'kysely';
import { withCommunity, type Db, type Tx } from '../../db/db.ts';
import type { JobDef } from '../../jobs/queue.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import type { Community } from '../communities/service.ts';
import { insidePolygon } from '../outages/areas.ts';
import type { AlertTexts } from './tables.ts';
import { FILL } from '../outbox/service.ts';

export const FANOUT_JOB = 'alerts.fanout';
export const ALERT_PRIORITY = 10;
const LANGS: Lang[] = ['uk', 'en', 'fa'];
// Each subscriber's unsubscribe token goes where the shared text says {fill}.
const TOKEN = FILL;

export const FanoutJob = z.object({
  communityId: z.string().uuid(),
  alertId: z.string().uuid(),
  version: z.number().int().min(1),
  msgType: z.enum(['Alert', 'Update', 'Cancel']),
  requestedAt: z.string(),
});
export type FanoutJob = z.infer<typeof FanoutJob>;

export type FanoutDeps = { db: Db; origin: () => string; community: (id: string) => Promise<Community | undefined> };

const base = (c: Community) => (c.is_default ? '' : `/c/${c.slug}`);

/** The words one subscriber gets, per language and kind of channel: written once per fan-out as
 * shared texts (outbox_texts); each message keeps only its subscriber's unsubscribe token. */
function words(c: Community, origin: string, a: { id: string; texts: AlertTexts }, msgType: FanoutJob['msgType'], lang: Lang, telegram: boolean) {
  const text = a.texts[lang] ?? a.texts[c.default_lang] ?? Object.values(a.texts)[0]!;
  const prefix = msgType === 'Cancel' ? `${t(lang, 'alerts.prefix.cancel')}: ` : msgType === 'Update' ? `${t(lang, 'alerts.prefix.update')}: ` : '';
  const subject = `${prefix}${text.headline}`;
  const link = `${origin}${base(c)}/${lang}/outages/unsubscribe/${TOKEN}`;
  const body = [
    subject,
    text.description,
    text.instruction ? `${t(lang, 'alerts.banner.more')}: ${text.instruction}` : '',
    `${origin}${base(c)}/${lang}/alerts/${a.id}`,
    t(lang, telegram ? 'outages.notice.stop_telegram' : 'outages.notice.unsubscribe', { link }),
  ].filter(Boolean).join('\n');
  return { subject, body };
}

/** Subscriptions inside the alert's polygons (by their building, or their street's buildings'
 * middle when they subscribed a whole street); null when the alert has no polygons. */
async function insidePolygons(tx: Tx, polygons: [number, number][][]): Promise<string[] | null> {
  if (!polygons.length) return null;
  const rows = await sql<{ id: string; lat: number | null; lon: number | null }>`
    select s.id, coalesce(b.lat, m.lat) as lat, coalesce(b.lon, m.lon) as lon
    from outage_subscriptions s
    left join buildings b on b.id = s.building_id
    left join lateral (select avg(lat) as lat, avg(lon) as lon from buildings where street_id = s.street_id and lat is not null) m on s.building_id is null
    where s.ended_at is null`.execute(tx);
  return rows.rows.filter((r) => r.lat !== null && r.lon !== null && polygons.some((p) => insidePolygon(r.lat!, r.lon!, p))).map((r) => r.id);
}

/** How many parts a fan-out is written in, each in its own transaction on its own connection:
 * the insert of 100,000 rows keeps one PostgreSQL process busy for two seconds, and two parts
 * use both CPUs of a small server (a subscriber's part is a hash of channel and recipient, so
 * the one-message-per-recipient rule holds within each part). */
export const FANOUT_PARTS = 2;

/** Writes the fan-out of one alert message; returns how many messages it queued (0 when it
 * was done before). Parts already written (a run before a crash, or the other of the job and
 * the issuing process) are left alone; their count is kept from the first run. What every part
 * needs (the alert, who is inside its polygons, its six texts) is read and written once, before. */
export async function fanOut(deps: FanoutDeps, job: FanoutJob): Promise<number> {
  const c = await deps.community(job.communityId);
  if (!c) return 0;
  const plan = await withCommunity(deps.db, c.id, async (tx) => {
    const done = await tx.selectFrom('alert_fanouts').select(['part', 'parts']).where('alert_id', '=', job.alertId).where('version', '=', job.version).execute();
    const parts = done[0]?.parts ?? FANOUT_PARTS;
    const todo = Array.from({ length: parts }, (_, part) => part).filter((part) => !done.some((d) => d.part === part));
    if (!todo.length) return null;
    const a = await tx.selectFrom('alerts').select(['id', 'texts', 'polygons', 'district_codes']).where('id', '=', job.alertId).executeTakeFirstOrThrow();
    const texts = LANGS.flatMap((l) => [false, true].map((tg) => ({ key: `${l}:${tg}`, id: randomUUID(), community_id: c.id, ...words(c, deps.origin(), a, job.msgType, l, tg) })));
    await tx.insertInto('outbox_texts').values(texts.map(({ key: _k, ...t }) => t)).execute();
    return { parts, todo, inside: await insidePolygons(tx, a.polygons as [number, number][][]), districts: a.district_codes ?? [], textIds: Object.fromEntries(texts.map((t) => [t.key, t.id])) };
  });
  if (!plan) return 0;
  const counts = await Promise.all(plan.todo.map((part) => fanOutPart(deps, c, job, part, plan)));
  return counts.reduce((a, b) => a + b, 0);
}

type Plan = { parts: number; inside: string[] | null; districts: string[]; textIds: Record<string, string> };

async function fanOutPart(deps: FanoutDeps, c: Community, job: FanoutJob, part: number, { parts, inside, districts, textIds: w }: Plan): Promise<number> {
  return withCommunity(deps.db, c.id, async (tx) => {
    const claimed = await tx.insertInto('alert_fanouts')
      .values({ community_id: c.id, alert_id: job.alertId, version: job.version, part, parts, requested_at: new Date(job.requestedAt), messages: 0 })
      .onConflict((oc) => oc.columns(['community_id', 'alert_id', 'version', 'part']).doNothing())
      .returning('id').executeTakeFirst();
    if (!claimed) return 0;
    const text = sql<string>`case
      when s.channel = 'telegram' and s.lang = 'en' then ${w['en:true']}::uuid when s.channel = 'telegram' and s.lang = 'fa' then ${w['fa:true']}::uuid
      when s.channel = 'telegram' then ${w['uk:true']}::uuid
      when s.lang = 'en' then ${w['en:false']}::uuid when s.lang = 'fa' then ${w['fa:false']}::uuid else ${w['uk:false']}::uuid end`;
    // The area: the whole community, or the subscribers inside a polygon or in a district (either).
    const area = [
      ...(inside ? [sql`s.id = any(${inside}::uuid[])`] : []),
      ...(districts.length ? [sql`coalesce(b.district_id, st.district_id) in (select id from address_districts where key = any(${districts}::text[]))`] : []),
    ];
    // The one-message-per-recipient sort of 100,000 subscribers needs ~16 MB: in memory, not on disk.
    await sql`set local work_mem = '64MB'`.execute(tx);
    // One message per (channel, recipient), whatever number of addresses they subscribed.
    const r = await sql`
      insert into outbox_messages (community_id, channel, recipient, text_id, fill, purpose, priority, fanout_id)
      select ${c.id}, s.channel, s.recipient, ${text}, s.unsubscribe_token,
             ${`alert_${job.msgType.toLowerCase()}`}, ${ALERT_PRIORITY}, ${claimed.id}
      from (select distinct on (s.channel, s.recipient) s.* from outage_subscriptions s
            ${districts.length ? sql`left join buildings b on b.id = s.building_id join streets st on st.id = s.street_id` : sql``}
            where s.ended_at is null
            ${parts > 1 ? sql`and (hashtext(s.channel || ':' || s.recipient) & 2147483647) % ${parts} = ${part}` : sql``}
            ${area.length ? sql`and (${sql.join(area, sql` or `)})` : sql``}
            order by s.channel, s.recipient, s.created_at) s`.execute(tx);
    const n = Number(r.numAffectedRows ?? 0);
    await tx.updateTable('alert_fanouts').set({ messages: n, queued_at: sql`clock_timestamp()` }).where('id', '=', claimed.id).execute();
    return n;
  });
}

export const alertJobs = (deps: FanoutDeps): JobDef[] => [
  { name: FANOUT_JOB, schema: FanoutJob, retryLimit: 10, retryDelay: 2, pollSeconds: 0.5, run: async (data) => void (await fanOut(deps, data as FanoutJob)) },
];

/** How far an alert's fan-outs got, per message (Alert, Update, Cancel): queued, sent, failed,
 * unknown (in flight when a worker died) and still waiting. For the officer's alert page. */
export async function fanoutProgress(tx: Tx, alertId: string) {
  return sql<{ version: number; queued_at: Date; messages: number; sent: number; failed: number; unknown: number; waiting: number }>`
    select f.version, max(f.queued_at) as queued_at, sum(f.messages)::int as messages,
      sum(c.sent)::int as sent, sum(c.failed)::int as failed, sum(c.unknown)::int as unknown, sum(c.waiting)::int as waiting
    from alert_fanouts f cross join lateral (
      select count(*) filter (where m.status = 'sent') as sent, count(*) filter (where m.status = 'failed') as failed,
        count(*) filter (where m.status = 'unknown') as unknown, count(*) filter (where m.status in ('pending', 'sending')) as waiting
      from outbox_messages m where m.fanout_id = f.id) c
    where f.alert_id = ${alertId} group by f.version order by f.version`.execute(tx).then((r) => r.rows);
}
