import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migratedDb, silentLog } from '../../test/harness.ts';
import { loadConfig } from '../../config.ts';
import { loadDemo } from '../../demo/load.ts';
import { withCommunity, type Db } from '../../db/db.ts';
import { parseAddress } from './normalise.ts';
import { resolveAddress, runImport, suggestAddresses, getImport, type Resolution } from './service.ts';

describe('address register: finding what people type', () => {
  let db: Db;
  let close: () => Promise<void>;
  let zel: string;
  let kho: string;
  before(async () => {
    const m = await migratedDb();
    db = m.db;
    close = m.close;
    await loadDemo(db, loadConfig({ DATABASE_URL: m.url, CITYDESK_DEMO: 'true', CITYDESK_DEMO_APPEALS: 'false' }), silentLog);
    const ids = await db.selectFrom('communities').select(['id', 'slug']).execute();
    zel = ids.find((c) => c.slug === 'zelenodolsk')!.id;
    kho = ids.find((c) => c.slug === 'khomein')!.id;
  });
  after(() => close());

  const resolve = (community: string, text: string, lang: 'uk' | 'en' | 'fa' = 'uk') => withCommunity(db, community, (tx) => resolveAddress(tx, text, lang, community === zel ? 'uk' : 'fa'));
  const label = (r: Resolution) => (r.status === 'matched' ? r.match.label : `${r.status}`);

  it('demo registers have a few hundred streets and a few thousand buildings', async () => {
    const count = async (c: string, t: 'streets' | 'buildings' | 'address_districts') =>
      Number((await withCommunity(db, c, (tx) => tx.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow())).n);
    assert.ok((await count(zel, 'streets')) >= 250, 'Zelenodolsk streets');
    assert.ok((await count(zel, 'buildings')) >= 3000, 'Zelenodolsk buildings');
    assert.equal(await count(zel, 'address_districts'), 5);
    assert.ok((await count(kho, 'streets')) >= 90);
    assert.ok((await count(kho, 'buildings')) >= 1000);
  });

  it('parses kinds, numbers and apostrophes', () => {
    assert.deepEqual(parseAddress('вул. Шевченка, 12-А'), { street: 'shevchenka', kind: 'street', number: '12а', numberKey: '12а' });
    assert.equal(parseAddress('просп. Незалежності 20').kind, 'avenue');
    assert.equal(parseAddress("Вʼячеслава Чорновола").street, parseAddress('В’ячеслава Чорновола').street);
    assert.equal(parseAddress("В'ячеслава Чорновола").street, parseAddress('Вячеслава Чорновола').street);
    assert.deepEqual(parseAddress('کوچه ۱۲'), { street: '12', kind: 'alley', number: null, numberKey: null }, 'alley number 12, no building');
    assert.equal(parseAddress('آیت الله کاشانی').street, parseAddress('آیت‌الله كاشاني').street);
    assert.equal(parseAddress('خیابان فردوسی، پلاک ۷').numberKey, '7');
  });

  it('finds a street and its building; the label is normalised', async () => {
    const r = await resolve(zel, 'вул. Шевченка, 12');
    assert.equal(r.status, 'matched');
    assert.equal(label(r), 'вул. Тараса Шевченка, 12');
    assert.ok(r.status === 'matched' && r.match.buildingId && r.match.lat !== null, 'the building and its point');
    assert.equal(label(await resolve(zel, 'Незалежності просп., 20')), 'просп. Незалежності, 20');
    assert.equal(label(await resolve(zel, 'пр-т Незалежності 20')), 'просп. Незалежності, 20');
  });

  it('tolerates typos and every apostrophe', async () => {
    assert.equal(label(await resolve(zel, 'вул. Грушевськго 3')), 'вул. Михайла Грушевського, 3');
    for (const a of ['ʼ', "'", '’', '']) assert.equal(label(await resolve(zel, `вул. Вʼячеслава Чорновола 5`.replace('ʼ', a))), 'вул. Вʼячеслава Чорновола, 5', `apostrophe ${JSON.stringify(a)}`);
  });

  it('finds renamed streets by their former name and says so', async () => {
    const r = await resolve(zel, 'вул. Леніна, 4');
    assert.equal(label(r), 'вул. Героїв Майдану, 4');
    assert.equal(r.status === 'matched' && r.match.formerName, 'Леніна');
    const s = await withCommunity(db, zel, (tx) => suggestAddresses(tx, 'Кіров', 'uk', 'uk'));
    assert.equal(s[0]?.label, 'вул. Героїв Небесної Сотні');
  });

  it('several streets fit → a choice, not a guess; a kind word settles it', async () => {
    const r = await resolve(zel, 'Григорія Сковороди');
    assert.equal(r.status, 'ambiguous');
    assert.deepEqual(r.status === 'ambiguous' && r.options.map((o) => o.label).sort(), ['вул. Григорія Сковороди', 'пров. Григорія Сковороди']);
    assert.equal(label(await resolve(zel, 'пров. Григорія Сковороди 3')), 'пров. Григорія Сковороди, 3');
    assert.equal(label(await resolve(zel, 'Сковороди 12')), 'вул. Григорія Сковороди, 12', 'only the street has a number 12');
  });

  it('nothing close → none', async () => {
    assert.equal((await resolve(zel, 'вул. Неіснуюча Вигадана, 7')).status, 'none');
    assert.equal((await resolve(zel, '12')).status, 'none');
  });

  it('Persian: ي/ی, ك/ک, ZWNJ or not, Persian digits; English labels', async () => {
    assert.equal(label(await resolve(kho, 'خيابان آيت الله كاشاني ۵', 'fa')), 'خیابان آیت‌الله کاشانی، پلاک ۵');
    assert.equal(label(await resolve(kho, 'خیابان آیت‌الله کاشانی، پلاک 5', 'fa')), 'خیابان آیت‌الله کاشانی، پلاک ۵');
    assert.equal(label(await resolve(kho, 'کوچه شهید نیکنام 2', 'fa')), 'کوچه شهید نیک‌نام، پلاک ۲');
    assert.equal(label(await resolve(kho, 'خیابان شاه ۳', 'fa')), 'خیابان انقلاب، پلاک ۳');
    assert.equal(label(await resolve(kho, 'Ferdowsi St 4', 'en')), 'Ferdowsi St, 4');
    assert.equal((await resolve(kho, 'کشاورز ۳', 'fa')).status, 'ambiguous', 'a street and a boulevard share the name');
  });

  it('communities see only their own register', async () => {
    assert.equal((await resolve(kho, 'вул. Тараса Шевченка 12')).status, 'none');
    const s = await withCommunity(db, kho, (tx) => tx.selectFrom('buildings').select('community_id').distinct().execute());
    assert.deepEqual(s.map((x) => x.community_id), [kho]);
  });

  const importText = async (community: string, format: 'csv' | 'osm' | 'geojson', text: string) => {
    const id = await withCommunity(db, community, async (tx) => (await tx.insertInto('address_imports').values({ community_id: community, format, payload: text }).returning('id').executeTakeFirstOrThrow()).id);
    await runImport(db, community, id);
    await runImport(db, community, id); // a retried job changes nothing
    return (await withCommunity(db, community, (tx) => getImport(tx, id)))!;
  };

  it('imports CSV and reports bad rows with their line and reason', async () => {
    const csv = [
      'street;kind;former_names;district;number;lat;lon',
      'Нова Тестова;вулиця;Стара Тестова;Тестовий;1;47.57;33.65',
      'Нова Тестова;вулиця;;Тестовий;2а;;',
      ';вулиця;;;3;;',
      'Нова Тестова;вулиця;;;абв;;',
      'Нова Тестова;вулиця;;;4;147;33',
      'Нова Тестова;бульварчик;;;5;;',
      'провулок Тестовий;;;;7;47.5;33.6',
    ].join('\n');
    const run = await importText(zel, 'csv', csv);
    assert.equal(run.status, 'done');
    assert.equal(run.streets_added, 2);
    assert.equal(run.buildings_added, 3);
    assert.deepEqual(run.rejected.map((r) => [r.line, r.reason]), [
      [4, 'addresses.reject.no_street'], [5, 'addresses.reject.bad_number'], [6, 'addresses.reject.bad_coordinates'], [7, 'addresses.reject.bad_kind'],
    ]);
    assert.equal(label(await resolve(zel, 'вул. Стара Тестова 2-а')), 'вул. Нова Тестова, 2а');
    assert.equal(label(await resolve(zel, 'Тестовий пров. 7')), 'пров. Тестовий, 7');
    const bad = await importText(zel, 'geojson', '{"type": "Feature"');
    assert.equal(bad.status, 'failed');
    assert.ok(bad.error);
  });

  it('imports OpenStreetMap XML: streets with names per language, buildings with centroids', async () => {
    const osm = `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="47.50" lon="33.60"/><node id="2" lat="47.52" lon="33.62"/>
  <node id="3" lat="47.51" lon="33.61"><tag k="addr:street" v="вулиця Осмова"/><tag k="addr:housenumber" v="9"/></node>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/><tag k="name" v="вулиця Осмова"/><tag k="name:en" v="Osmova Street"/><tag k="old_name" v="Чкалова"/></way>
  <way id="11"><nd ref="1"/><nd ref="2"/><tag k="building" v="yes"/><tag k="addr:street" v="вулиця Осмова"/><tag k="addr:housenumber" v="11"/></way>
  <way id="12"><nd ref="1"/><tag k="building" v="yes"/><tag k="addr:housenumber" v="13"/></way>
</osm>`;
    const run = await importText(zel, 'osm', osm);
    assert.equal(run.status, 'done');
    assert.equal(run.buildings_added, 2);
    assert.equal(run.rejected.length, 1, 'a number without a street');
    const r = await resolve(zel, 'Чкалова 11', 'en');
    assert.equal(label(r), 'Osmova St, 11');
    assert.ok(r.status === 'matched' && Math.abs(r.match.lat! - 47.51) < 1e-9 && Math.abs(r.match.lon! - 33.61) < 1e-9, 'centroid of the way');
  });

  it('imports GeoJSON', async () => {
    const gj = JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', properties: { highway: 'residential', name: 'بلوار آزمایشی', 'name:en': 'Azmayeshi Blvd' }, geometry: { type: 'LineString', coordinates: [[50, 33.6], [50.01, 33.61]] } },
      { type: 'Feature', properties: { 'addr:street': 'بلوار آزمایشی', 'addr:housenumber': '۱۲' }, geometry: { type: 'Polygon', coordinates: [[[50, 33.6], [50.002, 33.6], [50.002, 33.602], [50, 33.602]]] } },
      { type: 'Feature', properties: { street: 'بلوار آزمایشی', number: '14' }, geometry: { type: 'Point', coordinates: [50.003, 33.603] } },
    ] });
    const run = await importText(kho, 'geojson', gj);
    assert.equal(run.status, 'done');
    assert.equal(run.buildings_added, 2);
    const r = await resolve(kho, 'بلوار آزمایشي ۱۲', 'fa');
    assert.equal(label(r), 'بلوار آزمایشی، پلاک ۱۲');
    assert.ok(r.status === 'matched' && Math.abs(r.match.lat! - 33.601) < 1e-9);
  });
});
