import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withCommunity } from '../../db/db.ts';
import { fakeTelegram } from '../../test/fakes/telegram.ts';
import { fakeGraph } from '../../test/fakes/graph.ts';
import { fakeEitaa } from '../../test/fakes/eitaa.ts';
import { systemActor } from '../audit/service.ts';
import { queueDeliveries, previewFor, resolveUnknown, retryDelivery, channelStatus } from './service.ts';
import { channelsEnv, connect, deliveryRows, publication, until } from './test-kit.ts';
import type { ChannelKind, Publication } from './types.ts';
import { parseError } from './deliveries.ts';

describe('channels: adapters speak each API, faults are retried, nothing is lost or posted twice', () => {
  let env: Awaited<ReturnType<typeof channelsEnv>>;
  let app: { app: { db: typeof env.db; queue: typeof env.queue } };
  let tg: Awaited<ReturnType<typeof fakeTelegram>>;
  let fb: Awaited<ReturnType<typeof fakeGraph>>;
  let ei: Awaited<ReturnType<typeof fakeEitaa>>;
  let cid: string;
  const actor = () => systemActor(cid, 'editor');
  const queue = (p: Publication, channels: ChannelKind[], action: 'publish' | 'update' | 'delete' = 'publish') =>
    withCommunity(app.app.db, cid, (tx) => queueDeliveries(tx, app.app.queue, { communityId: cid, publication: p, channels, action, actor: actor() }));
  const settled = (sourceId: string, n: number) =>
    until(`${n} settled deliveries of ${sourceId}`, async () => {
      const rows = await deliveryRows(app.app.db, sourceId);
      return rows.length >= n && rows.every((r) => !['queued', 'sending'].includes(r.status)) ? rows : null;
    });

  before(async () => {
    [tg, fb, ei] = await Promise.all([fakeTelegram('123:ABC'), fakeGraph({ pageId: '1001', igUserId: '1784', token: 'PAGE-TOKEN' }), fakeEitaa('EITAA-T')]);
    env = await channelsEnv();
    app = { app: { db: env.db, queue: env.queue } };
    cid = env.cid;
  });
  after(async () => {
    await env.close();
    await Promise.all([tg.close(), fb.close(), ei.close()]);
  });

  it('a channel is "not connected" until configured; its deliveries are kept as skipped and can be sent once connected', async () => {
    const status = await withCommunity(app.app.db, cid, (tx) => channelStatus(tx));
    assert.equal(status.telegram, 'not_connected');
    const p = publication();
    const r = await queue(p, ['telegram']);
    assert.deepEqual(r, { queued: 0, skipped: ['telegram'] });
    const [row] = await deliveryRows(app.app.db, p.sourceId);
    assert.equal(row.status, 'skipped');
    assert.equal(parseError(row.error)?.key, 'channels.error.not_connected');
    await assert.rejects(withCommunity(app.app.db, cid, (tx) => retryDelivery(tx, app.app.queue, row.id, actor())), /invalid_input/);
    await connect(app.app.db, cid, 'telegram', { token: '123:ABC', chat_id: '@zelenodolsk_news', base_url: tg.url });
    assert.equal((await withCommunity(app.app.db, cid, (tx) => channelStatus(tx))).telegram, 'connected');
    await withCommunity(app.app.db, cid, (tx) => retryDelivery(tx, app.app.queue, row.id, actor()));
    const [sent] = await settled(p.sourceId, 1);
    assert.equal(sent.status, 'sent');
    assert.match(sent.external_url!, /^https:\/\/t\.me\/zelenodolsk_news\/\d+$/);
    // Queueing the same publication again is idempotent.
    assert.deepEqual(await queue(p, ['telegram']), { queued: 0, skipped: [] });
  });

  it('Telegram: HTML parse mode, texts split at 4,096, captions within 1,024, galleries as one album', async () => {
    await connect(app.app.db, cid, 'telegram', { token: '123:ABC', chat_id: '@zelenodolsk_news', base_url: tg.url });
    const long = publication({ bodyText: Array.from({ length: 120 }, (_, i) => `Речення номер ${i} про ремонт <мосту> & дороги, яке має бути досить довгим для тесту.`).join(' ') });
    const photo = publication({ images: [{ url: 'https://zelenodolsk.example/media/1.jpg', alt: 'Міст' }] });
    const gallery = publication({ images: [1, 2, 3].map((i) => ({ url: `https://zelenodolsk.example/media/${i}.jpg`, alt: `Фото ${i}` })) });
    const before = tg.posts.length;
    for (const p of [long, photo, gallery]) await queue(p, ['telegram']);
    for (const p of [long, photo, gallery]) assert.equal((await settled(p.sourceId, 1))[0].status, 'sent');
    const mine = tg.posts.slice(before);
    const texts = mine.filter((m) => m.method === 'sendMessage' && m.text!.includes('Речення'));
    assert.ok(texts.length >= 2, 'the long text went as several messages');
    for (const t of texts) {
      assert.equal(t.parse_mode, 'HTML');
      assert.ok(t.text!.replace(/<[^>]+>/g, '').replace(/&(amp|lt|gt|quot);/g, '_').length <= 4096, 'at most 4,096 visible characters');
      assert.ok(!/<мосту>/.test(t.text!), 'text is escaped for HTML');
    }
    assert.match(texts[0].text!, /^<b>Ремонт мосту/);
    assert.ok(texts.at(-1)!.text!.includes(`<a href="${long.url}">`));
    const ph = mine.find((m) => m.method === 'sendPhoto')!;
    assert.equal(ph.photo, photo.images[0].url);
    assert.ok(ph.caption!.length <= 1024 && ph.caption!.includes('Підрядник'), 'the caption carries the text');
    const album = mine.find((m) => m.method === 'sendMediaGroup')!;
    assert.equal(album.media!.length, 3);
    assert.match(album.media![0].caption!, /Ремонт мосту/);
    const preview = previewFor('telegram', long);
    assert.ok(preview.parts.length >= 2 && preview.warnings.includes('channels.warn.split'), 'the preview shows the split');
  });

  it('Facebook: a feed post with the link, a photo with its message, a gallery as unpublished photos attached to one post', async () => {
    await connect(app.app.db, cid, 'facebook', { page_id: '1001', access_token: 'PAGE-TOKEN', base_url: `${fb.url}/v21.0` });
    const plain = publication();
    const one = publication({ images: [{ url: 'https://zelenodolsk.example/media/a.jpg', alt: 'A' }] });
    const many = publication({ images: ['b', 'c'].map((x) => ({ url: `https://zelenodolsk.example/media/${x}.jpg`, alt: x })) });
    for (const p of [plain, one, many]) await queue(p, ['facebook']);
    for (const p of [plain, one, many]) assert.equal((await settled(p.sourceId, 1))[0].status, 'sent');
    const post = (p: Publication) => fb.livePosts().find((x) => x.message?.includes(p.url))!;
    assert.equal(post(plain).link, plain.url);
    assert.equal(post(one).photos.length, 1);
    assert.equal(post(many).photos.length, 2);
    assert.ok([...fb.photos.values()].filter((ph) => !ph.published).length >= 2, 'gallery photos uploaded unpublished');
    const [row] = await deliveryRows(app.app.db, one.sourceId);
    assert.equal(row.external_id, post(one).id);
    assert.equal(row.external_url, `https://www.facebook.com/${post(one).id}`);
  });

  it('Instagram: a container, then media_publish; captions within 2,200 characters and 30 hashtags; no image is a clear failure', async () => {
    await connect(app.app.db, cid, 'instagram', { ig_user_id: '1784', access_token: 'PAGE-TOKEN', base_url: `${fb.url}/v21.0` });
    const tags = Array.from({ length: 40 }, (_, i) => `тег${i}`);
    const p = publication({ tags, bodyText: 'Дуже довгий текст. '.repeat(200), images: [{ url: 'https://zelenodolsk.example/media/ig.jpg', alt: 'IG' }] });
    const none = publication();
    await queue(p, ['instagram']);
    await queue(none, ['instagram']);
    const [row] = await settled(p.sourceId, 1);
    assert.equal(row.status, 'sent', row.error ?? '');
    const steps = fb.log.filter((r) => r.path.startsWith('/v21.0/1784/media')).map((r) => r.path.split('/').pop());
    assert.deepEqual(steps.slice(-2), ['media', 'media_publish']);
    const m = fb.media.at(-1)!;
    assert.ok(m.caption!.length <= 2200, 'caption within 2,200');
    assert.equal(m.caption!.match(/#[\p{L}\p{N}_]+/gu)!.length, 30);
    assert.equal(row.external_url, m.permalink);
    const [failed] = await settled(none.sourceId, 1);
    assert.equal(failed.status, 'failed');
    assert.match(parseError(failed.error)!.detail!, /needs an image/);
    assert.ok(previewFor('instagram', none).warnings.includes('channels.warn.image_required'), 'preview warns');
  });

  it('Eitaa: sendMessage with the text, title and link', async () => {
    await connect(app.app.db, cid, 'eitaa', { token: 'EITAA-T', chat_id: 'zelenodolsk', base_url: ei.url });
    const p = publication();
    await queue(p, ['eitaa']);
    const [row] = await settled(p.sourceId, 1);
    assert.equal(row.status, 'sent');
    const post = ei.posts.find((x) => x.text.includes(p.url))!;
    assert.equal(post.title, p.title);
    assert.equal(row.external_url, `https://eitaa.com/zelenodolsk/${post.message_id}`);
  });

  it('a 500 is retried with backoff; a 429 waits at least retry_after', async () => {
    await connect(app.app.db, cid, 'telegram', { token: '123:ABC', chat_id: '@zelenodolsk_news', base_url: tg.url }, { retry_base_seconds: 0.5 });
    const p = publication();
    tg.fail({ kind: '500' }, (r) => r.path.endsWith('/sendMessage'));
    await queue(p, ['telegram']);
    const [row] = await settled(p.sourceId, 1);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 2);
    const tries = tg.log.filter((r) => (r.body as { text?: string }).text?.includes(p.url));
    assert.equal(tries.length, 2);
    assert.ok(tries[1].at - tries[0].at >= 450, `backoff ${tries[1].at - tries[0].at} ms`);
    assert.equal(tg.posts.filter((x) => x.text?.includes(p.url)).length, 1);

    const q = publication();
    tg.fail({ kind: '429', retryAfter: 2 }, (r) => r.path.endsWith('/sendMessage'));
    await queue(q, ['telegram']);
    assert.equal((await settled(q.sourceId, 1))[0].status, 'sent');
    const t2 = tg.log.filter((r) => (r.body as { text?: string }).text?.includes(q.url));
    assert.equal(t2.length, 2);
    assert.ok(t2[1].at - t2[0].at >= 2000, `retried after ${t2[1].at - t2[0].at} ms, before retry_after`);
  });

  it('a timeout after the request left is "unknown" and not re-sent; the editor resolves it', async () => {
    await connect(app.app.db, cid, 'facebook', { page_id: '1001', access_token: 'PAGE-TOKEN', base_url: `${fb.url}/v21.0` }, { timeout_seconds: 1 });
    const p = publication();
    fb.fail({ kind: 'timeout' }, (r) => r.path.endsWith('/feed') && r.method === 'POST');
    await queue(p, ['facebook']);
    const [row] = await settled(p.sourceId, 1);
    assert.equal(row.status, 'unknown');
    assert.equal(parseError(row.error)!.key, 'channels.error.unknown_outcome');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(fb.log.filter((r) => r.method === 'POST' && String((r.body as { message?: string }).message ?? '').includes(p.url)).length, 1, 'not re-sent');
    await assert.rejects(withCommunity(app.app.db, cid, (tx) => resolveUnknown(tx, app.app.queue, row.id, { posted: true, externalUrl: 'javascript:alert(1)' }, actor())), /invalid_input/);
    const post = fb.livePosts().find((x) => x.message?.includes(p.url))!;
    await withCommunity(app.app.db, cid, (tx) => resolveUnknown(tx, app.app.queue, row.id, { posted: true, externalUrl: `https://www.facebook.com/${post.id}` }, actor()));
    const [done] = await deliveryRows(app.app.db, p.sourceId);
    assert.equal(done.status, 'sent');
    assert.equal(done.external_url, `https://www.facebook.com/${post.id}`);
  });

  it('a channel that stays down ends as failed with a clear message after its attempts; nothing is lost', async () => {
    await connect(app.app.db, cid, 'eitaa', { token: 'EITAA-T', chat_id: 'zelenodolsk', base_url: ei.url }, { retry_base_seconds: 0.2, max_attempts: 3 });
    ei.setDown(true);
    const ps = [publication(), publication()];
    for (const p of ps) await queue(p, ['eitaa']);
    for (const p of ps) {
      const [row] = await settled(p.sourceId, 1);
      assert.equal(row.status, 'failed');
      assert.equal(row.attempts, 3);
      const e = parseError(row.error)!;
      assert.equal(e.key, 'channels.error.gave_up');
      assert.match(e.detail!, /503|500/);
    }
    ei.setDown(false);
    const [row] = await deliveryRows(app.app.db, ps[0].sourceId);
    await withCommunity(app.app.db, cid, (tx) => retryDelivery(tx, app.app.queue, row.id, actor()));
    assert.equal((await settled(ps[0].sourceId, 1))[0].status, 'sent');
    assert.equal(ei.posts.filter((x) => x.text.includes(ps[0].url)).length, 1);
  });

  it('an edit updates the post in place and unpublishing deletes it, using the stored ids', async () => {
    await connect(app.app.db, cid, 'telegram', { token: '123:ABC', chat_id: '@zelenodolsk_news', base_url: tg.url });
    await connect(app.app.db, cid, 'facebook', { page_id: '1001', access_token: 'PAGE-TOKEN', base_url: `${fb.url}/v21.0` });
    await connect(app.app.db, cid, 'instagram', { ig_user_id: '1784', access_token: 'PAGE-TOKEN', base_url: `${fb.url}/v21.0` });
    const p = publication({ images: [{ url: 'https://zelenodolsk.example/media/e.jpg', alt: 'E' }] });
    await queue(p, ['telegram', 'facebook', 'instagram']);
    const first = await settled(p.sourceId, 3);
    assert.deepEqual(first.map((r) => r.status), ['sent', 'sent', 'sent']);
    const edited = { ...p, version: 2, title: 'Міст відкрито раніше' };
    await queue(edited, ['telegram', 'facebook', 'instagram'], 'update');
    const rows = await settled(p.sourceId, 6);
    const upd = rows.filter((r) => r.action === 'update');
    assert.deepEqual(upd.map((r) => `${r.channel}:${r.status}`), ['facebook:sent', 'instagram:skipped', 'telegram:sent']);
    assert.equal(parseError(upd[1].error)!.key, 'channels.skip.edit_by_hand');
    const tgId = Number(first.find((r) => r.channel === 'telegram')!.external_id);
    assert.match(tg.messages.get(tgId)!.caption!, /Міст відкрито раніше/);
    const fbId = first.find((r) => r.channel === 'facebook')!.external_id!;
    assert.match(fb.posts.find((x) => x.id === fbId)!.message!, /Міст відкрито раніше/);
    await queue({ ...edited, version: 3 }, ['telegram', 'facebook'], 'delete');
    await settled(p.sourceId, 8);
    assert.equal(tg.messages.has(tgId), false);
    assert.equal(fb.posts.find((x) => x.id === fbId)!.deleted, true);
  });

  it('fans out to all channels within 2 s when the fakes answer at once', async () => {
    for (const [k, c] of [['telegram', { token: '123:ABC', chat_id: '@zelenodolsk_news', base_url: tg.url }], ['facebook', { page_id: '1001', access_token: 'PAGE-TOKEN', base_url: `${fb.url}/v21.0` }], ['instagram', { ig_user_id: '1784', access_token: 'PAGE-TOKEN', base_url: `${fb.url}/v21.0` }], ['eitaa', { token: 'EITAA-T', chat_id: 'zelenodolsk', base_url: ei.url }], ['led', {}], ['print', {}]] as const) {
      await connect(app.app.db, cid, k, c);
    }
    const p = publication({ images: [{ url: 'https://zelenodolsk.example/media/f.jpg', alt: 'F' }] });
    const t0 = Date.now();
    await queue(p, ['telegram', 'facebook', 'instagram', 'eitaa', 'led', 'print']);
    const rows = await settled(p.sourceId, 6);
    const took = Date.now() - t0;
    assert.deepEqual(rows.map((r) => r.status), Array(6).fill('sent'), JSON.stringify(rows));
    assert.ok(took < 2000, `fan-out took ${took} ms`);
  });
});
