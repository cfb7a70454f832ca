import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { until } from '../../test/until.ts';
import { fakeTelegram } from '../../test/fakes/telegram.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import { saveSettings } from '../channels/service.ts';
import { systemActor } from '../audit/service.ts';
import { parsePolygons } from './schema.ts';

const XSD = fs.readFileSync(new URL('../../../../shared/standards/cap-1.2/cap12.xsd', import.meta.url), 'utf8');
async function assertValidCap(xml: string) {
  const r = await validateXML({ xml: [{ fileName: 'alert.xml', contents: xml }], schema: [{ fileName: 'cap12.xsd', contents: XSD }] });
  assert.ok(r.valid, r.errors.map((e) => e.message).join('\n'));
}

describe('polygons are checked before an alert is issued', () => {
  const ring = '50.45,30.52 50.46,30.52 50.46,30.54 50.45,30.54 50.45,30.52';
  it('accepts a closed ring and reads CAP’s "lat,lon" notation', () => {
    const r = parsePolygons([ring]);
    assert.ok(r.ok);
    assert.deepEqual(r.polygons[0][0], [50.45, 30.52]);
  });
  it('refuses, with the reason, a ring that does not close, crosses itself, is too short, unreadable or off the map', () => {
    const reason = (rings: string[]) => { const r = parsePolygons(rings); return r.ok ? null : `${r.error.key} ${r.error.n}`; };
    assert.equal(reason(['50.45,30.52 50.46,30.52 50.46,30.54']), 'alerts.error.polygon_open 1');
    assert.equal(reason([ring, '50.45,30.52 50.46,30.54 50.46,30.52 50.45,30.54 50.45,30.52']), 'alerts.error.polygon_crosses 2');
    assert.equal(reason(['50.45,30.52 50.46,30.52 50.45,30.52']), 'alerts.error.polygon_short 1');
    assert.equal(reason(['50.45;30.52 50.46,30.52']), 'alerts.error.polygon_format 1');
    assert.equal(reason(['95,30 96,30 96,31 95,30']), 'alerts.error.polygon_range 1');
  });
});

describe('emergency alerts: a duty officer issues, every portal page shows it, CAP 1.2 carries it, channels get it first', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let tg: Awaited<ReturnType<typeof fakeTelegram>>;
  const duty = new Client('');
  before(async () => {
    tg = await fakeTelegram('7000:alerts');
    app = await startTestApp();
    Object.assign(duty, { origin: app.origin });
    await duty.staffLogin('', 'duty@zelenodolsk.example', DEMO_PASSWORD);
    const c = await app.app.communities.bySlug('zelenodolsk');
    await withCommunity(app.app.db, c!.id, (tx) => saveSettings(tx, systemActor(c!.id), 'telegram', { token: '7000:alerts', chat_id: '@zelenodolsk', base_url: tg.url }, true));
  // The demo's storm warnings would share the banner: this test starts from a quiet city.
    await sql`update alerts set status = 'cancelled'`.execute(app.app.db);
    await sql`delete from alert_messages`.execute(app.app.db).catch(() => undefined);
  });
  after(async () => {
    await app.close();
    await tg.close();
  });

  const compose = (extra: Record<string, string> = {}) => ({
    event: 'shelling', severity: 'Extreme', urgency: 'Immediate', certainty: 'Observed', expires_in_hours: '6',
    uk_headline: 'Наслідки обстрілу: вулиця Грушевського перекрита', uk_description: 'Пошкоджено будинки, працюють рятувальники.', uk_instruction: 'Не підходьте до місця влучання.', uk_area: 'Центральний район',
    en_headline: 'Shelling aftermath: Hrushevskoho street closed', en_description: 'Houses damaged, rescuers at work.', en_instruction: 'Keep away from the site.',
    fa_headline: 'پیامد گلوله‌باران: خیابان هروشفسکی بسته است', fa_description: 'خانه‌ها آسیب دیده‌اند.', fa_instruction: 'به محل نزدیک نشوید.',
    polygons: '50.25,28.65 50.26,28.65 50.26,28.67 50.25,28.67 50.25,28.65', do: 'issue', ...extra,
  });

  it('a bad polygon is refused in the officer’s language and nothing is issued', async () => {
    const r = await duty.post('/console/alerts/new', compose({ polygons: '50.25,28.65 50.26,28.65 50.26,28.67' }), '/console/alerts/new');
    assert.equal(r.status, 400);
    assert.match(r.text, /не замкнений/);
    assert.match(r.text, /вулиця Грушевського перекрита/, 'what was typed is kept');
    assert.equal((await sql<{ n: string }>`select count(*) as n from alerts where created_by is not null`.execute(app.app.db)).rows[0].n, '0');
  });

  it('issuing shows the banner on every portal page at once, in uk, en and fa; another community sees nothing', async () => {
    // Pages cached before the alert (news, outages) must not hide it afterwards.
    for (const path of ['/uk/news', '/uk/outages']) assert.doesNotMatch((await new Client(app.origin).request(path)).text, /data-testid="alert-banner"/);
    const r = await duty.post('/console/alerts/new', compose(), '/console/alerts/new');
    assert.equal(r.status, 303);
    const id = /alerts\/([0-9a-f-]{36})$/.exec(r.location!)![1];
    await new Promise((res) => setTimeout(res, 1100)); // the banner cache lives one second
    const visitor = new Client(app.origin);
    for (const path of ['/uk/', '/uk/login', '/uk/appeals/new', '/uk/news', '/uk/outages']) {
      const page = await visitor.request(path);
      assert.match(page.text, /data-testid="alert-banner"[\s\S]*вулиця Грушевського перекрита/, path);
    }
    assert.match((await visitor.request('/fa/')).text, /خیابان هروشفسکی بسته است/);
    assert.match((await visitor.request('/en/')).text, /Hrushevskoho street closed/);
    assert.doesNotMatch((await visitor.request('/c/khomein/fa/')).text, /data-testid="alert-banner"/);
    const page = await visitor.request(`/uk/alerts/${id}`);
    assert.match(page.text, /Не підходьте до місця влучання/);
  });

  it('the CAP message validates against the CAP 1.2 schema, with one <info> per language and the polygon', async () => {
    const { id } = (await sql<{ id: string }>`select id from alerts where created_by is not null order by created_at limit 1`.execute(app.app.db)).rows[0];
    const xml = (await new Client(app.origin).request(`/cap/alerts/${id}.xml`)).text;
    await assertValidCap(xml);
    assert.equal(xml.match(/<info>/g)?.length, 3);
    assert.match(xml, /<language>uk-UA<\/language>[\s\S]*<language>en-US<\/language>[\s\S]*<language>fa-IR<\/language>/);
    assert.match(xml, /<polygon>50.25,28.65 50.26,28.65 50.26,28.67 50.25,28.67 50.25,28.65<\/polygon>/);
    assert.match(xml, /<sent>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00<\/sent>/);
    const atom = (await new Client(app.origin).request('/cap/alerts.atom')).text;
    assert.match(atom, new RegExp(`/cap/alerts/[0-9a-f-]{36}\\.xml`));
    assert.doesNotMatch((await new Client(app.origin).request('/c/khomein/cap/alerts.atom')).text, /<entry>/);
  });

  it('the connected channel gets the alert as a priority delivery; channels not connected are listed as skipped', async () => {
    const post = await until('telegram post', async () => tg.posts.find((p) => /Грушевського/.test(p.text ?? p.caption ?? '')));
    assert.equal(post.chat_id, '@zelenodolsk');
    const rows = (await sql<{ channel: string; status: string; priority: boolean }>`select channel, status, priority from channel_deliveries where source_type = 'alert' order by channel`.execute(app.app.db)).rows;
    assert.ok(rows.every((r) => r.priority));
    assert.equal(rows.find((r) => r.channel === 'facebook')?.status, 'skipped');
  });

  it('an update and a cancellation are CAP Update and Cancel messages referencing the earlier ones; the banner goes', async () => {
    const { id } = (await sql<{ id: string }>`select id from alerts where created_by is not null order by created_at limit 1`.execute(app.app.db)).rows[0];
    const upd = await duty.post(`/console/alerts/${id}/update`, compose({ uk_headline: 'Оновлено: рух вулицею Грушевського відновлено частково' }), `/console/alerts/${id}`);
    assert.equal(upd.status, 303);
    assert.equal((await duty.post(`/console/alerts/${id}/cancel`, {}, `/console/alerts/${id}`)).status, 303);
    const msgs = (await sql<{ msg_type: string; xml: string; identifier: string }>`select msg_type, xml, identifier from alert_messages order by sent_at`.execute(app.app.db)).rows;
    assert.deepEqual(msgs.map((m) => m.msg_type), ['Alert', 'Update', 'Cancel']);
    for (const m of msgs) await assertValidCap(m.xml);
    assert.match(msgs[1].xml, new RegExp(`<references>citydesk-zelenodolsk,${msgs[0].identifier},`));
    assert.match(msgs[2].xml, new RegExp(`${msgs[0].identifier}.*${msgs[1].identifier}`));
    await new Promise((res) => setTimeout(res, 1100));
    assert.doesNotMatch((await new Client(app.origin).request('/uk/')).text, /data-testid="alert-banner"/);
  });

  it('where the community requires it, a second person approves; the one who asked cannot', async () => {
    const admin = new Client(app.origin);
    await admin.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await admin.post('/console/alerts/settings', { need: 'on' }, '/console/alerts')).status, 303);
    const r = await duty.post('/console/alerts/new', compose({ uk_headline: 'Загроза підтоплення' }), '/console/alerts/new');
    const id = /alerts\/([0-9a-f-]{36})$/.exec(r.location!)![1];
    assert.match((await duty.request(`/console/alerts/${id}`)).text, /Чекає на другу особу/);
    assert.equal((await duty.post(`/console/alerts/${id}/approve`, {}, `/console/alerts/${id}`)).status, 403);
    const mayor = new Client(app.origin);
    await mayor.staffLogin('', 'mayor@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await mayor.post(`/console/alerts/${id}/approve`, {}, '/console/alerts')).status, 303);
    assert.match((await duty.request(`/console/alerts/${id}`)).text, /data-testid="alert-status">Діє/);
  });
  it('districts: the form offers the register’s districts, an unknown one is refused, CAP carries them as geocodes', async () => {
    const zel = (await app.app.communities.bySlug('zelenodolsk'))!;
    await sql`update communities set alerts_need_approval = false where id = ${zel.id}`.execute(app.app.db); // the test before asked for it
    const ds = (await sql<{ key: string; names: { uk: string } }>`select key, names from address_districts where community_id = ${zel.id} order by key limit 2`.execute(app.app.db)).rows;
    assert.equal(ds.length, 2, 'the demo register has districts');
    const page = await duty.request('/console/alerts/new');
    for (const d of ds) assert.match(page.text, new RegExp(`name="districts" value="${d.key}"`));
    const refused = await duty.post('/console/alerts/new', { ...compose({ polygons: '', do: 'draft' }), districts: [ds[0].key, 'no-such-district'] }, '/console/alerts/new');
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Такого району немає в реєстрі адрес/);
    assert.match(refused.text, new RegExp(`value="${ds[0].key}" checked`), 'what was ticked stays ticked');

    const r = await duty.post('/console/alerts/new', { ...compose({ polygons: '', uk_area: '', en_area: '', uk_headline: 'Пошкоджено газопровід у двох районах' }), districts: ds.map((d) => d.key) }, '/console/alerts/new');
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const id = /alerts\/([0-9a-f-]{36})$/.exec(r.location!)![1];
    const xml = (await new Client(app.origin).request(`/cap/alerts/${id}.xml`)).text;
    await assertValidCap(xml);
    for (const d of ds) assert.match(xml, new RegExp(`<geocode><valueName>citydesk-zelenodolsk:district</valueName><value>${d.key}</value></geocode>`));
    assert.match(xml, new RegExp(`<areaDesc>${ds[0].names.uk}, ${ds[1].names.uk}</areaDesc>`), 'no area written: the districts’ names');
    await duty.post(`/console/alerts/${id}/cancel`, {}, `/console/alerts/${id}`);
  });
});
