// Browsers that subscribed to web push on the portal. A subscription carries topics: 'news'
// (the news channel's pushes; an empty list, from before topics, means news too) and 'outages'
// (it follows addresses: outage notices and alerts through the outbox's web-push lane).
import { sql } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../db/db.ts';
import type { PushTarget } from '../outbox/webpush.ts';
import { isConnected, loadSettings } from './settings.ts';

export const PushSubscription = z.object({
  endpoint: z.string().url().max(1000).regex(/^https?:\/\//),
  keys: z.object({ p256dh: z.string().min(20).max(200), auth: z.string().min(8).max(100) }),
});
export type PushSubscription = z.infer<typeof PushSubscription>;

export const PUSH_TOPICS = ['news', 'outages'] as const;
export type PushTopic = (typeof PUSH_TOPICS)[number];

/** Saves (or refreshes) a browser's subscription, adding `topics` to those it had; its id. */
export async function savePushSubscription(tx: Tx, communityId: string, s: PushSubscription, lang: 'uk' | 'en' | 'fa', topics: PushTopic[]): Promise<string> {
  const row = await tx.insertInto('push_subscriptions')
    .values({ community_id: communityId, endpoint: s.endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth, lang, topics })
    .onConflict((oc) => oc.columns(['community_id', 'endpoint']).doUpdateSet({
      p256dh: s.keys.p256dh, auth: s.keys.auth, lang,
      topics: sql`array(select distinct t from unnest(case when cardinality(push_subscriptions.topics) = 0 then array['news'] else push_subscriptions.topics end || excluded.topics) t order by t)`,
    }))
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Forgets a browser's subscription (the browser turned notifications off, or its push service
 * said it is gone); returns its id, or null when there was none. */
export async function deletePushSubscription(tx: Tx, by: { id: string } | { endpoint: string }): Promise<string | null> {
  const q = tx.deleteFrom('push_subscriptions');
  const r = await ('id' in by ? q.where('id', '=', by.id) : q.where('endpoint', '=', by.endpoint)).returning('id').executeTakeFirst();
  return r?.id ?? null;
}

/** What the outbox's web-push lane needs to reach one browser. */
export async function pushTarget(tx: Tx, id: string): Promise<PushTarget | 'gone' | 'not_connected'> {
  const s = (await loadSettings(tx)).get('webpush');
  if (!s || !isConnected(s)) return 'not_connected';
  const sub = await tx.selectFrom('push_subscriptions').select(['endpoint', 'p256dh', 'auth']).where('id', '=', id).executeTakeFirst();
  if (!sub) return 'gone';
  const c = s.config as { vapid_public: string; vapid_private: string; subject: string };
  return { ...sub, vapid: { publicKey: c.vapid_public, privateKey: c.vapid_private, subject: c.subject } };
}
