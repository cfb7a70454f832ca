import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import type { Community } from '../communities/service.ts';
import { fileAppeal } from './service.ts';
import { dayPeriod, digestDue, previousDay } from './digest.ts';
import { sendDailyMailings } from './jobs-daily.ts';

describe('the digest hour in the community’s time zone', () => {
  it('is 08:00 local in Kyiv (UTC+2 in winter, +3 in summer) and Tehran (UTC+3:30)', () => {
    assert.equal(digestDue(new Date('2026-12-01T05:59:59Z'), 'Europe/Kyiv'), null);
    assert.equal(digestDue(new Date('2026-12-01T06:00:00Z'), 'Europe/Kyiv'), '2026-12-01');
    assert.equal(digestDue(new Date('2026-07-01T04:59:00Z'), 'Europe/Kyiv'), null);
    assert.equal(digestDue(new Date('2026-07-01T05:00:00Z'), 'Europe/Kyiv'), '2026-07-01');
    assert.equal(digestDue(new Date('2026-12-01T04:29:00Z'), 'Asia/Tehran'), null);
    assert.equal(digestDue(new Date('2026-12-01T04:30:00Z'), 'Asia/Tehran'), '2026-12-01');
    // 23:30 in Tehran is still "today" there, past 08:00.
    assert.equal(digestDue(new Date('2026-12-01T20:00:00Z'), 'Asia/Tehran'), '2026-12-01');
    assert.equal(previousDay('2026-03-01'), '2026-02-28');
    const p = dayPeriod('2026-10-25', 'Europe/Kyiv'); // the autumn change: a 25-hour day
    assert.equal(p.to.getTime() - p.from.getTime(), 25 * 3600_000);
  });
});

describe('daily digest and overdue lists', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let kyiv: Community;
  let tehran: Community;
  let cats: Record<string, string>;
  before(async () => {
    app = await startTestApp({ CITYDESK_WORKER: 'false' });
    kyiv = (await app.app.communities.bySlug('zelenodolsk'))!;
    tehran = (await app.app.communities.bySlug('khomein'))!;
    const rows = await withCommunity(app.app.db, kyiv.id, (tx) => tx.selectFrom('appeal_categories').select(['id', 'code']).execute());
    cats = Object.fromEntries(rows.map((r) => [r.code, r.id]));
  });
  after(() => app.close());

  const deps = () => ({ db: app.app.db, queue: app.app.queue, origin: () => app.origin });
  const file = (category: string, text: string, createdAt: string, channel: 'phone' | 'web' | 'facebook' = 'phone') =>
    withCommunity(app.app.db, kyiv.id, async (tx) => {
      const { appeal } = await fileAppeal({ tx, queue: app.app.queue, actor: systemActor(kyiv.id), community: kyiv, secret: 's', followUrl: () => 'x', rateUrl: () => 'x' },
        { category_id: cats[category], description: text, address: 'вул. Тестова, 1' }, { channel, lang: 'uk' });
      await tx.updateTable('appeals').set({ created_at: sql`${createdAt}::timestamptz`, service_due_at: sql`now() - interval '1 hour'` }).where('id', '=', appeal.id).execute();
      return appeal;
    });
  const mails = async (purpose: string, recipient: string) =>
    (await sql<{ subject: string; body: string }>`select subject, body from outbox_messages where purpose = ${purpose} and recipient = ${recipient} order by created_at`.execute(app.app.db)).rows;
  const sends = async (c: Community, day: string) =>
    (await sql<{ kind: string; messages: number }>`select kind, messages from appeal_daily_sends where community_id = ${c.id} and day = ${day} order by kind`.execute(app.app.db)).rows;

  it('sends at 08:00 local, once, whatever runs at the same time or after a restart (Kyiv)', async () => {
    const water = await file('water-leak', 'Тече вода з труби біля школи', '2026-11-30T09:00:00Z');
    const road = await file('pothole', 'Глибока яма на перехресті біля ринку', '2026-11-30T10:00:00Z', 'web');
    const cold = await file('no-heating', 'Холодні батареї в усьому будинку', '2026-11-30T11:00:00Z');
    assert.equal(await sendDailyMailings(deps(), kyiv, new Date('2026-12-01T05:59:00Z')), 0, 'before 08:00 Kyiv');
    assert.deepEqual(await sends(kyiv, '2026-12-01'), []);
    const at8 = new Date('2026-12-01T06:00:00Z');
    const [a, b] = await Promise.all([sendDailyMailings(deps(), kyiv, at8), sendDailyMailings(deps(), kyiv, at8)]);
    assert.equal(await sendDailyMailings(deps(), kyiv, new Date('2026-12-01T09:00:00Z')), 0, 'a restarted process sends nothing again');
    // Each kind is claimed by exactly one run (one run may take the digest and the other the
    // overdue lists): together they wrote exactly the messages recorded, once.
    const recorded = (await sends(kyiv, '2026-12-01')).reduce((s, r) => s + r.messages, 0);
    assert.equal(a + b, recorded, 'the two concurrent runs together wrote each kind once');
    const digest = await mails('appeal_digest', 'mayor@zelenodolsk.example');
    assert.equal(digest.length, 1);
    assert.match(digest[0].subject, /30 листопада 2026/);
    assert.match(digest[0].body, /Зареєстровано звернень: 3/);
    assert.match(digest[0].body, /\/console\/appeals\/digest\?date=2026-11-30/);
    assert.equal(await mails('appeal_digest', 'admin@zelenodolsk.example').then((r) => r.length), 0, 'only leadership gets the digest');
    assert.deepEqual((await sends(kyiv, '2026-12-01')).map((r) => r.kind), ['digest', 'overdue']);

    // Overdue lists: controllers get all, each executor organisation only its own.
    const controller = await mails('appeal_overdue', 'controller@zelenodolsk.example');
    assert.equal(controller.length, 1);
    assert.ok(controller[0].body.includes(water.number) && controller[0].body.includes(road.number));
    const waterStaff = (await mails('appeal_overdue', 'executor.water@zelenodolsk.example')).map((m) => m.body).join('\n');
    const roadsStaff = (await mails('appeal_overdue', 'executor.roads@zelenodolsk.example')).map((m) => m.body).join('\n');
    assert.ok(waterStaff.includes(water.number) && !waterStaff.includes(road.number), 'water utility: its own only');
    assert.ok(roadsStaff.includes(road.number) && !roadsStaff.includes(water.number), 'roads: its own only');
    assert.equal(await mails('appeal_overdue', 'mayor@zelenodolsk.example').then((r) => r.length), 0);
    // The heating company has no executor in the console: its own address gets its list.
    const heating = (await mails('appeal_overdue', 'info@teplo.zelenodolsk.example')).map((m) => m.body).join('\n');
    assert.ok(heating.includes(cold.number) && !heating.includes(water.number), 'heating: its own only');
    // The next morning is a new day: sent again, once.
    assert.ok(await sendDailyMailings(deps(), kyiv, new Date('2026-12-02T06:30:00Z')) > 0);
    assert.equal((await mails('appeal_digest', 'mayor@zelenodolsk.example')).length, 2);
  });

  it('sends at 08:00 Tehran time, in Persian, once', async () => {
    assert.equal(await sendDailyMailings(deps(), tehran, new Date('2026-12-01T04:29:00Z')), 0);
    await Promise.all([0, 1, 2].map(() => sendDailyMailings(deps(), tehran, new Date('2026-12-01T04:30:00Z'))));
    await sendDailyMailings(deps(), tehran, new Date('2026-12-01T12:00:00Z'));
    const digest = await mails('appeal_digest', 'mayor@khomein.example');
    assert.equal(digest.length, 1);
    assert.match(digest[0].subject, /درخواست‌های/);
    assert.match(digest[0].body, /آذر ۱۴۰۵/, 'a Solar Hijri date in Persian digits');
    assert.equal((await sends(tehran, '2026-12-01')).length, 2);
  });

  it('the digest page shows the dashboard’s figures for that day; executors see only their own overdue list', async () => {
    const day = previousDay((await sql<{ d: string }>`select to_char(now() at time zone 'Europe/Kyiv', 'YYYY-MM-DD') as d`.execute(app.app.db)).rows[0].d);
    const noon = dayPeriod(day, 'Europe/Kyiv').from.getTime() + 12 * 3600_000;
    await file('water-leak', 'Прорвало трубу у дворі будинку', new Date(noon).toISOString(), 'facebook');
    await file('no-heating', 'Холодні батареї в усьому під’їзді', new Date(noon + 3600_000).toISOString());
    const mayor = new Client(app.origin);
    await mayor.staffLogin('', 'mayor@zelenodolsk.example', DEMO_PASSWORD);
    const headline = (text: string) => /data-testid="headline">([\s\S]*?)<\/dl>/.exec(text)![1];
    const digestPage = await mayor.request('/console/appeals/digest');
    assert.equal(digestPage.status, 200);
    const dashboard = await mayor.request(`/console/appeals/dashboard?from=${day}&to=${day}`);
    assert.equal(headline(digestPage.text), headline(dashboard.text));
    assert.match(headline(digestPage.text), /<dd>2<\/dd>/);
    assert.match(digestPage.text, /data-testid="overdue"/);
    const fa = await mayor.request(`/console/appeals/digest?date=${day}&lang=fa`);
    assert.match(fa.text, /<html lang="fa" dir="rtl">/);

    const roads = new Client(app.origin);
    await roads.staffLogin('', 'executor.roads@zelenodolsk.example', DEMO_PASSWORD);
    const own = await roads.request('/console/appeals/digest');
    assert.equal(own.status, 200);
    assert.doesNotMatch(own.text, /data-testid="headline"/, 'figures are for leadership and the desk');
    const roadNumbers = (await sql<{ number: string }>`select a.number from appeals a join appeal_categories c on c.id = a.category_id where c.code = 'pothole'`.execute(app.app.db)).rows;
    assert.ok(roadNumbers.length > 0);
    for (const { number } of roadNumbers) assert.ok(own.text.includes(number), `road appeal ${number} on the roads page`);
    const waterNumbers = (await sql<{ number: string }>`select a.number from appeals a join appeal_categories c on c.id = a.category_id where c.code = 'water-leak'`.execute(app.app.db)).rows;
    for (const { number } of waterNumbers) assert.ok(!own.text.includes(number), `no water appeal ${number} on the roads page`);
  });
});
