import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { withCommunity } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import { AppError } from '../../http/errors.ts';
import { t } from '../../i18n/i18n.ts';
import { mediaPath, signMedia, storeUpload, getMedia } from './service.ts';
import { makeVariants, sweepOrphans } from './jobs.ts';
import { preparePhotos, type UploadedFile } from './uploads.ts';
import { alphaPng, exifJpeg, postMultipart, smallJpeg } from './test-fixtures.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { escape } from '../../http/html.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const all = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return all.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('media: uploads are checked by content, stripped, rotated, resized', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let dir: string;
  let cid: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citydesk-media-'));
    app = await startTestApp({ CITYDESK_MEDIA_DIR: dir, CITYDESK_WORKER: 'false' });
    cid = (await app.app.db.selectFrom('communities').select('id').where('slug', '=', 'zelenodolsk').executeTakeFirstOrThrow()).id;
  });
  after(async () => {
    await app?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const store = (bytes: Buffer, o: { filename?: string; purpose?: 'appeal' | 'newsroom'; visibility?: 'public' | 'private' } = {}) =>
    withCommunity(app.app.db, cid, (tx) =>
      storeUpload(tx, app.app.queue, { communityId: cid, bytes, filename: o.filename ?? 'IMG_0001.jpg', purpose: o.purpose ?? 'appeal', visibility: o.visibility ?? 'private', actor: systemActor(cid) }),
    );
  const get = (p: string) => fetch(app.origin + p);

  it('a phone photo loses EXIF and GPS, is turned upright, and gets AVIF/WebP/JPEG variants', async () => {
    const input = await exifJpeg(1600, 900);
    const before = await sharp(input).metadata();
    assert.equal(before.orientation, 6);
    assert.ok(before.exif?.toString('latin1').includes('TestCam'), 'the fixture does carry EXIF');

    const m = await store(input);
    assert.deepEqual([m.width, m.height, m.format], [900, 1600, 'jpeg'], 'orientation 6 applied: width and height swapped');
    const original = await fs.readFile(path.join(dir, cid, m.id, 'original.jpg'));
    const meta = await sharp(original).metadata();
    assert.equal(meta.exif, undefined, 'no EXIF block at all');
    assert.equal(meta.xmp, undefined);
    assert.equal(meta.orientation, undefined);
    assert.deepEqual([meta.width, meta.height], [900, 1600]);
    assert.ok(!original.toString('latin1').includes('TestCam') && !original.toString('latin1').includes('GPS'));
    // The red block was top-left; after turning 90° clockwise it is top-right.
    const { data } = await sharp(original).extract({ left: 850, top: 20, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data[0] > 150 && data[1] < 100, `top-right pixel is red after rotation (${[...data]})`);

    // Queued in the same transaction; until the job runs the original answers every variant.
    const jobs = await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'media.variants' and data->>'id' = ${m.id}`.execute(app.app.db);
    assert.equal(jobs.rows[0].n, 1);
    const sig = signMedia(app.app.secret, m.id);
    const early = await get(mediaPath('', m.id, 'w640', 'webp', sig));
    assert.equal(early.status, 200);
    assert.equal(early.headers.get('content-type'), 'image/jpeg');
    assert.equal(early.headers.get('cache-control'), 'private, max-age=60');

    assert.deepEqual(await makeVariants(app.app.db, { communityId: cid, id: m.id }), [320, 640], 'no variant wider than the 900 px original');
    for (const w of [320, 640]) {
      for (const [ext, format] of [['avif', 'heif'], ['webp', 'webp'], ['jpg', 'jpeg']] as const) {
        const v = await sharp(path.join(dir, cid, m.id, `w${w}.${ext}`)).metadata();
        assert.equal(v.format, format);
        assert.equal(v.width, w);
        assert.equal(v.exif, undefined);
      }
    }
    assert.deepEqual((await withCommunity(app.app.db, cid, (tx) => getMedia(tx, m.id))).variant_widths, [320, 640]);

    const res = await get(mediaPath('', m.id, 'w640', 'webp', sig));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/webp');
    assert.match(res.headers.get('cache-control')!, /^private, max-age=\d+, immutable$/);
    assert.equal((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).width, 640);
    const wide = await get(mediaPath('', m.id, 'w1920', 'jpg', sig));
    assert.equal((await sharp(Buffer.from(await wide.arrayBuffer())).metadata()).width, 900, 'a width above the original serves the original');
  });

  it('private photos need their signature; other communities never see them', async () => {
    const m = await store(await smallJpeg());
    assert.equal((await get(mediaPath('', m.id, 'w320', 'jpg'))).status, 404);
    assert.equal((await get(mediaPath('', m.id, 'w320', 'jpg', 'A'.repeat(22)))).status, 404);
    assert.equal((await get(mediaPath('', m.id, 'w320', 'jpg', signMedia(app.app.secret, m.id)))).status, 200);
    assert.equal((await get(mediaPath('/c/khomein', m.id, 'w320', 'jpg', signMedia(app.app.secret, m.id)))).status, 404, 'row-level security');
    assert.equal((await get(`/media/${m.id}/w333.jpg`)).status, 404);
    assert.equal((await get('/media/not-a-uuid/w320.jpg')).status, 404);
  });

  it('public newsroom pictures keep transparency as PNG and are cached by everyone', async () => {
    const m = await store(await alphaPng(), { filename: 'logo.png', purpose: 'newsroom', visibility: 'public' });
    assert.equal(m.format, 'png');
    const early = await get(mediaPath('', m.id, 'w320', 'avif'));
    assert.equal(early.headers.get('content-type'), 'image/png');
    assert.equal(early.headers.get('cache-control'), 'public, max-age=60');
    await makeVariants(app.app.db, { communityId: cid, id: m.id });
    const res = await get(mediaPath('', m.id, 'w320', 'avif'));
    assert.equal(res.headers.get('content-type'), 'image/avif');
    assert.match(res.headers.get('cache-control')!, /^public, max-age=\d+, immutable$/);
    const item = await withCommunity(app.app.db, cid, (tx) => getMedia(tx, m.id));
    assert.equal(item.filename, 'logo.png', 'the newsroom keeps file names');
    const resident = await store(await smallJpeg(), { filename: 'Olena_Koval_home.jpg' });
    assert.equal((await withCommunity(app.app.db, cid, (tx) => getMedia(tx, resident.id))).filename, null, 'a resident’s file name is not kept');
  });

  it('refuses non-images, disguised files, oversized files and a sixth photo — in uk, en and fa — and stores nothing', async () => {
    const rowsBefore = (await sql<{ n: number }>`select count(*)::int as n from media_items`.execute(app.app.db)).rows[0].n;
    const filesBefore = (await filesUnder(dir)).length;
    const file = (filename: string, bytes: Buffer, truncated = false): UploadedFile => ({ field: 'photos', filename, mimetype: 'image/jpeg', bytes, truncated });
    const png = await sharp({ create: { width: 50, height: 50, channels: 3, background: '#fff' } }).png().toBuffer();
    const huge = await sharp({ create: { width: 8000, height: 7000, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer();
    const cases: Array<[UploadedFile[], string, RegExp]> = [
      [[file('photo.jpg', Buffer.from('Це не фото, а текстовий файл.\n'))], 'media.error.not_image', /photo\.jpg/],
      [[file('photo.gif', png)], 'media.error.disguised', /photo\.gif/],
      [[file('IMG_7.HEIC', Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(200, 7)]))], 'media.error.heic', /IMG_7\.HEIC/],
      [[file('photo.jpg', png)], 'media.error.disguised', /PNG/],
      [[file('big.jpg', Buffer.alloc(10 * 1024 * 1024 + 1))], 'media.error.too_big', /big\.jpg/],
      [[file('cut.jpg', Buffer.alloc(1000), true)], 'media.error.too_big', /cut\.jpg/],
      [[file('huge.png', huge)], 'media.error.too_many_pixels', /huge\.png/],
      [Array.from({ length: 6 }, (_, i) => file(`p${i}.jpg`, Buffer.alloc(10))), 'media.error.too_many', /6|۶/],
    ];
    for (const [files, key, shows] of cases) {
      const err = await preparePhotos(files, 'photos', 5).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof AppError, `${key} is an AppError`);
      assert.equal(err.key, key);
      assert.equal(err.status, 400);
      const texts = (['uk', 'en', 'fa'] as const).map((l) => t(l, err.key, err.params));
      for (const text of texts) assert.match(text, shows);
      assert.equal(new Set(texts).size, 3, 'three languages');
      assert.doesNotMatch(texts.join(' '), /\{\w+\}/, 'every placeholder filled');
    }
    // storeUpload itself checks too (the newsroom calls it directly).
    await assert.rejects(store(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), { filename: 'x.svg' }), (e: AppError) => e.key === 'media.error.not_image');
    assert.equal((await sql<{ n: number }>`select count(*)::int as n from media_items`.execute(app.app.db)).rows[0].n, rowsBefore, 'no row');
    assert.equal((await filesUnder(dir)).length, filesBefore, 'no file');
  });

  it('the console media library: editors upload public pictures with alt text; executors may not', async () => {
    const editor = new Client(app.origin);
    await editor.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
    const bad = await postMultipart(editor, '/console/media', { alt_uk: 'Схема обʼїзду' }, [{ name: 'scheme.png', bytes: await smallJpeg() }], '/console/media', 'photo');
    assert.equal(bad.status, 400);
    assert.ok(bad.text.includes(escape(t('uk', 'media.error.disguised', { name: 'scheme.png', format: 'JPEG' }))));
    assert.match(bad.text, /value="Схема обʼїзду"/, 'the alt text typed is kept');
    const ok = await postMultipart(editor, '/console/media', { alt_uk: 'Схема обʼїзду', alt_en: 'Detour map', credit: 'Прес-служба' }, [{ name: 'scheme.jpg', bytes: await exifJpeg() }], '/console/media', 'photo');
    assert.equal(ok.status, 200);
    const row = await app.app.db.selectFrom('media_items').selectAll().where('credit', '=', 'Прес-служба').executeTakeFirstOrThrow();
    assert.deepEqual([row.purpose, row.visibility, row.alt], ['newsroom', 'public', { uk: 'Схема обʼїзду', en: 'Detour map' }]);
    assert.match(ok.text, new RegExp(`/media/${row.id}/w320\.jpg`));
    assert.doesNotMatch(ok.text, /sig=/, 'residents’ private photos are not in the library');
    const executor = new Client(app.origin);
    await executor.staffLogin('', 'executor.water@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await executor.request('/console/media')).status, 403);
  });

  it('the sweep removes files left by a rolled-back upload, and nothing else', async () => {
    const kept = await store(await smallJpeg());
    const rolledBack = await withCommunity(app.app.db, cid, async (tx) => {
      const m = await storeUpload(tx, app.app.queue, { communityId: cid, bytes: await smallJpeg(), purpose: 'appeal', visibility: 'private', actor: systemActor(cid) });
      throw Object.assign(new Error('rollback'), { id: m.id });
    }).catch((e: { id: string }) => e.id);
    const orphan = path.join(dir, cid, rolledBack, 'original.jpg');
    assert.ok(await fs.stat(orphan));
    assert.equal(await sweepOrphans(app.app.db), 0, 'a fresh file is left alone (its upload may be in flight)');
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    for (const f of await filesUnder(dir)) await fs.utimes(f, old, old);
    assert.equal(await sweepOrphans(app.app.db), 1);
    await assert.rejects(fs.stat(orphan));
    assert.ok(await fs.stat(path.join(dir, cid, kept.id, 'original.jpg')));
  });
});
