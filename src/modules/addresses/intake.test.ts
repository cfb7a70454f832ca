import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';

describe('intake forms: addresses from the register, through HTTP', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let zel: string;
  let categoryId: string;
  before(async () => {
    app = await startTestApp();
    zel = (await app.app.db.selectFrom('communities').select('id').where('slug', '=', 'zelenodolsk').executeTakeFirstOrThrow()).id;
    categoryId = (await withCommunity(app.app.db, zel, (tx) => tx.selectFrom('appeal_categories').select('id').where('code', '=', 'pothole').executeTakeFirstOrThrow())).id;
  });
  after(() => app.close());

  const count = async () => Number((await app.app.db.selectFrom('appeals').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const filedAppeal = async (location: string) => {
    const number = /\/appeals\/(\d{4}-\d{6})\?/.exec(location)![1];
    return app.app.db.selectFrom('appeals').select(['address', 'street_id', 'building_id', 'lat', 'lon']).where('number', '=', number).executeTakeFirstOrThrow();
  };
  const form = (address: string, extra: Record<string, string> = {}) => ({ category_id: categoryId, type: 'statement', description: 'Глибока яма на дорозі біля будинку', address, ...extra });

  it('suggests streets and buildings as JSON, without personal data, in uk and fa', async () => {
    const c = new Client(app.origin);
    const r = await c.request('/uk/addresses/suggest?q=%D0%A8%D0%B5%D0%B2%D1%87%D0%B5%D0%BD%D0%BA%D0%B0%2012');
    assert.equal(r.status, 200);
    const items = r.json().items as { label: string; building_id: string | null }[];
    assert.ok(items.some((i) => i.label === 'вул. Тараса Шевченка, 12' && i.building_id), JSON.stringify(items));
    assert.deepEqual(Object.keys(items[0]).sort(), ['building_id', 'former', 'label', 'lat', 'lon', 'street_id']);
    const fa = await c.request(`/c/khomein/fa/addresses/suggest?q=${encodeURIComponent('كاشاني')}`);
    assert.equal(fa.json().items[0].label, 'خیابان آیت‌الله کاشانی');
    const old = await c.request(`/uk/addresses/suggest?q=${encodeURIComponent('Леніна')}`);
    assert.equal(old.json().items[0].former, 'колишня Леніна');
  });

  it('portal: one match is normalised, with the building and its point', async () => {
    const c = new Client(app.origin);
    const r = await c.post('/uk/appeals/new', form('вул. Шевченка 12'), '/uk/appeals/new');
    assert.equal(r.status, 303);
    const a = await filedAppeal(r.location!);
    assert.equal(a.address, 'вул. Тараса Шевченка, 12');
    assert.ok(a.street_id && a.building_id && a.lat && a.lon);
  });

  it('portal: several streets → a choice list; nothing is filed until the resident chooses', async () => {
    const c = new Client(app.origin);
    const before = await count();
    const r = await c.post('/uk/appeals/new', form('Григорія Сковороди 3'), '/uk/appeals/new');
    assert.equal(r.status, 400);
    assert.equal(await count(), before);
    assert.match(r.text, /Глибока яма на дорозі/, 'what was typed is kept');
    const options = [...r.text.matchAll(/name="address_choice" value="([^"]+)"> ([^<]+)/g)].map((m) => [m[1], m[2].trim()]);
    assert.deepEqual(options.map((o) => o[1]).slice(0, 2).sort(), ['вул. Григорія Сковороди, 3', 'пров. Григорія Сковороди, 3']);
    const lane = options.find((o) => o[1].startsWith('пров.'))![0];
    const chosen = await c.post('/uk/appeals/new', form('Григорія Сковороди 3', { address_choice: lane }), '/uk/appeals/new');
    assert.equal(chosen.status, 303);
    assert.equal((await filedAppeal(chosen.location!)).address, 'пров. Григорія Сковороди, 3');
  });

  it('portal: an address outside the register is kept only when the resident confirms it', async () => {
    const c = new Client(app.origin);
    const r = await c.post('/uk/appeals/new', form('Дачний масив Берізка, ділянка 41'), '/uk/appeals/new');
    assert.equal(r.status, 400);
    assert.match(r.text, /Такої адреси немає в переліку вулиць громади/);
    assert.match(r.text, /name="address_choice" value="as_typed"/);
    const ok = await c.post('/uk/appeals/new', form('Дачний масив Берізка, ділянка 41', { address_choice: 'as_typed', lat: '47.57', lon: '33.66', point: 'user' }), '/uk/appeals/new');
    assert.equal(ok.status, 303);
    const a = await filedAppeal(ok.location!);
    assert.deepEqual(a, { address: 'Дачний масив Берізка, ділянка 41', street_id: null, building_id: null, lat: 47.57, lon: 33.66 });
  });

  it('portal: ids from another community are not trusted; Persian page offers the choice in Persian', async () => {
    const kho = (await app.app.db.selectFrom('communities').select('id').where('slug', '=', 'khomein').executeTakeFirstOrThrow()).id;
    const foreign = await withCommunity(app.app.db, kho, (tx) => tx.selectFrom('streets').select('id').limit(1).executeTakeFirstOrThrow());
    const c = new Client(app.origin);
    const r = await c.post('/uk/appeals/new', form('вул. Шевченка 12', { street_id: foreign.id }), '/uk/appeals/new');
    assert.equal(r.status, 303);
    assert.equal((await filedAppeal(r.location!)).address, 'вул. Тараса Шевченка, 12');
    const fa = new Client(app.origin);
    const kc = (await withCommunity(app.app.db, kho, (tx) => tx.selectFrom('appeal_categories').select('id').limit(1).executeTakeFirstOrThrow())).id;
    const page = await fa.post('/c/khomein/fa/appeals/new', { category_id: kc, description: 'چاله بزرگ در خیابان', address: 'کشاورز ۳' }, '/c/khomein/fa/appeals/new');
    assert.equal(page.status, 400);
    assert.match(page.text, /این نشانی با چند خیابان جور درمی‌آید/);
    assert.match(page.text, /خیابان کشاورز، پلاک ۳/);
    assert.match(page.text, /بلوار کشاورز، پلاک ۳/);
  });

  it('console: the operator gets the same choice; the register page imports a CSV with a report', async () => {
    const op = new Client(app.origin);
    await op.staffLogin('', 'operator@zelenodolsk.example', DEMO_PASSWORD);
    const reg = { channel: 'phone', type: 'statement', category_id: categoryId, description: 'Яма на проїжджій частині, дзвінок', address: 'Незалежності 20' };
    const q = await op.post('/console/appeals', reg, '/console/appeals');
    assert.equal(q.status, 400);
    assert.match(q.text, /просп\. Незалежності, 20/);
    const avenue = /name="address_choice" value="([^"]+)"> просп\./.exec(q.text)![1];
    const filed = await op.post('/console/appeals', { ...reg, address_choice: avenue, dup: 'new' }, '/console/appeals');
    assert.equal(filed.status, 303);
    assert.equal((await op.request('/console/addresses')).status, 403, 'operators do not manage the register');

    const admin = new Client(app.origin);
    await admin.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD);
    const page = await admin.request('/console/addresses');
    assert.equal(page.status, 200);
    assert.match(page.text, /Заводський/);
    const empty = await admin.post('/console/addresses/imports', { format: 'csv', text: '' }, '/console/addresses');
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Оберіть файл або вставте його текст/);
    const started = await admin.post('/console/addresses/imports', { format: 'csv', text: 'street,number,lat,lon\nвулиця Імпортна,1,47.5,33.6\nвулиця Імпортна,2,91,33.6\n' }, '/console/addresses');
    assert.equal(started.status, 303);
    let run = await admin.request(started.location!);
    for (let i = 0; i < 60 && !/data-testid="import-counts"/.test(run.text); i++) {
      assert.match(run.text, /<progress/);
      await sleep(250);
      run = await admin.request(started.location!);
    }
    assert.match(run.text, /Будинків додано: 1/);
    assert.match(run.text, /Неправильні координати/);
    assert.equal((await new Client(app.origin).request(`/uk/addresses/suggest?q=${encodeURIComponent('Імпортна 1')}`)).json().items[0].label, 'вул. Імпортна, 1');

    // A file upload (multipart), here an OpenStreetMap extract.
    const osm = '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="47.55" lon="33.64"><tag k="addr:street" v="вулиця Файлова"/><tag k="addr:housenumber" v="5"/></node></osm>';
    const fd = new FormData();
    fd.append('_csrf', await admin.csrf('/console/addresses'));
    fd.append('format', 'osm');
    fd.append('file', new Blob([osm], { type: 'application/xml' }), 'town.osm');
    const up = await fetch(`${app.origin}/console/addresses/imports`, { method: 'POST', body: fd, redirect: 'manual', headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.equal(up.status, 303);
    let osmRun = await admin.request(up.headers.get('location')!);
    for (let i = 0; i < 60 && !/data-testid="import-counts"/.test(osmRun.text); i++) {
      await sleep(250);
      osmRun = await admin.request(up.headers.get('location')!);
    }
    assert.match(osmRun.text, /town\.osm/);
    assert.match(osmRun.text, /Будинків додано: 1/);
  });
});
