import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity, type Db } from '../../db/db.ts';
import { escape } from '../../http/html.ts';
import { t } from '../../i18n/i18n.ts';
import { exifJpeg, postMultipart, smallJpeg } from './test-fixtures.ts';

const count = async (db: Db, table: 'appeals' | 'media_items' | 'appeal_photos') =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0].n;

describe('appeals with photos: portal filing without JavaScript, follow page, executors’ notes and reports', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let dir: string;
  let categoryId: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citydesk-media-'));
    app = await startTestApp({ CITYDESK_MEDIA_DIR: dir, CITYDESK_WORKER: 'false' });
    const z = await app.app.db.selectFrom('communities').select('id').where('slug', '=', 'zelenodolsk').executeTakeFirstOrThrow();
    categoryId = (await withCommunity(app.app.db, z.id, (tx) => tx.selectFrom('appeal_categories').select('id').where('code', '=', 'water-leak').executeTakeFirstOrThrow())).id;
  });
  after(async () => {
    await app?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const form = {
    type: 'statement', description: 'Тече вода з-під асфальту біля будинку вже другий день', address: 'вул. Шевченка, 12',
    name: 'Олена Коваль', email: 'olena.photos@example.org', applicant_address: 'вул. Шевченка, 12, кв. 3',
  };
  const imgSrcs = (page: string) => [...page.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));

  it('bad photos are refused in the resident’s language, what was typed is kept, nothing is filed or stored', async () => {
    const files = async () => (await fs.readdir(dir, { recursive: true })).length;
    const before = { appeals: await count(app.app.db, 'appeals'), media: await count(app.app.db, 'media_items'), files: await files() };
    const resident = new Client(app.origin);
    const text = { name: 'photo.jpg', bytes: Buffer.from('just some text'), type: 'image/jpeg' };
    for (const lang of ['uk', 'en', 'fa'] as const) {
      const r = await postMultipart(resident, `/${lang}/appeals/new`, { ...form, category_id: categoryId }, [text]);
      assert.equal(r.status, 400, lang);
      assert.ok(r.text.includes(escape(t(lang, 'media.error.not_image', { name: 'photo.jpg' }))), `${lang}: the message names the file`);
      assert.ok(r.text.includes(escape(form.description)), `${lang}: the description is kept`);
      assert.match(r.text, /id="photos-error"/);
    }
    const photo = { name: 'IMG_1.jpg', bytes: await smallJpeg() };
    const six = await postMultipart(resident, '/uk/appeals/new', { ...form, category_id: categoryId }, Array.from({ length: 6 }, () => photo));
    assert.equal(six.status, 400);
    assert.ok(six.text.includes(escape(t('uk', 'media.error.too_many', { count: 6, max: 5 }))));
    const big = await postMultipart(resident, '/uk/appeals/new', { ...form, category_id: categoryId }, [{ name: 'big.jpg', bytes: Buffer.concat([photo.bytes, Buffer.alloc(10 * 1024 * 1024)]) }]);
    assert.equal(big.status, 400);
    assert.match(big.text, /big\.jpg/);
    // Another field wrong, photos fine: the form says to choose them again.
    const noText = await postMultipart(resident, '/uk/appeals/new', { ...form, description: '', category_id: categoryId }, [photo]);
    assert.equal(noText.status, 400);
    assert.ok(noText.text.includes(escape(t('uk', 'media.error.choose_again'))));
    assert.deepEqual({ appeals: await count(app.app.db, 'appeals'), media: await count(app.app.db, 'media_items'), files: await files() }, before, 'nothing filed, no row, no file');
  });

  it('a signed-in resident finds the photos from the cabinet and adds more there; another resident cannot', async () => {
    const signIn = async (email: string) => {
      const c = new Client(app.origin);
      assert.equal((await c.post('/uk/login', { contact: email })).status, 200);
      const body = (await sql<{ body: string }>`select body from outbox_messages where recipient = ${email} order by created_at desc limit 1`.execute(app.app.db)).rows[0].body;
      assert.equal((await c.post('/uk/login/verify', { contact: email, code: /\b(\d{6})\b/.exec(body)![1] }, '/uk/login')).status, 303);
      return c;
    };
    const mine = await signIn('maria.cabinet@example.org');
    const filed = await postMultipart(mine, '/uk/appeals/new', { ...form, email: 'maria.cabinet@example.org', category_id: categoryId }, [{ name: 'a.jpg', bytes: await smallJpeg() }]);
    assert.equal(filed.status, 303);
    const number = /\/uk\/appeals\/(\d{4}-\d{6})/.exec(filed.location!)![1];
    const cabinet = (await mine.request('/uk/account')).text;
    assert.match(cabinet, new RegExp(`href="/uk/appeals/${number}"`));
    const page = (await mine.request(`/uk/appeals/${number}`)).text;
    assert.equal(imgSrcs(page).length, 1);
    const added = await postMultipart(mine, `/uk/appeals/${number}/add`, { info: '' }, [{ name: 'b.jpg', bytes: await smallJpeg() }], `/uk/appeals/${number}`);
    assert.equal(added.status, 303);
    assert.equal(imgSrcs((await mine.request(`/uk/appeals/${number}`)).text).length, 2);
    const other = await signIn('someone.else@example.org');
    assert.equal((await other.request(`/uk/appeals/${number}`)).status, 404);
  });

  it('files with photos, follows them by signed links, adds more; executors’ photos follow the note’s visibility', async () => {
    const resident = new Client(app.origin);
    const filed = await postMultipart(resident, '/uk/appeals/new', { ...form, category_id: categoryId }, [
      { name: 'IMG_2041.JPG', bytes: await exifJpeg(1600, 900) },
      { name: 'IMG_2042.jpeg', bytes: await smallJpeg() },
    ]);
    assert.equal(filed.status, 303, filed.text.slice(0, 300));
    const follow = filed.location!;
    const number = /\/uk\/appeals\/(\d{4}-\d{6})\?key=/.exec(follow)![1];
    const { id } = await app.app.db.selectFrom('appeals').select('id').where('number', '=', number).executeTakeFirstOrThrow();
    const links = await app.app.db.selectFrom('appeal_photos').selectAll().where('appeal_id', '=', id).execute();
    assert.equal(links.length, 2);
    assert.ok(links.every((l) => l.event_id === null && l.added_by_type === 'applicant'));

    const visitor = new Client(app.origin);
    const page = await visitor.request(follow);
    const srcs = imgSrcs(page.text);
    assert.equal(srcs.length, 2);
    for (const src of srcs) {
      assert.match(src, /^\/media\/[0-9a-f-]{36}\/w640\.jpg\?sig=[\w-]{22}$/);
      const img = await fetch(app.origin + src);
      assert.equal(img.status, 200);
      assert.equal(img.headers.get('content-type'), 'image/jpeg');
      assert.match(img.headers.get('cache-control')!, /^private/);
      assert.equal((await fetch(app.origin + src.replace(/\?sig=.*/, ''))).status, 404, 'no signature: not found');
      assert.equal((await fetch(app.origin + src.replace(/sig=.{4}/, 'sig=AAAA'))).status, 404, 'forged signature: not found');
    }
    assert.doesNotMatch(page.text, /IMG_2041|olena\.photos/, 'no file names, no personal data');

    // The applicant adds information and a photo while the appeal is open.
    const key = new URL(follow, app.origin).searchParams.get('key')!;
    const addPath = `/uk/appeals/${number}/add?key=${key}`;
    const empty = await postMultipart(visitor, addPath, { info: '' }, [], follow);
    assert.equal(empty.status, 400);
    assert.ok(empty.text.includes(escape(t('uk', 'media.add.empty'))));
    const added = await postMultipart(visitor, addPath, { info: 'Вода вже підмиває бордюр' }, [{ name: 'later.jpg', bytes: await smallJpeg() }], follow);
    assert.equal(added.status, 303);
    const after = (await visitor.request(added.location!)).text;
    assert.match(after, /Вода вже підмиває бордюр/);
    assert.equal(imgSrcs(after).length, 3);
    assert.ok(after.includes(escape(t('uk', 'media.add.done'))));
    assert.equal((await postMultipart(new Client(app.origin), `/uk/appeals/${number}/add?key=forged`, { info: 'x' }, [], follow)).status, 404, 'a forged key finds nothing');

    // The executor: an internal note's photo stays internal; the report's photo reaches the applicant.
    const water = new Client(app.origin);
    await water.staffLogin('', 'executor.water@zelenodolsk.example', DEMO_PASSWORD);
    const detail = `/console/appeals/${id}`;
    const consolePage = (await water.request(detail)).text;
    assert.equal(imgSrcs(consolePage).length, 3, 'staff see the applicant’s photos');
    assert.match(consolePage, /enctype="multipart\/form-data"/);
    assert.equal((await water.post(`${detail}/accept`, {}, detail)).status, 200);
    const bad = await postMultipart(water, `${detail}/note`, { note: 'Фото з місця' }, [{ name: 'doc.png', bytes: await smallJpeg() }], detail);
    assert.equal(bad.status, 400, 'a JPEG named .png is refused');
    assert.ok(bad.text.includes(escape(t('uk', 'media.error.disguised', { name: 'doc.png', format: 'JPEG' }))));
    assert.equal((await postMultipart(water, `${detail}/note`, { note: 'Фото з місця, внутрішнє' }, [{ name: 'inside.jpg', bytes: await smallJpeg() }], detail)).status, 200);
    assert.equal((await postMultipart(water, `${detail}/report`, { report: 'Замінено ділянку труби, асфальт відновлено' }, [{ name: 'done.jpg', bytes: await smallJpeg() }], detail)).status, 200);
    const staffLinks = await sql<{ kind: string; is_public: boolean; added_by_type: string }>`
      select e.kind, e.is_public, p.added_by_type from appeal_photos p join appeal_events e on e.id = p.event_id where p.appeal_id = ${id} order by e.id`.execute(app.app.db);
    assert.deepEqual(staffLinks.rows, [
      { kind: 'note', is_public: true, added_by_type: 'applicant' },
      { kind: 'note', is_public: false, added_by_type: 'staff' },
      { kind: 'report', is_public: true, added_by_type: 'staff' },
    ]);
    assert.equal(imgSrcs((await water.request(detail)).text).length, 5);
    const seen = (await visitor.request(follow)).text;
    assert.equal(imgSrcs(seen).length, 4, 'the internal note’s photo is not on the follow page');
    assert.equal((await postMultipart(visitor, addPath, { info: 'ще' }, [], follow)).status, 303, 'still open while reported');
  });
});
