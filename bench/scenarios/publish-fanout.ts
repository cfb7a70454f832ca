// `publish-fanout`: time from queuing a publication (the transaction commits) until each
// fake channel server has the post, for one material to every channel, then for 100
// materials queued at once. The fakes answer at once; the worker is a real server process.
import { createDb, withCommunity } from '../../src/db/db.ts';
import { startQueue } from '../../src/jobs/queue.ts';
import { systemActor } from '../../src/modules/audit/service.ts';
import { channelJobs } from '../../src/modules/channels/jobs.ts';
import { queueDeliveries, type ChannelKind } from '../../src/modules/channels/service.ts';
import { connect, publication } from '../../src/modules/channels/test-kit.ts';
import { loadConfig } from '../../src/config.ts';
import { fakeTelegram } from '../../src/test/fakes/telegram.ts';
import { fakeGraph } from '../../src/test/fakes/graph.ts';
import { fakeEitaa } from '../../src/test/fakes/eitaa.ts';
import { silentLog } from '../../src/test/harness.ts';
import { hostLoad, log, makeDataDir, removeDataDir, Server, sleep } from '../lib/server.ts';

const CHANNELS: ChannelKind[] = ['telegram', 'facebook', 'instagram', 'eitaa', 'led', 'print'];
const ms = (n: number) => Math.round(n);

export async function publishFanout(): Promise<Record<string, unknown>> {
  const load = hostLoad();
  const dir = await makeDataDir();
  const [tg, fb, ei] = await Promise.all([fakeTelegram('1:B'), fakeGraph({ pageId: '1', igUserId: '2', token: 'T' }), fakeEitaa('E')]);
  const { server } = await Server.start(dir, 'fanout');
  const { db } = createDb(server.databaseUrl, 4);
  let queue: Awaited<ReturnType<typeof startQueue>> | null = null;
  try {
    const cid = (await db.selectFrom('communities').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()).id;
    const tune = { rate_per_minute: 100_000, retry_base_seconds: 1 };
    await connect(db, cid, 'telegram', { token: '1:B', chat_id: '@city', base_url: tg.url }, tune);
    await connect(db, cid, 'facebook', { page_id: '1', access_token: 'T', base_url: `${fb.url}/v21.0` }, tune);
    await connect(db, cid, 'instagram', { ig_user_id: '2', access_token: 'T', base_url: `${fb.url}/v21.0` }, tune);
    await connect(db, cid, 'eitaa', { token: 'E', chat_id: 'city', base_url: ei.url }, tune);
    await connect(db, cid, 'led', {}, tune);
    await connect(db, cid, 'print', {}, tune);
    // This process only queues (work: false); the server process sends.
    const jobs = channelJobs({ db, secret: '', config: loadConfig({ CITYDESK_WORKER: 'false', LOG_LEVEL: 'silent' }), log: silentLog, origin: () => server.origin, get queue() { return queue!; } });
    queue = await startQueue(server.databaseUrl, jobs, { work: false, log: silentLog });
    const done = async (ids: string[], count: number, limitMs: number) => {
      const end = Date.now() + limitMs;
      while (Date.now() < end) {
        const r = await db.selectFrom('channel_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('source_id', 'in', ids).where('status', '=', 'sent').executeTakeFirstOrThrow();
        if (Number(r.n) >= count) return true;
        await sleep(20);
      }
      return false;
    };
    const send = async (n: number) => {
      const pubs = Array.from({ length: n }, () => publication({ images: [{ url: 'https://city.example/p.jpg', alt: 'p' }] }));
      const t0 = performance.now();
      await withCommunity(db, cid, async (tx) => {
        for (const p of pubs) await queueDeliveries(tx, queue!, { communityId: cid, publication: p, channels: CHANNELS, action: 'publish', actor: systemActor(cid, 'bench') });
      });
      const ok = await done(pubs.map((p) => p.sourceId), n * CHANNELS.length, 10 * 60_000);
      return { ok, ms: performance.now() - t0 };
    };
    log('publish-fanout: one material to 6 channels');
    const one = await send(1);
    log('publish-fanout: 100 materials at once');
    const hundred = await send(100);
    return {
      scenario: 'publish-fanout', ...load, channels: CHANNELS.length,
      one_material_all_channels_ms: one.ok ? ms(one.ms) : null,
      hundred_materials_all_channels_ms: hundred.ok ? ms(hundred.ms) : null,
      hundred_deliveries_per_s: hundred.ok ? Math.round((100 * CHANNELS.length) / (hundred.ms / 1000)) : null,
      fake_posts: { telegram: tg.posts.length, facebook: fb.posts.length, instagram: fb.media.length, eitaa: ei.posts.length },
    };
  } finally {
    await queue?.stop();
    await db.destroy();
    await server.stop();
    await Promise.all([tg.close(), fb.close(), ei.close()]);
    await removeDataDir(dir);
  }
}
