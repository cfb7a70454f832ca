import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type RawBuilder } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import { activeOutagesAt } from '../outages/match.ts';
import { insidePolygon } from '../outages/areas.ts';

describe('appeals during an outage: linked at intake, a banner for the operator, closed with the outage', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const dispatcher = new Client('');
  const operator = new Client('');
  const admin = new Client('');
  const cat: Record<string, string> = {};
  let street = '';
  const house: Record<'odd' | 'odd2' | 'even' | 'far', { id: string; number: string }> = {} as never;
  let outageA = '';
  let outageB = '';
  const appeals: Record<string, string> = {};

  const db = () => app.app.db;
  const rows = async <T,>(q: RawBuilder<T>) => (await q.execute(db())).rows;

  before(async () => {
    app = await startTestApp();
    // The demo's own notices would match too: this test starts with none open.
    await sql`update outages set status = 'closed', actual_end_at = now()`.execute(db());
    for (const c of [dispatcher, operator, admin]) Object.assign(c, { origin: app.origin });
    await dispatcher.staffLogin('', 'dispatcher@zelenodolsk.example', DEMO_PASSWORD);
    await operator.staffLogin('', 'operator@zelenodolsk.example', DEMO_PASSWORD);
    await admin.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD);
    const community = (await app.app.communities.bySlug('zelenodolsk'))!;
    for (const r of await rows(sql<{ code: string; id: string }>`select code, id from appeal_categories where community_id = ${community.id}`)) cat[r.code] = r.id;
    street = (await rows(sql<{ id: string }>`select id from streets where community_id = ${community.id} and kind = 'street' and names->>'uk' = 'Івана Франка'`))[0].id;
    const bs = await rows(sql<{ id: string; number: string; n: number }>`select id, number, substring(number from '\\d+')::int as n from buildings where street_id = ${street} and number ~ '^\\d+$' order by substring(number from '\\d+')::int`);
    const odd = bs.filter((b) => b.n % 2 === 1 && b.n <= 9);
    house.odd = odd[0];
    house.odd2 = odd[1];
    house.even = bs.find((b) => b.n % 2 === 0 && b.n <= 9)!;
    house.far = bs.find((b) => b.n >= 11 && b.n <= 19 && b.n % 2 === 1)!;
    assert.ok(house.odd && house.odd2 && house.even && house.far, 'the demo street has the houses this test needs');
  });
  after(async () => {
    await app.close();
  });

  const postOutage = async (area: string) => {
    const r = await dispatcher.post('/console/outages/new', { kind: 'heating', emergency: 'true', reason: 'Пошкодження тепломережі', starts: '2025-01-01T08:00', ends: '2030-11-22T20:00', area }, '/console/outages/new');
    assert.equal(r.status, 303, r.text.slice(0, 300));
    return /outages\/([0-9a-f-]{36})$/.exec(r.location!)![1];
  };
  const form = (category: string, h: { id: string; number: string }, phone: string, extra: Record<string, string> = {}) => ({
    channel: 'phone', type: 'statement', category_id: cat[category], description: 'Холодні батареї в усьому будинку з ранку',
    address: `вул. Івана Франка, ${h.number}`, street_id: street, building_id: h.id, phone, name: 'Олена Коваль', applicant_address: `вул. Івана Франка, ${h.number}, кв. 1`, ...extra,
  });
  const register = async (category: string, h: { id: string; number: string }, phone: string) => {
    const r = await operator.post('/console/appeals', form(category, h, phone, { dup: 'new' }), '/console/appeals');
    assert.equal(r.status, 303, r.text.slice(0, 500));
    return /appeals\/([0-9a-f-]{36})$/.exec(r.location!)![1];
  };
  const linksOf = async (appealId: string) => (await rows(sql<{ outage_id: string }>`select outage_id from appeal_outage_links where appeal_id = ${appealId}`)).map((x) => x.outage_id);
  const statusOf = async (appealId: string) => (await rows(sql<{ status: string }>`select status from appeals where id = ${appealId}`))[0].status;

  it('the community admin sets a category’s outage kind; the demo catalogue comes with them', async () => {
    const kinds = await rows(sql<{ code: string; outage_kind: string | null }>`select code, outage_kind from appeal_categories where id in (${cat['water-leak']}, ${cat['no-heating']}, ${cat.pothole})`);
    assert.deepEqual(Object.fromEntries(kinds.map((k) => [k.code, k.outage_kind])), { 'water-leak': 'cold_water', 'no-heating': 'heating', pothole: null });
    assert.match((await admin.request(`/console/appeals/categories/${cat['no-heating']}`)).text, /<option value="heating" selected>Опалення<\/option>/);
    // The edit form as it is, with only the outage kind changed.
    const page = (await admin.request(`/console/appeals/categories/${cat.trees}`)).text;
    const fields: Record<string, string> = Object.fromEntries([...page.matchAll(/<input id="[a-z_]+" name="([a-z_]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    for (const m of page.matchAll(/<select id="[a-z_]+" name="([a-z_]+)"[^>]*>([\s\S]*?)<\/select>/g)) fields[m[1]] = /<option value="([^"]*)" selected>/.exec(m[2])?.[1] ?? '';
    const save = (kind: string) => admin.post(`/console/appeals/categories/${cat.trees}`, { ...fields, outage_kind: kind }, `/console/appeals/categories/${cat.trees}`);
    assert.equal((await save('roads')).status, 303);
    assert.equal((await rows(sql<{ outage_kind: string }>`select outage_kind from appeal_categories where id = ${cat.trees}`))[0].outage_kind, 'roads');
    assert.equal((await save('')).status, 303);
    assert.equal((await rows(sql<{ outage_kind: string | null }>`select outage_kind from appeal_categories where id = ${cat.trees}`))[0].outage_kind, null);
    const bad = await save('tsunami');
    assert.equal(bad.status, 400, 'an unknown kind is refused');
    assert.equal((await rows(sql<{ outage_kind: string | null }>`select outage_kind from appeal_categories where id = ${cat.trees}`))[0].outage_kind, null);
  });

  it('an appeal on an affected house with a matching category is linked, with a public timeline entry; others are not', async () => {
    outageA = await postOutage('вул. Івана Франка, 1-9 непарні');
    appeals.linked = await register('no-heating', house.odd, '+380671110001');
    assert.deepEqual(await linksOf(appeals.linked), [outageA]);
    const ev = await rows(sql<{ kind: string; is_public: boolean; note: string }>`select kind, is_public, note from appeal_events where appeal_id = ${appeals.linked} order by id`);
    assert.deepEqual(ev.map((e) => e.kind), ['registered', 'outage_linked']);
    assert.equal(ev[1].is_public, true);
    assert.match(ev[1].note, /^Опалення: вул\. Івана Франка, 1-9 непарні/);
    const page = await operator.request(`/console/appeals/${appeals.linked}`);
    assert.match(page.text, /data-testid="linked-outage"[\s\S]*Відоме відключення[\s\S]*Опалення[\s\S]*відновлення очікується/);
    assert.match(page.text, /Повʼязано з відомим відключенням/);

    appeals.evenHouse = await register('no-heating', house.even, '+380671110002');
    appeals.otherKind = await register('no-water', house.odd, '+380671110003');
    appeals.noKind = await register('pothole', house.odd, '+380671110004');
    for (const k of ['evenHouse', 'otherKind', 'noKind']) assert.deepEqual(await linksOf(appeals[k]), [], k);
    assert.doesNotMatch((await operator.request(`/console/appeals/${appeals.evenHouse}`)).text, /linked-outage/);
  });

  it('the registration form shows the known outage when it comes back, and the live endpoint answers while typing', async () => {
    // Same category and address as an open appeal: the duplicates question brings the form back.
    const r = await operator.post('/console/appeals', form('no-heating', house.odd2, '+380671110009'), '/console/appeals');
    assert.equal(r.status, 200);
    assert.match(r.text, /data-testid="duplicates"/);
    assert.match(r.text, /data-testid="known-outage"[\s\S]*За цією адресою відоме відключення[\s\S]*Опалення \(Аварійне\), вул\. Івана Франка, 1-9 непарні: відновлення очікується/);
    assert.match(r.text, new RegExp(`href="/uk/outages/${outageA}"`));
    const other = await operator.post('/console/appeals', form('no-heating', house.even, '+380671110009'), '/console/appeals');
    assert.doesNotMatch(other.text, /data-testid="known-outage"/);

    const live = async (q: Record<string, string>) => (await operator.request(`/console/appeals/known-outages.json?${new URLSearchParams(q)}`)).json() as { items: Array<{ id: string; label: string; href: string }> };
    assert.deepEqual((await live({ category_id: cat['no-heating'], street_id: street, building_id: house.odd2.id })).items.map((i) => i.id), [outageA]);
    assert.deepEqual((await live({ category_id: cat['no-heating'], address: `Франка ${house.odd2.number}` })).items.map((i) => i.id), [outageA], 'typed text, not yet picked');
    assert.deepEqual((await live({ category_id: cat['no-heating'], street_id: street, building_id: house.even.id })).items, []);
    assert.deepEqual((await live({ category_id: cat.pothole, street_id: street, building_id: house.odd2.id })).items, []);
    const en = (await operator.request(`/console/appeals/known-outages.json?lang=en&${new URLSearchParams({ category_id: cat['no-heating'], street_id: street, building_id: house.odd2.id })}`)).json() as { items: Array<{ label: string }> };
    assert.match(en.items[0].label, /^Heating \(Emergency\), .*: expected back /);
    // Not for everyone: the dispatcher is no appeals operator.
    assert.notEqual((await dispatcher.request(`/console/appeals/known-outages.json?category_id=${cat['no-heating']}`)).status, 200);
  });

  it('closing an outage without the option leaves its linked appeals as they are', async () => {
    outageB = await postOutage(`вул. Івана Франка, ${house.far.number}`);
    appeals.far = await register('no-heating', house.far, '+380671110005');
    assert.deepEqual(await linksOf(appeals.far), [outageB]);
    const page = await dispatcher.request(`/console/outages/${outageB}`);
    assert.match(page.text, /Повʼязані з оголошенням звернення: 1 відкрите/);
    assert.equal((await dispatcher.post(`/console/outages/${outageB}/close`, { appeals_message: 'Опалення відновлено' }, `/console/outages/${outageB}`)).status, 303);
    assert.equal(await statusOf(appeals.far), 'registered');
    assert.equal((await rows(sql<{ n: string }>`select count(*) as n from outbox_messages where purpose = 'appeal_outage_closed'`))[0].n, '0');
  });

  it('closing with the option but no message is refused, keeps what was typed and changes nothing', async () => {
    const r = await dispatcher.post(`/console/outages/${outageA}/close`, { close_appeals: 'on', appeals_message: 'ok' }, `/console/outages/${outageA}`);
    assert.equal(r.status, 400);
    assert.match(r.text, /Напишіть повідомлення заявникам \(щонайменше 5 символів\): нічого не закрито/);
    assert.match(r.text, /<input type="checkbox" id="close_appeals" name="close_appeals" checked>/);
    assert.match(r.text, />ok<\/textarea>/);
    assert.equal((await rows(sql<{ status: string }>`select status from outages where id = ${outageA}`))[0].status, 'open');
    assert.equal(await statusOf(appeals.linked), 'registered');
  });

  it('closing with the option closes every linked open appeal and tells each applicant exactly once', async () => {
    // A second appeal of the first caller, and one of another caller, in English.
    const again = await operator.post('/console/appeals', form('no-heating', house.odd2, '+380671110001', { dup: 'new', description: 'Другий дзвінок: у підʼїзді теж холодно' }), '/console/appeals');
    appeals.again = /appeals\/([0-9a-f-]{36})$/.exec(again.location!)![1];
    appeals.second = await register('no-heating', house.odd2, '+380671110006');
    await sql`update appeals set lang = 'en' where id = ${appeals.second}`.execute(db());
    // One already accepted by the executor: still open, closed too.
    await sql`update appeals set status = 'in_progress' where id = ${appeals.second}`.execute(db());
    for (const k of ['again', 'second']) assert.deepEqual(await linksOf(appeals[k]), [outageA], k);

    const r = await dispatcher.post(`/console/outages/${outageA}/close`, { close_appeals: 'on', appeals_message: 'Опалення відновлено о 14:00' }, `/console/outages/${outageA}`);
    assert.equal(r.status, 303, r.text.slice(0, 400));
    for (const k of ['linked', 'again', 'second']) assert.equal(await statusOf(appeals[k]), 'closed', k);
    for (const k of ['evenHouse', 'otherKind', 'noKind', 'far']) assert.equal(await statusOf(appeals[k]), 'registered', k);

    const msgs = await rows(sql<{ recipient: string; body: string }>`select recipient, body from outbox_messages where purpose = 'appeal_outage_closed' order by recipient`);
    assert.deepEqual(msgs.map((m) => m.recipient), ['+380671110001', '+380671110006'], 'one message per applicant');
    assert.match(msgs[0].body, /^Звернення \d{4}-\d{6}: відключення завершено, звернення закрито\.\nОпалення відновлено о 14:00\n/);
    assert.match(msgs[1].body, /^Appeal \d{4}-\d{6}: the outage is over and the appeal is closed\./);

    const ev = await rows(sql<{ kind: string; from_status: string; note: string; is_public: boolean }>`select kind, from_status, note, is_public from appeal_events where appeal_id = ${appeals.second} and kind = 'close'`);
    assert.deepEqual(ev, [{ kind: 'close', from_status: 'in_progress', note: 'Опалення відновлено о 14:00', is_public: true }]);
    const audit = await rows(sql<{ object_id: string }>`select object_id from audit_log where action = 'appeal.close' and changes->'outage_id'->>'to' = ${outageA}`);
    assert.equal(audit.length, 3);
    const closeAudit = await rows(sql<{ changes: { _note: { appeals_closed: number; applicants_told: number } } }>`select changes from audit_log where action = 'outage.close' and object_id = ${outageA}`);
    assert.deepEqual(closeAudit[0].changes._note, { appeals_closed: 3, applicants_told: 2 });
  });

  it('one definition of “covers”: polygons are matched in SQL as areas.ts matches them in JavaScript', async () => {
    const community = (await app.app.communities.bySlug('zelenodolsk'))!;
    const ring: [number, number][] = [[50, 30], [50.01, 30], [50.01, 30.02], [50.005, 30.01], [50, 30.02], [50, 30]];
    const points: [number, number][] = [[50.005, 30.001], [50.005, 30.0199], [50.002, 30.01], [50.009, 30.01], [50.02, 30.01], [49.99, 30.01]];
    for (const [lat, lon] of points) {
      const got = (await rows(sql<{ inside: boolean }>`select outage_point_in_ring(${lat}::float8, ${lon}::float8, ${JSON.stringify(ring)}::jsonb) as inside`))[0].inside;
      assert.equal(got, insidePolygon(lat, lon, ring), `${lat},${lon}`);
    }
    // A polygon notice covers a building inside it, by the building's point.
    const b = (await rows(sql<{ id: string; lat: number; lon: number }>`select id, lat, lon from buildings where street_id = ${street} and lat is not null limit 1`))[0];
    const o = (await rows(sql<{ id: string; organisation_id: string }>`select id, organisation_id from outages where id = ${outageA}`))[0];
    const d = 0.0005;
    const poly = [[b.lat - d, b.lon - d], [b.lat + d, b.lon - d], [b.lat + d, b.lon + d], [b.lat - d, b.lon + d], [b.lat - d, b.lon - d]];
    const found = await withCommunity(db(), community.id, async (tx) => {
      const row = await tx.insertInto('outages').values({ community_id: community.id, organisation_id: o.organisation_id, kind: 'gas', emergency: true, reason: '{}', starts_at: new Date(Date.now() - 3600_000), expected_end_at: new Date(Date.now() + 3600_000) }).returning('id').executeTakeFirstOrThrow();
      await tx.insertInto('outage_areas').values({ community_id: community.id, outage_id: row.id, kind: 'polygon', polygon: JSON.stringify(poly) }).execute();
      return [await activeOutagesAt(tx, { kind: 'gas', streetId: street, buildingId: b.id }), await activeOutagesAt(tx, { kind: 'gas', streetId: street, buildingId: null, lat: b.lat + 0.01, lon: b.lon })];
    });
    assert.equal(found[0].length, 1);
    assert.equal(found[1].length, 0);
  });
});
