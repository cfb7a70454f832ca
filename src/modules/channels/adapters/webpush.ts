// Web push (VAPID) to residents who subscribed on the portal, in the publication's language.
// The keys are generated per community when the channel is switched on.
import webPush from 'web-push';
import { sql } from 'kysely';
import { z } from 'zod';
import { withCommunity } from '../../../db/db.ts';
import { cut, LIMITS, mainText } from '../limits.ts';
import { ChannelError, type Adapter, type Publication } from '../types.ts';
import { eachRecipient } from './recipients.ts';

const Config = z.object({ vapid_public: z.string().min(20), vapid_private: z.string().min(20), subject: z.string().regex(/^(mailto:|https:\/\/)/) });

export const pushPayload = (p: Publication) => ({
  title: cut(p.title, LIMITS.webpush.title),
  body: cut(mainText(p, 'webpush'), LIMITS.webpush.body),
  url: p.url,
  icon: p.images[0]?.url ?? null,
  urgent: p.urgent,
});

export const webpush: Adapter = {
  kind: 'webpush',
  fields: [{ name: 'vapid_public' }, { name: 'vapid_private', secret: true }, { name: 'subject' }],
  config: Config,
  render: (p) => {
    const m = pushPayload(p);
    return { parts: [`${m.title}\n${m.body}`], warnings: m.title !== p.title || m.body !== mainText(p, 'webpush') ? ['channels.warn.text_cut'] : [] };
  },
  publish: async (ctx, p) => {
    const c = Config.parse(ctx.config);
    const subs = await withCommunity(ctx.db, ctx.communityId, (tx) =>
      tx.selectFrom('push_subscriptions').select(['id', 'endpoint', 'p256dh', 'auth']).where('lang', '=', p.lang)
        // Browsers that asked for news (an empty list is from before topics: news); not those that follow an address only.
        .where(sql<boolean>`cardinality(topics) = 0 or 'news' = any(topics)`).orderBy('created_at').execute());
    const byId = new Map(subs.map((s) => [s.id, s]));
    const payload = JSON.stringify(pushPayload(p));
    const counts = await eachRecipient(ctx, subs.map((s) => s.id), async (id) => {
      const s = byId.get(id)!;
      // Our client knows whether the request reached the push service (and speaks plain http to the test fake).
      const req = signedPush(s, payload, { subject: c.subject, publicKey: c.vapid_public, privateKey: c.vapid_private }, p.urgent);
      const r = await ctx.http({ method: 'POST', url: req.endpoint, body: req.body, contentType: 'application/octet-stream', headers: req.headers, visible: true });
      if (r.status >= 200 && r.status < 300) return 'sent';
      if (r.status === 404 || r.status === 410) {
        // The browser dropped the subscription: forget it.
        await withCommunity(ctx.db, ctx.communityId, (tx) => tx.deleteFrom('push_subscriptions').where('id', '=', id).execute());
        return 'failed';
      }
      if (r.status === 429 || r.status >= 500) throw new ChannelError('transient', `push service answered ${r.status}`);
      return 'failed';
    });
    return { externalId: `${counts.sent}`, externalUrl: null, result: counts };
  },
};

export const newVapidKeys = () => webPush.generateVAPIDKeys();

/** The POST a browser's push service takes: the payload encrypted for that browser (RFC 8291)
 * and signed with the community's VAPID keys, by the web-push package. The headers leave out
 * the content type and length, which the HTTP client sets. */
export function signedPush(sub: { endpoint: string; p256dh: string; auth: string }, payload: string, vapid: { subject: string; publicKey: string; privateKey: string }, urgent: boolean) {
  const req = webPush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
    vapidDetails: vapid, TTL: urgent ? 3600 : 86_400, urgency: urgent ? 'high' : 'normal',
  });
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !/^content-(type|length)$/i.test(k)).map(([k, v]) => [k, String(v)]));
  return { endpoint: req.endpoint, headers, body: req.body ?? Buffer.alloc(0) };
}
