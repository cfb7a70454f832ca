import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { until } from '../../test/until.ts';
import { fakeSmsGateway } from '../../test/fakes/sms.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { quietUntil } from './notify.ts';
import { remindStale } from './jobs.ts';

describe('quiet hours hold planned-outage messages until 07:00 in the community’s time zone', () => {
  it('22:30 in Kyiv waits for 07:00 next morning; noon sends at once; Tehran keeps its own clock', () => {
    assert.equal(quietUntil(new Date('2026-11-22T20:30:00Z'), 'Europe/Kyiv')?.toISOString(), '2026-11-23T05:00:00.000Z');
    assert.equal(quietUntil(new Date('2026-11-22T02:00:00Z'), 'Europe/Kyiv')?.toISOString(), '2026-11-22T05:00:00.000Z');
    assert.equal(quietUntil(new Date('2026-11-22T10:00:00Z'), 'Europe/Kyiv'), null);
    assert.equal(quietUntil(new Date('2026-11-22T19:00:00Z'), 'Asia/Tehran')?.toISOString(), '2026-11-23T03:30:00.000Z');
  });
});

describe('outages: a dispatcher posts by address, subscribers are told, the portal answers “is my address affected?”', () => {
  let sms: Awaited<ReturnType<typeof fakeSmsGateway>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const dispatcher = new Client('');
  const odd = new Client('');
  const even = new Client('');
  let outageId = '';

  async function resident(c: Client, phone: string) {
    Object.assign(c, { origin: app.origin });
    await c.post('/uk/login', { contact: phone });
    const code = /\b(\d{6})\b/.exec((await until('code', async () => sms.received.find((m) => m.phone === phone.slice(1)))).text)![1];
    assert.equal((await c.post('/uk/login/verify', { contact: phone, code }, '/uk/login')).status, 303);
  }
  async function subscribeAt(c: Client, address: string) {
    const page = await c.request(`/uk/outages?q=${encodeURIComponent(address)}`);
    const street = /name="street" value="([^"]+)"/.exec(page.text)![1];
    const building = /name="building" value="([^"]+)"/.exec(page.text)?.[1];
    const r = await c.post('/uk/outages/subscribe', { street, ...(building ? { building } : {}), channel: 'sms', kinds: 'heating' }, `/uk/outages?q=${encodeURIComponent(address)}`);
    assert.equal(r.status, 303);
  }

  before(async () => {
    sms = await fakeSmsGateway('t');
    app = await startTestApp({ SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_TOKEN: 't' });
    // The demo's own notices would mix into the figures: this test starts with none open.
    await sql`update outages set status = 'closed', actual_end_at = now()`.execute(app.app.db);
    Object.assign(dispatcher, { origin: app.origin });
    await dispatcher.staffLogin('', 'dispatcher@zelenodolsk.example', DEMO_PASSWORD);
    await resident(odd, '+380931000003');
    await resident(even, '+380931000004');
    await subscribeAt(odd, 'вул. Івана Франка, 3');
    await subscribeAt(odd, 'вул. Івана Франка, 5'); // two addresses the notice covers: one message
    await subscribeAt(even, 'вул. Івана Франка, 4');
  });
  after(async () => {
    await app.close();
    await sms.close();
  });

  const post = (form: Record<string, string>) => dispatcher.post('/console/outages/new', { kind: 'heating', emergency: 'true', reason: 'Пошкодження тепломережі', starts: '2026-11-22T08:00', ends: '2030-11-22T20:00', ...form }, '/console/outages/new');

  it('an address the register does not know is refused line by line; nothing is posted', async () => {
    const r = await post({ area: 'вул. Івана Франка, 1-9 непарні\nвул. Неіснуюча' });
    assert.equal(r.status, 400);
    assert.match(r.text, /рядок 2 «вул. Неіснуюча»: такої вулиці немає в реєстрі/);
    assert.match(r.text, /Пошкодження тепломережі/, 'what was typed is kept');
    assert.equal((await sql<{ n: string }>`select count(*) as n from outages where created_by is not null`.execute(app.app.db)).rows[0].n, '0');
  });

  it('posting an emergency on the odd houses tells the odd-house subscriber at once and not the even one', async () => {
    const r = await post({ area: 'вул. Івана Франка, 1-9 непарні' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    outageId = /outages\/([0-9a-f-]{36})$/.exec(r.location!)![1];
    const msg = await until('sms to the odd house', async () => sms.received.find((m) => m.phone === '380931000003' && /Аварійне/.test(m.text)));
    assert.match(msg.text, /Опалення/);
    assert.match(msg.text, /Відписатися: http/);
    await new Promise((res) => setTimeout(res, 500));
    assert.ok(!sms.received.some((m) => m.phone === '380931000004' && /Аварійне/.test(m.text)));
    assert.equal(sms.received.filter((m) => m.phone === '380931000003' && /Аварійне/.test(m.text)).length, 1, 'one SMS for both of their addresses');
  });

  it('the portal answers the lookup for an affected house, an unaffected one, and several streets to choose from', async () => {
    const visitor = new Client(app.origin);
    assert.match((await visitor.request(`/uk/outages?q=${encodeURIComponent('Франка 5')}`)).text, /зараз 1 відключення/);
    assert.match((await visitor.request(`/uk/outages?q=${encodeURIComponent('вул. Івана Франка, 6')}`)).text, /зараз відключень немає/);
    assert.match((await visitor.request(`/uk/outages?q=${encodeURIComponent('Лесі Українки')}`)).text, /Підходить кілька вулиць/);
    assert.match((await visitor.request('/uk/outages?q=zzzz')).text, /Такої адреси немає в реєстрі/);
    assert.match((await visitor.request(`/uk/outages/${outageId}`)).text, /Пошкодження тепломережі/);
    const json = (await visitor.request('/uk/outages.json')).json();
    assert.equal(json.items.find((i: { id: string }) => i.id === outageId)?.kind, 'heating');
    assert.match((await visitor.request('/uk/outages.rss')).text, /^<\?xml[\s\S]*<rss version="2.0">[\s\S]*<item>/);
    assert.doesNotMatch((await visitor.request('/c/khomein/fa/outages')).text, /Пошкодження тепломережі/);
  });

  it('a notice past its expected end without an update is stale: the dispatcher is reminded once, control shows it', async () => {
    await sql`update outages set expected_end_at = now() - interval '1 hour', last_update_at = now() - interval '3 hours', starts_at = now() - interval '4 hours' where id = ${outageId}`.execute(app.app.db);
    const community = (await app.app.communities.bySlug('zelenodolsk'))!;
    const deps = { db: app.app.db, secret: app.app.secret, config: app.app.config, log: app.app.log, queue: app.app.queue, origin: () => app.origin };
    assert.equal(await remindStale(deps, community), 1);
    assert.equal(await remindStale(deps, community), 0, 'never twice');
    const mails = await sql<{ n: string }>`select count(*) as n from outbox_messages where purpose = 'outage_stale' and recipient = 'dispatcher@zelenodolsk.example'`.execute(app.app.db);
    assert.equal(mails.rows[0].n, '1');
    const controller = new Client(app.origin);
    await controller.staffLogin('', 'controller@zelenodolsk.example', DEMO_PASSWORD);
    assert.match((await controller.request('/console/outages/control')).text, /Зеленодольськтеплокомуненерго[^\n]*?<td>[1-9]\d*<\/td><td>[1-9]\d*<\/td><td><strong>1<\/strong><\/td><\/tr>/);
  });

  it('closing tells the subscriber supply is back; another utility cannot touch the notice', async () => {
    const water = new Client(app.origin);
    await water.staffLogin('', 'executor.water@zelenodolsk.example', DEMO_PASSWORD).catch(() => undefined);
    assert.notEqual((await water.request(`/console/outages/${outageId}`)).status, 200);
    assert.equal((await dispatcher.post(`/console/outages/${outageId}/close`, {}, `/console/outages/${outageId}`)).status, 303);
    await until('restored sms', async () => sms.received.find((m) => m.phone === '380931000003' && /відновлено/.test(m.text)));
  });

  it('a polygon beside address rules does not reach subscribers outside both', async () => {
    const before = sms.received.length;
    const r = await post({ area: 'вул. Лесі Українки, 4', polygons: '10,10 10.01,10 10.01,10.01 10,10.01 10,10' });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal(sms.received.slice(before).filter((m) => /Аварійне/.test(m.text)).length, 0);
  });

  it('an emergency outage becomes a CAP alert in one action (category Infra)', async () => {
    const r = await post({ area: 'вул. Івана Франка', kind: 'cold_water' });
    const id = /outages\/([0-9a-f-]{36})$/.exec(r.location!)![1];
    const duty = new Client(app.origin);
    await duty.staffLogin('', 'duty@zelenodolsk.example', DEMO_PASSWORD);
    const a = await duty.post(`/console/outages/${id}/alert`, {}, `/console/outages/${id}`);
    assert.equal(a.status, 303);
    const alertId = /alerts\/([0-9a-f-]{36})$/.exec(a.location!)![1];
    const xml = (await new Client(app.origin).request(`/cap/alerts/${alertId}.xml`)).text;
    assert.match(xml, /<category>Infra<\/category>/);
    assert.match(xml, /Холодна вода/);
  });
});
