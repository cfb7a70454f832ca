// An alert reaches every subscriber in its area, once, in their language, ahead of the
// regular messages waiting in the same lane; against the fake SMTP relay, SMS gateway and
// Telegram Bot API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { until } from '../../test/until.ts';
import { fakeTelegram } from '../../test/fakes/telegram.ts';
import { fakeSmsGateway } from '../../test/fakes/sms.ts';
import { fakeRelay, mailText } from '../../test/fakes/smtp.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import type { Community } from '../communities/service.ts';
import { enqueueMessage } from '../outbox/service.ts';
import { FANOUT_PARTS, fanOut } from './fanout.ts';

type Building = { id: string; street_id: string; lat: number; lon: number };

describe('an alert to every subscriber in its area', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let tg: Awaited<ReturnType<typeof fakeTelegram>>;
  let sms: Awaited<ReturnType<typeof fakeSmsGateway>>;
  const relay = fakeRelay();
  let zel: Community;
  let khomein: Community;
  let near: Building;
  let far: Building;
  const duty = new Client('');

  before(async () => {
    [tg, sms] = await Promise.all([fakeTelegram('555:bot'), fakeSmsGateway('SMS-T')]);
    const smtp = await relay.listen();
    app = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${smtp}`, SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_TOKEN: 'SMS-T', TELEGRAM_BOT_TOKEN: '555:bot', TELEGRAM_API_URL: tg.url,
      // The SMS lane is slow on purpose: regular messages wait in it when the alert comes.
      OUTBOX_RATE_SMS: '4', OUTBOX_RATE_EMAIL: '200', OUTBOX_RATE_TELEGRAM: '200',
    });
    zel = (await app.app.communities.bySlug('zelenodolsk'))!;
    khomein = (await app.app.communities.bySlug('khomein'))!;
    // A quiet city: no demo alerts, no demo subscribers.
    await sql`update alerts set status = 'cancelled'`.execute(app.app.db);
    await sql`update outage_subscriptions set ended_at = now()`.execute(app.app.db);
    const b = await sql<Building>`select id, street_id, lat, lon from buildings where community_id = ${zel.id} and lat is not null order by lat, lon`.execute(app.app.db);
    [near, far] = [b.rows[0], b.rows[b.rows.length - 1]];
    Object.assign(duty, { origin: app.origin });
    await duty.staffLogin('', 'duty@zelenodolsk.example', DEMO_PASSWORD);
  });
  after(async () => {
    await app.close();
    await Promise.all([tg.close(), sms.close(), relay.close()]);
  });

  const subscribe = (c: Community, channel: string, recipient: string, at: Building, lang = 'uk', ended = false) =>
    sql`insert into outage_subscriptions (community_id, channel, recipient, street_id, building_id, lang, unsubscribe_token, ended_at)
      values (${c.id}, ${channel}, ${recipient}, ${at.street_id}, ${at.id}, ${lang}, ${`tok-${channel}-${recipient}-${at.id.slice(0, 8)}`}, ${ended ? new Date() : null})`.execute(app.app.db);

  const compose = (extra: Record<string, string> = {}) => ({
    event: 'severe_weather', severity: 'Severe', urgency: 'Immediate', certainty: 'Likely', expires_in_hours: '6',
    uk_headline: 'Штормове попередження: пориви вітру до 25 м/с', uk_description: 'Можливі падіння дерев і обриви ліній.', uk_instruction: 'Не паркуйте авто під деревами.', uk_area: 'Уся громада',
    en_headline: 'Storm warning: gusts up to 25 m/s', en_description: 'Falling trees and broken lines are possible.', en_instruction: 'Do not park under trees.',
    fa_headline: 'هشدار طوفان: تندباد تا ۲۵ متر بر ثانیه', fa_description: 'احتمال افتادن درختان.', fa_instruction: 'زیر درختان پارک نکنید.',
    polygons: '', do: 'issue', ...extra,
  });
  const issue = async (form: Record<string, string | string[]>) => {
    const r = await duty.post('/console/alerts/new', form, '/console/alerts/new');
    assert.equal(r.status, 303, r.text.slice(0, 300));
    return /alerts\/([0-9a-f-]{36})$/.exec(r.location!)![1];
  };
  const telegramTo = (chat: string) => tg.posts.filter((p) => p.method === 'sendMessage' && p.chat_id === chat);
  const smsTo = (phone: string) => sms.received.filter((m) => m.phone === phone);
  const mailsTo = (to: string) => relay.mails.filter((m) => m.to.includes(to));

  it('reaches each subscriber once, in their language, with their own unsubscribe link, before the regular messages', async () => {
    for (let i = 0; i < 5; i++) await subscribe(zel, 'telegram', `70000${i}`, i % 2 ? near : far, i === 4 ? 'fa' : 'uk');
    for (let i = 0; i < 5; i++) await subscribe(zel, 'sms', `+38067000000${i}`, near);
    for (let i = 0; i < 5; i++) await subscribe(zel, 'email', `resident${i}@example.org`, far, i === 0 ? 'en' : 'uk');
    await subscribe(zel, 'email', 'resident1@example.org', near); // two addresses, one person
    await subscribe(zel, 'email', 'gone@example.org', near, 'uk', true); // unsubscribed
    await subscribe(khomein, 'telegram', '799999', (await sql<Building>`select id, street_id, lat, lon from buildings where community_id = ${khomein.id} limit 1`.execute(app.app.db)).rows[0], 'fa');
    // Twelve ordinary SMS wait in the slow lane (4 a second) when the alert is issued.
    await withCommunity(app.app.db, zel.id, async (tx) => {
      for (let i = 0; i < 12; i++) await enqueueMessage(tx, null, zel.id, { channel: 'sms', recipient: `+38050111000${String(i).padStart(2, '0')}`, body: `Звернення ${i}: статус змінено`, purpose: 'appeal_status' });
    });
    const id = await issue(compose());
    await until('all 15 alert messages sent', async () => {
      const r = await sql<{ n: string }>`select count(*) as n from outbox_messages where purpose = 'alert_alert' and status = 'sent'`.execute(app.app.db);
      return Number(r.rows[0].n) === 15 ? true : null;
    }, 30_000);
    const f = await sql<{ messages: number }>`select sum(messages)::int as messages, count(*)::int as parts from alert_fanouts where alert_id = ${id}`.execute(app.app.db);
    assert.deepEqual(f.rows, [{ messages: 15, parts: FANOUT_PARTS }], 'one fan-out of 15 (5 chats, 5 phones, 5 addresses), in its parts');
    // The officer's alert page shows how far it got.
    assert.match((await duty.request(`/console/alerts/${id}`)).text, /data-testid="alert-fanout"[\s\S]*<td>v1<\/td><td>15<\/td><td>15<\/td><td>0<\/td><td>0<\/td><td>0<\/td>/);

    for (let i = 0; i < 5; i++) assert.equal(telegramTo(`70000${i}`).length, 1, `chat ${i}`);
    assert.match(telegramTo('700000')[0].text!, /Штормове попередження[\s\S]*Не паркуйте авто під деревами[\s\S]*outages\/unsubscribe\/tok-telegram-700000-/);
    assert.match(telegramTo('700004')[0].text!, /هشدار طوفان/, 'in Persian for a Persian subscriber');
    assert.equal(telegramTo('799999').length, 0, 'another community’s subscriber gets nothing');
    for (let i = 0; i < 5; i++) assert.equal(smsTo(`38067000000${i}`).length, 1, `phone ${i}`);
    for (let i = 0; i < 5; i++) assert.equal(mailsTo(`resident${i}@example.org`).length, 1, `mail ${i}`);
    assert.match(mailText(mailsTo('resident0@example.org')[0].raw), /Storm warning/);
    assert.equal(mailsTo('gone@example.org').length, 0);

    // The priority lane: once the first alert SMS went out, no regular SMS went before the last one.
    const order = sms.received.map((m) => (m.phone.startsWith('380670') ? 'alert' : 'regular'));
    const first = order.indexOf('alert');
    const last = order.lastIndexOf('alert');
    assert.ok(first >= 0 && !order.slice(first, last).includes('regular'), order.join(' '));
    assert.ok(order.slice(last).includes('regular') || order.filter((o) => o === 'regular').length < 12, 'regular SMS were still waiting');
    await until('the regular SMS too', async () => (sms.received.filter((m) => m.phone.startsWith('380501')).length === 12 ? true : null), 30_000);

    // The job running again (after a crash) writes nothing twice.
    assert.equal(await fanOut({ db: app.app.db, origin: () => app.origin, community: async () => zel }, { communityId: zel.id, alertId: id, version: 1, msgType: 'Alert', requestedAt: new Date().toISOString() }), 0);

    // The all-clear goes to the same people.
    const cancel = await duty.post(`/console/alerts/${id}/cancel`, {}, `/console/alerts/${id}`);
    assert.equal(cancel.status, 303);
    await until('the all-clear', async () => (telegramTo('700001').length === 2 && smsTo('380670000003').length === 2 ? true : null), 30_000);
    assert.match(telegramTo('700001')[1].text!, /^Відбій: Штормове попередження/);
  });

  it('a polygon alert reaches only the subscribers inside it', async () => {
    await sql`update outage_subscriptions set ended_at = now()`.execute(app.app.db);
    await subscribe(zel, 'telegram', '810001', near);
    await subscribe(zel, 'telegram', '810002', far);
    const d = 0.0005;
    const ring = [[near.lat - d, near.lon - d], [near.lat - d, near.lon + d], [near.lat + d, near.lon + d], [near.lat + d, near.lon - d], [near.lat - d, near.lon - d]];
    await issue(compose({ uk_headline: 'Загроза вибуху біля будинку', en_headline: '', fa_headline: '', event: 'bomb_threat', polygons: ring.map(([a, b]) => `${a.toFixed(6)},${b.toFixed(6)}`).join(' ') }));
    await until('the message inside', async () => (telegramTo('810001').length === 1 ? true : null), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(telegramTo('810002').length, 0, 'outside the polygon');
  });
  it('a district alert reaches only the subscribers whose address is in that district', async () => {
    await sql`update outage_subscriptions set ended_at = now()`.execute(app.app.db);
    // Two buildings in different districts (by the building's own district, else its street's).
    const two = (await sql<Building & { district: string }>`
      select distinct on (d.key) b.id, b.street_id, b.lat, b.lon, d.key as district
      from buildings b join streets st on st.id = b.street_id
      join address_districts d on d.id = coalesce(b.district_id, st.district_id)
      where b.community_id = ${zel.id} order by d.key, b.id limit 2`.execute(app.app.db)).rows;
    assert.equal(two.length, 2, 'the demo register has buildings in two districts');
    await subscribe(zel, 'telegram', '830001', two[0]);
    await subscribe(zel, 'telegram', '830002', two[1]);
    const id = await issue({ ...compose({ uk_headline: 'Витік газу в районі' }), districts: [two[0].district] });
    await until('the message inside the district', async () => (telegramTo('830001').length === 1 ? true : null), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(telegramTo('830002').length, 0, 'another district');
    await duty.post(`/console/alerts/${id}/cancel`, {}, `/console/alerts/${id}`);
  });

  it('a part that never committed (a crash between the parts) is written by the next run, the others are not written again', async () => {
    await sql`update outage_subscriptions set ended_at = now()`.execute(app.app.db);
    for (let i = 0; i < 20; i++) await subscribe(zel, 'telegram', `82000${String(i).padStart(2, '0')}`, near);
    const id = await issue(compose({ uk_headline: 'Перевірка частин розсилки' }));
    const parts = async () => (await sql<{ id: string; part: number; messages: number }>`select id, part, messages from alert_fanouts where alert_id = ${id} order by part`.execute(app.app.db)).rows;
    await until('every part written', async () => ((await parts()).length === FANOUT_PARTS ? true : null), 30_000);
    const before = await parts();
    assert.ok(before.every((p) => p.messages > 0), `each part has subscribers: ${before.map((p) => p.messages).join(', ')}`);
    const lost = before[before.length - 1];
    const recipientsOf = async (fanoutId: string) => (await sql<{ recipient: string }>`select recipient from outbox_messages where fanout_id = ${fanoutId} order by recipient`.execute(app.app.db)).rows.map((r) => r.recipient);
    const lostRecipients = await recipientsOf(lost.id);
    // As if that part's transaction had never committed.
    await sql`delete from outbox_messages where fanout_id = ${lost.id}`.execute(app.app.db);
    await sql`delete from alert_fanouts where id = ${lost.id}`.execute(app.app.db);
    const job = { communityId: zel.id, alertId: id, version: 1, msgType: 'Alert' as const, requestedAt: new Date().toISOString() };
    assert.equal(await fanOut({ db: app.app.db, origin: () => app.origin, community: async () => zel }, job), lost.messages, 'only the lost part again');
    const after = await parts();
    assert.deepEqual(after.map((p) => p.part), before.map((p) => p.part));
    assert.deepEqual(await recipientsOf(after[after.length - 1].id), lostRecipients);
    const all = await sql<{ n: number; distinct_n: number }>`select count(*)::int as n, count(distinct recipient)::int as distinct_n from outbox_messages m join alert_fanouts f on f.id = m.fanout_id where f.alert_id = ${id}`.execute(app.app.db);
    assert.deepEqual(all.rows[0], { n: 20, distinct_n: 20 }, 'each subscriber once');
    assert.equal(await fanOut({ db: app.app.db, origin: () => app.origin, community: async () => zel }, job), 0);
  });
});
