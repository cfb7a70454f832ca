// Edits and unpublishing go where the material was published, whatever is ticked now; a channel
// ticked after publishing gets a publish. Real database, real job queue and delivery worker,
// fake Telegram, Facebook and Eitaa servers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withCommunity, type Tx } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import { loadCommunities, type Community } from '../communities/service.ts';
import { permissionsOf } from '../identity/roles.ts';
import { parseError } from '../channels/deliveries.ts';
import { channelsEnv, connect, until } from '../channels/test-kit.ts';
import { fakeTelegram } from '../../test/fakes/telegram.ts';
import { fakeGraph } from '../../test/fakes/graph.ts';
import { fakeEitaa } from '../../test/fakes/eitaa.ts';
import { correctVersion, createMaterial, transition, type NewsCtx } from './service.ts';
import type { ChannelKind } from '../channels/types.ts';

type Row = { channel: ChannelKind; action: string; status: string; version: number; error: string | null; attempts: number };

describe('newsroom → channels: updates and deletions follow the material', () => {
  let env: Awaited<ReturnType<typeof channelsEnv>>;
  let tg: Awaited<ReturnType<typeof fakeTelegram>>;
  let fb: Awaited<ReturnType<typeof fakeGraph>>;
  let ei: Awaited<ReturnType<typeof fakeEitaa>>;
  let city: Community;

  before(async () => {
    [tg, fb, ei] = await Promise.all([fakeTelegram('123:ABC'), fakeGraph({ pageId: '1001', igUserId: '1784', token: 'PAGE-TOKEN' }), fakeEitaa('EITAA-T')]);
    env = await channelsEnv();
    city = (await loadCommunities(env.db)).find((c) => c.id === env.cid)!;
    await connect(env.db, env.cid, 'telegram', { token: '123:ABC', chat_id: '@testcity_news', base_url: tg.url });
    await connect(env.db, env.cid, 'facebook', { page_id: '1001', access_token: 'PAGE-TOKEN', base_url: `${fb.url}/v21.0` });
    await connect(env.db, env.cid, 'eitaa', { token: 'EITAA-T', chat_id: 'testcity', base_url: ei.url });
  });
  after(async () => {
    await env.close();
    await Promise.all([tg.close(), fb.close(), ei.close()]);
  });

  const editor = <T>(fn: (ctx: NewsCtx) => Promise<T>) =>
    withCommunity(env.db, env.cid, (tx: Tx) => fn({
      tx, queue: env.queue, community: city, site: 'https://testcity.example', actor: systemActor(env.cid, 'editor'),
      who: { userId: null, permissions: permissionsOf(['press_editor'], false) },
    }));
  const rows = (materialId: string) =>
    withCommunity(env.db, env.cid, (tx) => tx.selectFrom('channel_deliveries').select(['channel', 'action', 'status', 'version', 'error', 'attempts'])
      .where('source_id', '=', materialId).orderBy('created_at').orderBy('channel').execute()) as Promise<Row[]>;
  const settled = (materialId: string, n: number) =>
    until(`${n} settled deliveries`, async () => {
      const r = await rows(materialId);
      return r.length >= n && r.every((x) => !['queued', 'sending'].includes(x.status)) ? r : null;
    });
  const text = (title: string, channels: ChannelKind[]) => ({ title, lead: 'Рух мостом відновлять.', body_html: '<p>Підрядник завершує роботи.</p>', channels, channel_texts: {} });
  const correction = (title: string, channels: ChannelKind[], note: string) => ({ ...text(title, channels), note });
  const tgLive = (title: string) => [...tg.messages.values()].filter((m) => (m.text ?? m.caption ?? '').includes(title));
  const fbLive = (title: string) => fb.livePosts().filter((p) => p.message?.includes(title));

  it('a correction updates every channel that carries it (also one unticked since) and publishes to one ticked since; unpublishing deletes where it was posted; publishing again posts anew', async () => {
    const { materialId, versionId } = await editor((ctx) => createMaterial(ctx, { type: 'news', lang: 'uk', urgent: true, tags: [], version: text('Міст на Шевченка', ['telegram', 'facebook']) }));
    await editor((ctx) => transition(ctx, versionId, 'publish'));
    let r = await settled(materialId, 2);
    assert.deepEqual(r.map((x) => `${x.channel}:${x.action}:${x.status}`).sort(), ['facebook:publish:sent', 'telegram:publish:sent']);
    assert.equal(tgLive('Міст на Шевченка').length, 1);

    // The editor unticks Telegram and ticks Eitaa in a correction.
    await editor((ctx) => correctVersion(ctx, versionId, correction('Міст на Шевченка відкрито', ['facebook', 'eitaa'], 'Уточнено заголовок')));
    r = await settled(materialId, 5);
    assert.deepEqual(r.slice(2).map((x) => `${x.channel}:${x.action}:${x.status}:v${x.version}`).sort(), ['eitaa:publish:sent:v2', 'facebook:update:sent:v2', 'telegram:update:sent:v2']);
    assert.equal(tgLive('Міст на Шевченка відкрито').length, 1, 'the Telegram post was edited although Telegram is no longer ticked');
    assert.equal(fbLive('Міст на Шевченка відкрито').length, 1);
    assert.equal(ei.posts.filter((p) => p.text.includes('Міст на Шевченка відкрито')).length, 1, 'Eitaa, ticked since, got a publish');

    // Unpublishing: deleted where it was posted, ticked or not; Eitaa cannot delete through its API.
    await editor((ctx) => transition(ctx, versionId, 'unpublish'));
    r = await settled(materialId, 8);
    assert.deepEqual(r.slice(5).map((x) => `${x.channel}:${x.action}:${x.status}`).sort(), ['eitaa:delete:skipped', 'facebook:delete:sent', 'telegram:delete:sent']);
    assert.equal(parseError(r.find((x) => x.channel === 'eitaa' && x.action === 'delete')!.error)?.key, 'channels.skip.edit_by_hand');
    assert.equal(tgLive('Міст на Шевченка').length, 0, 'deleted from Telegram');
    assert.equal(fbLive('Міст на Шевченка').length, 0, 'deleted from Facebook');

    // Publishing again: a new revision, posted anew where ticked; Eitaa still carries the old post (edit by hand);
    // Telegram, unticked and deleted, gets nothing.
    const fbBefore = fb.posts.length;
    await editor((ctx) => transition(ctx, versionId, 'publish'));
    r = await settled(materialId, 10);
    assert.deepEqual(r.slice(8).map((x) => `${x.channel}:${x.action}:${x.status}:v${x.version}`).sort(), ['eitaa:update:skipped:v3', 'facebook:publish:sent:v3']);
    assert.equal(fb.posts.length, fbBefore + 1);
    assert.equal(fbLive('Міст на Шевченка відкрито').length, 1);
    assert.equal(tgLive('Міст на Шевченка').length, 0);
  });

  it('unpublishing calls off a publish that has not gone out yet', async () => {
    await connect(env.db, env.cid, 'eitaa', { token: 'EITAA-T', chat_id: 'testcity', base_url: ei.url }, { retry_base_seconds: 60 });
    ei.setDown(true);
    try {
      const { materialId, versionId } = await editor((ctx) => createMaterial(ctx, { type: 'news', lang: 'uk', urgent: true, tags: [], version: text('Перекриття руху', ['eitaa']) }));
      await editor((ctx) => transition(ctx, versionId, 'publish'));
      await until('the first attempt failed and waits for the next', async () => {
        const [x] = await rows(materialId);
        return x?.status === 'queued' && x.attempts >= 1;
      });
      await editor((ctx) => transition(ctx, versionId, 'unpublish'));
      const r = await rows(materialId);
      assert.deepEqual(r.map((x) => `${x.channel}:${x.action}:${x.status}`), ['eitaa:publish:skipped'], 'no deletion: nothing was posted');
      assert.equal(parseError(r[0].error)?.key, 'channels.skip.unpublished');
      ei.setDown(false);
      await new Promise((res) => setTimeout(res, 1500));
      assert.equal(ei.posts.filter((p) => p.text.includes('Перекриття руху')).length, 0);
    } finally {
      ei.setDown(false);
    }
  });

  it('a correction gives a publish that has not gone out the newest text instead of posting twice', async () => {
    await connect(env.db, env.cid, 'eitaa', { token: 'EITAA-T', chat_id: 'testcity', base_url: ei.url }, { retry_base_seconds: 2 });
    ei.setDown(true);
    try {
      const { materialId, versionId } = await editor((ctx) => createMaterial(ctx, { type: 'news', lang: 'uk', urgent: true, tags: [], version: text('Ярмарок у суботу', ['eitaa']) }));
      await editor((ctx) => transition(ctx, versionId, 'publish'));
      await until('the first attempt failed and waits for the next', async () => {
        const [x] = await rows(materialId);
        return x?.status === 'queued' && x.attempts >= 1;
      });
      await editor((ctx) => correctVersion(ctx, versionId, correction('Ярмарок у неділю', ['eitaa'], 'Інший день')));
      ei.setDown(false);
      const r = await settled(materialId, 1);
      assert.deepEqual(r.map((x) => `${x.channel}:${x.action}:${x.status}:v${x.version}`), ['eitaa:publish:sent:v2']);
      const posted = ei.posts.filter((p) => p.text.includes('Ярмарок'));
      assert.equal(posted.length, 1);
      assert.match(posted[0].text, /Ярмарок у неділю/);
    } finally {
      ei.setDown(false);
    }
  });
});
