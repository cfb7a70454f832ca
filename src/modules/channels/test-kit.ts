// Test helpers for the channels module: a connected community pointed at the fake servers.
import { sql } from 'kysely';
import { withCommunity, withSystem, type Db } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import { migratedDb, silentLog } from '../../test/harness.ts';
import { loadConfig } from '../../config.ts';
import { startQueue, type Queue } from '../../jobs/queue.ts';
import { createCommunity } from '../communities/service.ts';
import { channelJobs } from './jobs.ts';
import { saveSettings, tuneChannel } from './settings.ts';
import type { ChannelKind, Publication } from './types.ts';

/** A real database and a real job queue working the channel jobs, with one community:
 * the module as it runs in the server, without the HTTP side and the demo city. */
export async function channelsEnv() {
  const m = await migratedDb();
  const cid = await withSystem(m.db, async (tx) => (await createCommunity(tx, systemActor(null), { slug: 'testcity', names: { uk: 'Тестове', en: 'Testville' }, default_lang: 'uk', time_zone: 'Europe/Kyiv', calendar: 'gregorian' }, true)).id);
  let queue: Queue | null = null;
  const jobs = channelJobs({ db: m.db, secret: 'x', config: loadConfig({ LOG_LEVEL: 'silent' }), log: silentLog, origin: () => 'https://city.example', get queue() { return queue!; } });
  queue = await startQueue(m.url, jobs, { work: true, log: silentLog });
  return { db: m.db, queue, cid, url: m.url, close: async () => { await queue!.stop(); await m.close(); } };
}

export async function defaultCommunity(db: Db): Promise<string> {
  return (await db.selectFrom('communities').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()).id;
}

export async function connect(db: Db, communityId: string, kind: ChannelKind, config: Record<string, string>, tuning: Parameters<typeof tuneChannel>[2] = {}) {
  await withCommunity(db, communityId, async (tx) => {
    await saveSettings(tx, systemActor(communityId, 'test'), kind, config, true);
    await tuneChannel(tx, kind, { retry_base_seconds: 0.3, timeout_seconds: 2, rate_per_minute: 6000, ...tuning });
  });
}

let n = 0;
export function publication(over: Partial<Publication> = {}): Publication {
  n++;
  return {
    sourceType: 'material', sourceId: `m-${Date.now()}-${n}`, version: 1, lang: 'uk',
    title: `Ремонт мосту на вулиці Шевченка №${n}`, lead: 'Рух мостом відновлять до кінця тижня.',
    bodyHtml: '<p>Підрядник завершує роботи.</p>', bodyText: 'Підрядник завершує роботи. Дякуємо за терпіння <і розуміння> & увагу.',
    url: `https://zelenodolsk.example/uk/news/${n}/`, images: [], tags: ['ремонт', 'транспорт'], urgent: false, ...over,
  };
}

export { until } from '../../test/until.ts';

export const deliveryRows = (db: Db, sourceId: string) =>
  sql<{ id: string; channel: string; action: string; status: string; attempts: number; external_id: string | null; external_url: string | null; error: string | null }>`
    select id, channel, action, status, attempts, external_id, external_url, error from channel_deliveries where source_id = ${sourceId} order by channel, created_at`.execute(db).then((r) => r.rows);
