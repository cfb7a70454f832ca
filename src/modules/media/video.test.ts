// Uploaded videos in the media library: checked by their container header, stored, served with
// HTTP ranges, a poster frame made by the real ffmpeg in the job; the portal's <video>.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { until } from '../../test/until.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { escape } from '../../http/html.ts';
import { t } from '../../i18n/i18n.ts';
import { AppError } from '../../http/errors.ts';
import { withCommunity } from '../../db/db.ts';
import { configureMedia, mediaPath, videoPath } from './service.ts';
import { prepareVideo } from './video.ts';
import { prepareImage } from './image.ts';
import { ffmpegDuration } from './jobs.ts';
import { postMultipart } from './test-fixtures.ts';
import { parseRange } from '../../web/portal/media.ts';

const run = promisify(execFile);
const FFMPEG = process.env.CITYDESK_FFMPEG ?? 'ffmpeg';

/** A 2-second test card with a tone, made by ffmpeg itself (lavfi testsrc + sine). */
async function makeClip(dir: string, name: string, args: string[]): Promise<Buffer> {
  const out = path.join(dir, name);
  await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', ...args, '-shortest', out]);
  return fs.readFile(out);
}

describe('media: uploaded videos with a poster frame', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let dir: string;
  let work: string;
  let cid: string;
  let mp4: Buffer;
  let editor: Client;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citydesk-media-'));
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'citydesk-clips-'));
    mp4 = await makeClip(work, 'clip.mp4', ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart']);
    app = await startTestApp({ CITYDESK_MEDIA_DIR: dir, CITYDESK_VIDEO_MAX_MB: '1' });
    cid = (await app.app.db.selectFrom('communities').select('id').where('slug', '=', 'zelenodolsk').executeTakeFirstOrThrow()).id;
    editor = new Client(app.origin);
    await editor.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
  });
  after(async () => {
    await app?.close();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(work, { recursive: true, force: true });
  });

  const upload = (name: string, bytes: Buffer, fields: Record<string, string> = {}) =>
    postMultipart(editor, '/console/media/video', fields, [{ name, bytes, type: 'video/mp4' }], '/console/media', 'video');
  const rowCount = async () => (await sql<{ n: number }>`select count(*)::int as n from media_items where kind = 'video'`.execute(app.app.db)).rows[0].n;

  it('an MP4 uploaded through the console gets a poster frame and its variants in the job, and plays with ranges', async () => {
    const res = await upload('Сесія міськради.mp4', mp4, { credit: 'Прес-служба' });
    assert.equal(res.status, 200, res.text.slice(0, 500));
    const row = await app.app.db.selectFrom('media_items').selectAll().where('kind', '=', 'video').where('credit', '=', 'Прес-служба').executeTakeFirstOrThrow();
    assert.deepEqual([row.format, row.purpose, row.visibility, row.bytes, row.filename], ['mp4', 'newsroom', 'public', mp4.length, 'Сесія міськради.mp4']);
    assert.equal(row.source_format, 'mp4/avc1+mp4a');
    assert.deepEqual([row.width, row.height], [320, 240], 'size read from the MP4 header at upload');
    assert.ok(row.duration_ms! >= 1900 && row.duration_ms! <= 2200, `duration from the header: ${row.duration_ms}`);

    const done = await until('the poster job', async () => (await app.app.db.selectFrom('media_items').selectAll().where('id', '=', row.id).where('variants_at', 'is not', null).executeTakeFirst()), 60_000);
    assert.equal(done.poster, true);
    assert.equal(done.poster_problem, null);
    assert.deepEqual([done.width, done.height], [320, 240]);
    assert.deepEqual(done.variant_widths, [320]);
    const poster = await sharp(path.join(dir, cid, row.id, 'poster.jpg')).metadata();
    assert.deepEqual([poster.format, poster.width, poster.height], ['jpeg', 320, 240]);
    for (const [ext, format] of [['avif', 'heif'], ['webp', 'webp'], ['jpg', 'jpeg']] as const) {
      const v = await sharp(path.join(dir, cid, row.id, `w320.${ext}`)).metadata();
      assert.equal(v.format, format);
    }
    const img = await fetch(app.origin + mediaPath('', row.id, 'w320', 'webp'));
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/webp');

    // The whole file, then ranges as Safari and old phones ask for them.
    const url = app.origin + videoPath('', row.id, 'mp4');
    const whole = await fetch(url);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/mp4');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(mp4));
    const first = await fetch(url, { headers: { range: 'bytes=0-1' } });
    assert.equal(first.status, 206);
    assert.equal(first.headers.get('content-range'), `bytes 0-1/${mp4.length}`);
    assert.equal(first.headers.get('content-length'), '2');
    assert.ok(Buffer.from(await first.arrayBuffer()).equals(mp4.subarray(0, 2)));
    const mid = await fetch(url, { headers: { range: 'bytes=1000-4999' } });
    assert.equal(mid.status, 206);
    assert.ok(Buffer.from(await mid.arrayBuffer()).equals(mp4.subarray(1000, 5000)));
    const tail = await fetch(url, { headers: { range: 'bytes=-100' } });
    assert.equal(tail.status, 206);
    assert.equal(tail.headers.get('content-range'), `bytes ${mp4.length - 100}-${mp4.length - 1}/${mp4.length}`);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(mp4.subarray(mp4.length - 100)));
    const open = await fetch(url, { headers: { range: `bytes=${mp4.length - 10}-` } });
    assert.equal(open.status, 206);
    assert.equal((await open.arrayBuffer()).byteLength, 10);
    const beyond = await fetch(url, { headers: { range: `bytes=${mp4.length}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${mp4.length}`);
    await beyond.arrayBuffer();
    assert.equal((await fetch(app.origin + videoPath('', row.id, 'webm'))).status, 404, 'the wrong container is a missing file');
    assert.equal((await fetch(app.origin + videoPath('/c/khomein', row.id, 'mp4'))).status, 404, 'another community does not see it');

    const page = await editor.request('/console/media');
    assert.match(page.text, new RegExp(`/media/${row.id}/video\\.mp4`));
    assert.match(page.text, new RegExp(`/media/${row.id}/w320\\.jpg`));
    assert.doesNotMatch(page.text, /data-testid="poster-note"/);
  });

  it('refuses a disguised file, a wrong name, a MOV/HEVC/MKV and a file over the limit — in uk, en and fa — and stores nothing', async () => {
    const before = await rowCount();
    const html = Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>');
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(3000, 1)]);
    const cases: Array<[string, Buffer, string]> = [
      ['news.mp4', html, 'media.error.video_disguised_html'],
      ['setup.mp4', exe, 'media.error.video_disguised_program'],
      ['notes.txt', Buffer.from('просто текст, не відео\n'.repeat(10)), 'media.error.not_video'],
      ['clip.webm', mp4, 'media.error.video_name'],
      ['clip.mov', Buffer.concat([Buffer.from('\0\0\0\x14ftypqt  \0\0\0\0qt  ', 'latin1'), Buffer.alloc(100)]), 'media.error.video_mov'],
      ['clip.mkv', Buffer.concat([Buffer.from('1a45dfa38b4282886d6174726f736b61', 'hex'), Buffer.alloc(64)]), 'media.error.video_mkv'],
      ['big.mp4', Buffer.concat([mp4, Buffer.alloc(1024 * 1024)]), 'media.error.video_too_big'],
    ];
    for (const [name, bytes, key] of cases) {
      const res = await upload(name, bytes);
      assert.equal(res.status, 400, `${name}: ${res.status}`);
      const params = { name, format: 'MP4', size: '> 1', max: 1, codec: '' };
      assert.ok(res.text.includes(escape(t('uk', key as 'media.error.not_video', params)).slice(0, 40)), `${name}: the message ${key} in Ukrainian`);
    }
    // Without a staff sign-in the file is not even written down; the console sends to sign-in.
    const fd = new FormData();
    fd.append('video', new Blob([new Uint8Array(mp4)], { type: 'video/mp4' }), 'anon.mp4');
    const anon = await fetch(`${app.origin}/console/media/video`, { method: 'POST', body: fd, redirect: 'manual' });
    assert.ok([302, 303].includes(anon.status), `anonymous: ${anon.status}`);
    assert.match(anon.headers.get('location') ?? '', /\/console\/login$/);
    assert.equal(await rowCount(), before, 'no row');
    // The same refusals straight from the checker, in the three languages.
    const file = path.join(work, 'disguised.mp4');
    await fs.writeFile(file, html);
    const err = await prepareVideo({ path: file, size: html.length }, 'disguised.mp4', 1024 * 1024).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof AppError);
    const texts = (['uk', 'en', 'fa'] as const).map((l) => t(l, err.key, err.params));
    assert.equal(new Set(texts).size, 3);
    for (const text of texts) assert.match(text, /disguised\.mp4/);
    assert.match(texts[1], /HTML/);
    // HEVC in MP4: a clear message, not a broken player.
    const hevc = await makeClip(work, 'hevc.mp4', ['-t', '0.5', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=none', '-tag:v', 'hvc1', '-an']);
    await fs.writeFile(file, hevc);
    await assert.rejects(prepareVideo({ path: file, size: hevc.length }, 'IMG_0042.mp4', 10 * 1024 * 1024), (e: AppError) => e.key === 'media.error.video_hevc');
  });

  it('a WebM is recognised by its EBML header; without ffmpeg a video is stored and plays, and the console says it has no poster', async () => {
    const webm = await makeClip(work, 'clip.webm', ['-t', '0.6', '-c:v', 'libvpx', '-b:v', '200k', '-deadline', 'realtime', '-c:a', 'libopus']);
    const settings = configureMedia({ ...app.app.config, ffmpeg: path.join(work, 'no-such-ffmpeg') });
    try {
      const res = await upload('short.webm', webm);
      assert.equal(res.status, 200, res.text.slice(0, 300));
      const row = await app.app.db.selectFrom('media_items').selectAll().where('kind', '=', 'video').where('filename', '=', 'short.webm').executeTakeFirstOrThrow();
      assert.equal(row.format, 'webm');
      const done = await until('the poster job', async () => (await app.app.db.selectFrom('media_items').selectAll().where('id', '=', row.id).where('variants_at', 'is not', null).executeTakeFirst()), 60_000);
      assert.deepEqual([done.poster, done.poster_problem], [false, 'no_ffmpeg']);
      const page = await editor.request('/console/media');
      assert.ok(page.text.includes(escape(t('uk', 'media.console.no_poster_ffmpeg'))));
      const file = await fetch(app.origin + videoPath('', row.id, 'webm'));
      assert.equal(file.headers.get('content-type'), 'video/webm');
      assert.ok(Buffer.from(await file.arrayBuffer()).equals(webm));
      assert.equal((await fetch(app.origin + mediaPath('', row.id, 'original', 'jpg'))).status, 404, 'no poster, no picture');
      assert.ok(settings);
    } finally {
      configureMedia(app.app.config);
    }
    // With ffmpeg, a clip shorter than a second still gets a poster (its first frame).
    const row = await app.app.db.selectFrom('media_items').select(['id', 'community_id']).where('filename', '=', 'short.webm').executeTakeFirstOrThrow();
    const { makePoster } = await import('./jobs.ts');
    assert.deepEqual(await makePoster(app.app.db, { communityId: row.community_id, id: row.id }), { poster: true, problem: null });
    const again = await withCommunity(app.app.db, cid, (tx) => tx.selectFrom('media_items').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow());
    assert.deepEqual([again.width, again.height, again.poster], [320, 240, true]);
    assert.ok(again.duration_ms! > 400 && again.duration_ms! < 800, `duration ${again.duration_ms}`);
  });

  it('newsroom: a material’s video is uploaded in its editor or picked from the library, and the portal page plays it without JavaScript', async () => {
    const created = await editor.post('/console/newsroom/new', { lang: 'uk', type: 'video_report', title: 'Сесія міськради: відео', lead: 'Головне за 2 секунди', body_html: '<p>Дивіться відео.</p>' }, '/console/newsroom/new');
    assert.equal(created.status, 303, created.text?.slice(0, 300));
    const editorUrl = created.location!;
    const id = /materials\/([0-9a-f-]{36})/.exec(editorUrl)![1];
    const page = await editor.request(editorUrl);
    assert.match(page.text, /data-testid="upload-video"/);
    assert.match(page.text, /name="video_media_id"/, 'the library’s videos are offered in the fields');
    // A disguised file is refused in the editor too, and nothing changes.
    const bad = await postMultipart(editor, `/console/newsroom/materials/${id}/video`, { lang: 'uk' }, [{ name: 'video.mp4', bytes: Buffer.from('<html><body>x</body></html>'), type: 'video/mp4' }], editorUrl, 'video');
    assert.equal(bad.status, 400);
    assert.ok(bad.text.includes(escape(t('uk', 'media.error.video_disguised_html', { name: 'video.mp4' }))));
    const up = await postMultipart(editor, `/console/newsroom/materials/${id}/video`, { lang: 'uk', credit: 'КП «Міське ТБ»' }, [{ name: 'sesiya.mp4', bytes: mp4, type: 'video/mp4' }], editorUrl, 'video');
    assert.equal(up.status, 303, up.text.slice(0, 300));
    const m = await app.app.db.selectFrom('materials').select(['video_media_id']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(m.video_media_id);
    await until('the poster job', async () => (await app.app.db.selectFrom('media_items').select('id').where('id', '=', m.video_media_id!).where('poster', '=', true).executeTakeFirst()), 60_000);
    const withVideo = await editor.request(editorUrl);
    assert.match(withVideo.text, /data-testid="video"/);
    assert.match(withVideo.text, new RegExp(`<option value="${m.video_media_id}" selected`));
    const vid = /versions\/([0-9a-f-]{36})\/submit/.exec(withVideo.text)![1];
    for (const step of ['submit', 'approve', 'publish']) {
      const r = await editor.post(`/console/newsroom/materials/${id}/versions/${vid}/${step}`, {}, editorUrl);
      assert.equal(r.status, 303, `${step}: ${r.text?.slice(0, 300)}`);
    }
    const { slug } = await app.app.db.selectFrom('material_versions').select('slug').where('id', '=', vid).executeTakeFirstOrThrow();
    const article = await fetch(`${app.origin}/uk/news/${encodeURIComponent(slug)}`);
    assert.equal(article.status, 200);
    const text = await article.text();
    const video = /<video [^>]*>[\s\S]*?<\/video>/.exec(text)?.[0];
    assert.ok(video, 'a <video> element');
    assert.match(video, /^<video controls preload="none"/);
    assert.match(video, new RegExp(`poster="/media/${m.video_media_id}/original\\.jpg"`), 'the poster frame (320 px wide: the original)');
    assert.match(video, new RegExp(`<source src="/media/${m.video_media_id}/video\\.mp4" type="video/mp4">`));
    assert.match(video, /width="320" height="240"/);
    assert.match(text, new RegExp(`<figcaption><a href="/media/${m.video_media_id}/video\\.mp4"`), 'a plain link to the file as well');
    assert.equal((await fetch(`${app.origin}/media/${m.video_media_id}/original.jpg`)).headers.get('content-type'), 'image/jpeg');

    // Another material picks the same video from the library in its fields; "none" takes it away.
    const picked = await editor.post('/console/newsroom/new', { lang: 'uk', type: 'news', title: 'Та сама сесія', body_html: '<p>x</p>', video_media_id: m.video_media_id! }, '/console/newsroom/new');
    assert.equal(picked.status, 303, picked.text?.slice(0, 300));
    const pid = /materials\/([0-9a-f-]{36})/.exec(picked.location!)![1];
    assert.equal((await app.app.db.selectFrom('materials').select('video_media_id').where('id', '=', pid).executeTakeFirstOrThrow()).video_media_id, m.video_media_id);
    const notVideo = await editor.post('/console/newsroom/new', { lang: 'uk', type: 'news', title: 'Чуже відео', body_html: '<p>x</p>', video_media_id: pid }, '/console/newsroom/new');
    assert.equal(notVideo.status, 400, 'an id that is not a library video is refused');
  });

  it('HEIC: the bundled sharp reads AVIF only; a HEIC nothing can read asks for a JPEG in uk, en and fa', async () => {
    assert.deepEqual(sharp.format.heif.input.fileSuffix, ['.avif'], 'libvips here has no HEVC decoder (phones’ HEIC goes through heic-decode)');
    // A minimal HEIC header (ftyp heic, mif1) with nothing decodable behind it.
    const header = Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(300, 9)]);
    const err = await prepareImage(header, 'IMG_2041.HEIC', { maxBytes: 10 * 1024 * 1024, maxPixels: 50e6 }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof AppError);
    assert.equal(err.key, 'media.error.heic');
    assert.equal(err.status, 400);
    for (const l of ['uk', 'en', 'fa'] as const) assert.match(t(l, err.key, err.params), /IMG_2041\.HEIC[\s\S]*JPEG/);
  });

  it('ranges and durations are parsed as HTTP and ffmpeg write them', () => {
    assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=900-', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-10', 1000), { start: 990, end: 999 });
    assert.deepEqual(parseRange('bytes=500-5000', 1000), { start: 500, end: 999 });
    assert.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,5-6', 1000), null, 'several ranges: the whole file');
    assert.equal(parseRange('items=0-1', 1000), null);
    assert.equal(ffmpegDuration('  Duration: 00:01:02.50, start: 0.000000, bitrate: 300 kb/s'), 62_500);
    assert.equal(ffmpegDuration('no duration here'), null);
  });
});
