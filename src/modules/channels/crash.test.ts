// The crash test: a real CityDesk server process works the channel queue, is killed with
// SIGKILL in the middle of a fan-out, and a new process finishes the work. Each fake channel
// must hold each post exactly once. Sends whose outcome the crash made unknown are read back
// from the channel where its API allows (Facebook feed, Instagram media); the others
// (Telegram, Eitaa: their bot APIs cannot read a channel's history) are shown to the editor
// as "unknown", and the test answers as the editor would after looking at the channel.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnServer } from '../../test/spawn.ts';
import { withCommunity, withSystem } from '../../db/db.ts';
import { fakeTelegram } from '../../test/fakes/telegram.ts';
import { fakeGraph } from '../../test/fakes/graph.ts';
import { fakeEitaa } from '../../test/fakes/eitaa.ts';
import { systemActor } from '../audit/service.ts';
import { queueDeliveries, resolveUnknown } from './service.ts';
import { channelsEnv, connect, publication, until } from './test-kit.ts';
import type { Publication } from './types.ts';

const spawnWorker = async (url: string): Promise<ChildProcess> => (await spawnServer({ DATABASE_URL: url, CITYDESK_DEMO: 'false' })).child;

describe('a worker killed in the middle of a fan-out', () => {
  let env: Awaited<ReturnType<typeof channelsEnv>>;
  let tg: Awaited<ReturnType<typeof fakeTelegram>>;
  let fb: Awaited<ReturnType<typeof fakeGraph>>;
  let ei: Awaited<ReturnType<typeof fakeEitaa>>;
  const children: ChildProcess[] = [];

  before(async () => {
    [tg, fb, ei] = await Promise.all([fakeTelegram('123:ABC'), fakeGraph({ pageId: '1001', igUserId: '1784', token: 'T' }), fakeEitaa('E')]);
    for (const f of [tg, fb, ei]) f.setDelay(150); // slow answers: a kill likely lands mid-request
    env = await channelsEnv();
    // This process only queues; the spawned servers do the work.
    await env.queue.boss.offWork('channels.deliver');
    await env.queue.boss.offWork('channels.sweep');
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await env.close();
    await Promise.all([tg.close(), fb.close(), ei.close()]);
  });

  it('each fake channel received each post exactly once after recovery', async () => {
    const { db, cid } = env;
    const tune = { rate_per_minute: 60_000, timeout_seconds: 5 };
    await connect(db, cid, 'telegram', { token: '123:ABC', chat_id: '@city', base_url: tg.url }, tune);
    await connect(db, cid, 'facebook', { page_id: '1001', access_token: 'T', base_url: `${fb.url}/v21.0` }, tune);
    await connect(db, cid, 'instagram', { ig_user_id: '1784', access_token: 'T', base_url: `${fb.url}/v21.0` }, tune);
    await connect(db, cid, 'eitaa', { token: 'E', chat_id: 'city', base_url: ei.url }, tune);
    const pubs: Publication[] = Array.from({ length: 25 }, () => publication({ images: [{ url: 'https://city.example/media/p.jpg', alt: 'p' }] }));
    for (const p of pubs) {
      await withCommunity(db, cid, (tx) => queueDeliveries(tx, env.queue, { communityId: cid, publication: p, channels: ['telegram', 'facebook', 'instagram', 'eitaa'], action: 'publish', actor: systemActor(cid) }));
    }
    const received = () => tg.posts.length + fb.livePosts().length + fb.media.length + ei.posts.length;
    const first = await spawnWorker(env.url);
    children.push(first);
    await until('some posts to arrive', async () => received() >= 20, 60_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = received();
    const inFlight = await withSystem(db, (tx) => tx.selectFrom('channel_deliveries').select(['channel']).where('status', '=', 'sending').execute());
    assert.ok(atKill < 100, `the kill came mid fan-out (${atKill} of 100 delivered)`);

    children.push(await spawnWorker(env.url));
    const open = () => withSystem(db, (tx) => tx.selectFrom('channel_deliveries').select(['id', 'status', 'channel', 'payload']).where('status', 'in', ['queued', 'sending']).execute());
    await until('the new worker to finish', async () => (await open()).length === 0, 60_000);

    // The editor looks at the channel for each "unknown" one and answers.
    const unknown = await withSystem(db, (tx) => tx.selectFrom('channel_deliveries').select(['id', 'channel', 'payload']).where('status', '=', 'unknown').execute());
    for (const d of unknown) {
      const p = d.payload as Publication;
      const onChannel = d.channel === 'telegram' ? tg.posts.some((x) => x.caption?.includes(p.url)) : ei.posts.some((x) => x.text.includes(p.url));
      assert.ok(['telegram', 'eitaa'].includes(d.channel), `only channels without read-back are unknown (${d.channel})`);
      await withCommunity(db, cid, (tx) => resolveUnknown(tx, env.queue, d.id, { posted: onChannel }, systemActor(cid, 'editor')));
    }
    await until('the re-sent ones', async () => (await open()).length === 0, 60_000);

    const rows = await withSystem(db, (tx) => tx.selectFrom('channel_deliveries').select(['status']).execute());
    assert.equal(rows.length, 100);
    assert.deepEqual([...new Set(rows.map((r) => r.status))], ['sent']);
    for (const p of pubs) {
      assert.equal(tg.posts.filter((x) => x.caption?.includes(p.url)).length, 1, `telegram ${p.url}`);
      assert.equal(fb.livePosts().filter((x) => x.message?.includes(p.url)).length, 1, `facebook ${p.url}`);
      assert.equal(fb.media.filter((x) => x.caption?.startsWith(`${p.title}\n`)).length, 1, `instagram ${p.title}`);
      assert.equal(ei.posts.filter((x) => x.text.includes(p.url)).length, 1, `eitaa ${p.url}`);
    }
    process.stdout.write(`killed with ${atKill}/100 delivered, ${inFlight.length} in flight (${inFlight.map((r) => r.channel).join(', ')}); ${unknown.length} unknown resolved by the editor\n`);
  });
});
