// Demo outages (current, planned, closed, one stale), a few thousand subscribers and one
// active emergency alert per community: set-based SQL, so the first start stays quick.
import { sql } from 'kysely';
import type { Tx } from '../db/db.ts';
import type { Lang, Texts } from '../db/types.ts';
import { t } from '../i18n/i18n.ts';
import { renderCap } from '../modules/alerts/cap.ts';
import type { OutageKind } from '../modules/outages/tables.ts';

type Spec = { org: string; kind: OutageKind; emergency: boolean; startH: number; endH: number; closed?: boolean; stale?: boolean; reason: Texts };

const SPECS: Record<string, Spec[]> = {
  zelenodolsk: [
    { org: 'teplo', kind: 'heating', emergency: true, startH: -3, endH: 5, reason: { uk: 'Пошкодження магістральної тепломережі після обстрілу', en: 'Heating main damaged by shelling' } },
    { org: 'vodokanal', kind: 'cold_water', emergency: true, startH: -2, endH: 4, reason: { uk: 'Порив водогону діаметром 300 мм', en: '300 mm water main burst' } },
    { org: 'oblenergo', kind: 'electricity', emergency: false, startH: -1, endH: 6, reason: { uk: 'Планова заміна трансформатора на ТП-112', en: 'Planned transformer replacement at substation 112' } },
    { org: 'vodokanal', kind: 'hot_water', emergency: false, startH: 20, endH: 30, reason: { uk: 'Планова промивка мереж', en: 'Planned flushing of the network' } },
    { org: 'oblenergo', kind: 'electricity', emergency: false, startH: 26, endH: 34, reason: { uk: 'Ремонт повітряної лінії 10 кВ', en: 'Repair of a 10 kV overhead line' } },
    { org: 'blagoustrii', kind: 'roads', emergency: false, startH: 44, endH: 120, reason: { uk: 'Ремонт дорожнього покриття, рух по одній смузі', en: 'Road resurfacing, one lane open' } },
    { org: 'teplo', kind: 'heating', emergency: false, startH: 70, endH: 78, reason: { uk: 'Гідравлічні випробування', en: 'Pressure testing' } },
    { org: 'vodokanal', kind: 'cold_water', emergency: true, startH: -30, endH: -20, closed: true, reason: { uk: 'Аварія на насосній станції', en: 'Pumping station failure' } },
    { org: 'oblenergo', kind: 'electricity', emergency: true, startH: -50, endH: -44, closed: true, reason: { uk: 'Пошкодження кабелю', en: 'Cable damaged' } },
    { org: 'teplo', kind: 'hot_water', emergency: false, startH: -80, endH: -70, closed: true, reason: { uk: 'Планові роботи в котельні', en: 'Planned work at the boiler house' } },
    { org: 'vodokanal', kind: 'sewerage', emergency: true, startH: -9, endH: -2, stale: true, reason: { uk: 'Засмічення каналізаційного колектора', en: 'Sewer collector blocked' } },
    { org: 'blagoustrii', kind: 'other', emergency: false, startH: -5, endH: 48, reason: { uk: 'Обрізування дерев, тимчасово без паркування', en: 'Tree pruning, no parking for now' } },
  ],
  khomein: [
    { org: 'water', kind: 'cold_water', emergency: true, startH: -2, endH: 3, reason: { fa: 'شکستگی لوله اصلی آب', en: 'Water main burst' } },
    { org: 'urban_services', kind: 'roads', emergency: false, startH: -1, endH: 30, reason: { fa: 'آسفالت‌ریزی خیابان', en: 'Street resurfacing' } },
    { org: 'water', kind: 'cold_water', emergency: false, startH: 24, endH: 30, reason: { fa: 'تعمیرات برنامه‌ریزی‌شده مخزن', en: 'Planned reservoir repairs' } },
    { org: 'urban_services', kind: 'other', emergency: false, startH: 48, endH: 60, reason: { fa: 'هرس درختان', en: 'Tree pruning' } },
    { org: 'water', kind: 'cold_water', emergency: true, startH: -40, endH: -35, closed: true, reason: { fa: 'نشت لوله', en: 'Pipe leak' } },
    { org: 'water', kind: 'sewerage', emergency: true, startH: -8, endH: -3, stale: true, reason: { fa: 'گرفتگی فاضلاب', en: 'Sewer blocked' } },
  ],
};

const ALERT: Record<string, { event: 'severe_weather'; texts: Record<string, { headline: string; description: string; instruction: string }> }> = {
  zelenodolsk: { event: 'severe_weather', texts: {
    uk: { headline: 'Штормове попередження: пориви вітру до 25 м/с', description: 'Упродовж доби очікується сильний вітер і мокрий сніг.', instruction: 'Не залишайте авто під деревами, обмежте поїздки, тримайте телефон зарядженим.' },
    en: { headline: 'Storm warning: gusts up to 25 m/s', description: 'Strong wind and wet snow are expected for the next day.', instruction: 'Do not park under trees, limit travel, keep your phone charged.' },
  } },
  khomein: { event: 'severe_weather', texts: {
    fa: { headline: 'هشدار طوفان: وزش باد شدید تا ۹۰ کیلومتر بر ساعت', description: 'تا فردا وزش باد شدید و گرد و خاک پیش‌بینی می‌شود.', instruction: 'از تردد غیرضروری خودداری کنید و پنجره‌ها را ببندید.' },
    en: { headline: 'Storm warning: winds up to 90 km/h', description: 'Strong wind and dust are expected until tomorrow.', instruction: 'Avoid unnecessary travel and close windows.' },
  } },
};

export async function loadDemoOutages(tx: Tx, communityId: string, slug: string, lang: Lang, orgIds: Map<string, string>, names: Texts): Promise<void> {
  // The demo loads as the owner, past row-level security: every query names the community.
  const streets = await tx.selectFrom('streets').select(['id', 'names', 'kind']).where('community_id', '=', communityId).orderBy('key').limit(40).execute();
  if (!streets.length) return;
  for (const [i, s] of (SPECS[slug] ?? []).entries()) {
    const street = streets[(i * 3) % streets.length];
    const at = (h: number) => sql<Date>`now() + make_interval(hours => ${h})`;
    const label = { [lang]: t(lang, `addresses.kind.${street.kind}` as 'addresses.kind.street', { name: street.names[lang] ?? Object.values(street.names)[0] ?? '' }) };
    const o = await tx.insertInto('outages').values({
      community_id: communityId, organisation_id: orgIds.get(s.org)!, kind: s.kind, emergency: s.emergency, reason: JSON.stringify(s.reason), area_summary: JSON.stringify(label),
      starts_at: at(s.startH), expected_end_at: at(s.endH), status: s.closed ? 'closed' : 'open', actual_end_at: s.closed ? at(s.endH + 1) : null,
      last_update_at: s.stale ? at(s.startH) : at(Math.min(s.startH, 0)), created_at: at(Math.min(s.startH, 0) - 1),
    }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('outage_areas').values({ community_id: communityId, outage_id: o.id, kind: 'street', street_id: street.id }).execute();
    await tx.insertInto('outage_updates').values({ community_id: communityId, outage_id: o.id, kind: 'posted', expected_end_at: at(s.endH), at: at(Math.min(s.startH, 0) - 1) }).execute();
    if (s.closed) await tx.insertInto('outage_updates').values({ community_id: communityId, outage_id: o.id, kind: 'closed', at: at(s.endH + 1) }).execute();
  }
  // Subscribers: one a building for the first 2,000 buildings (e-mail; held in the outbox offline).
  await sql`insert into outage_subscriptions (community_id, channel, recipient, street_id, building_id, lang, unsubscribe_token)
    select ${communityId}, 'email', 'subscriber' || row_number() over () || '@' || ${slug} || '.example', b.street_id, b.id, ${lang}, md5(random()::text || b.id::text)
    from (select id, street_id from buildings where community_id = ${communityId} order by number_key, id limit 2000) b`.execute(tx);
  const a = ALERT[slug];
  if (!a) return;
  const alert = await tx.insertInto('alerts').values({
    community_id: communityId, status: 'active', event: a.event, cap_category: 'Met', severity: 'Severe', urgency: 'Expected', certainty: 'Likely',
    texts: JSON.stringify(a.texts), area_desc: JSON.stringify({}), expires_at: sql<Date>`now() + interval '72 hours'`, issued_at: sql<Date>`now()`, version: 1,
  }).returning(['id', 'expires_at']).executeTakeFirstOrThrow();
  const sent = new Date();
  const identifier = `citydesk-${slug}-${alert.id}-1`;
  const xml = renderCap(
    { event: a.event, capCategory: 'Met', severity: 'Severe', urgency: 'Expected', certainty: 'Likely', texts: a.texts, areaDesc: {}, polygons: [], expiresAt: new Date(alert.expires_at) },
    { identifier, sender: `citydesk-${slug}`, sent, msgType: 'Alert', references: [] },
    { communityName: (l) => names[l] ?? names[lang] ?? slug, defaultLang: lang, web: (l) => `/${l}/alerts/${alert.id}` },
  );
  await tx.insertInto('alert_messages').values({ community_id: communityId, alert_id: alert.id, msg_type: 'Alert', identifier, sent_at: sent, xml }).execute();
}
