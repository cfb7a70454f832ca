// Web push to one browser (an outage notice, an emergency alert): the outbox's 'webpush' lane.
// The recipient is the id of a portal push subscription (channels' push_subscriptions); the
// message is signed with the community's VAPID keys (console → Channels → web push) and
// encrypted for that browser (RFC 8291; the channels module's `signedPush`), then POSTed to the browser's
// push service. The service worker (`/push-sw.js`) shows it and opens its link on a tap; the
// unsubscribe link of the message becomes the notification's second button.
import { signedPush } from '../channels/service.ts';
import { GatewayError, type Gateway } from './gateways.ts';

export type PushTarget = {
  endpoint: string;
  p256dh: string;
  auth: string;
  vapid: { publicKey: string; privateKey: string; subject: string };
};

export type PushDeps = {
  /** The browser's subscription and the community's keys; 'gone' when the subscription no
   * longer exists, 'not_connected' when the community has web push switched off. */
  target: (communityId: string, subscriptionId: string) => Promise<PushTarget | 'gone' | 'not_connected'>;
  /** The push service said the browser dropped the subscription: forget it and what follows it. */
  forget: (communityId: string, subscriptionId: string) => Promise<void>;
};

const TIMEOUT_MS = 15_000;
const BODY_MAX = 300;
const URL_LINE = /^https?:\/\/\S+$/;
const UNSUBSCRIBE_LINE = /^(.*?)[:：]?\s*(https?:\/\/\S+\/unsubscribe\/\S+)\s*$/;

/** The notification a message becomes: its subject as the title, its text as the body, its
 * first link line as the page a tap opens, its unsubscribe line as a button. */
export function pushPayloadOf(subject: string | null, body: string, urgent: boolean) {
  const lines = body.split('\n').map((l) => l.trim()).filter(Boolean);
  const title = subject ?? lines[0] ?? '';
  const url = lines.find((l) => URL_LINE.test(l)) ?? null;
  const unsub = lines.map((l) => UNSUBSCRIBE_LINE.exec(l)).find((m) => m) ?? null;
  const text = lines.filter((l) => l !== title && l !== url && l !== unsub?.[0]).join('\n');
  return {
    title,
    body: text.length > BODY_MAX ? `${text.slice(0, BODY_MAX - 1)}…` : text,
    url,
    unsubscribe: unsub ? { url: unsub[2], label: unsub[1] } : null,
    urgent,
  };
}

export function webPushGateway(deps: PushDeps): Gateway {
  return {
    send: async (m) => {
      const target = await deps.target(m.communityId, m.recipient);
      if (target === 'gone') {
        // Dropped by the news channel's push meanwhile: what it followed goes with it.
        await deps.forget(m.communityId, m.recipient);
        throw new GatewayError('web push: the browser unsubscribed', { permanent: true });
      }
      if (target === 'not_connected') throw new GatewayError('web push is not switched on for this community (console → Channels)', { permanent: true });
      const req = signedPush(target, JSON.stringify(pushPayloadOf(m.subject, m.body, m.urgent)), target.vapid, m.urgent);
      let res: Response;
      try {
        res = await fetch(req.endpoint, {
          method: 'POST', headers: { ...req.headers, 'content-type': 'application/octet-stream' }, body: new Uint8Array(req.body), signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (e) {
        throw new GatewayError(`push service unreachable: ${(e as Error).message}`);
      }
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return res.headers.get('location') ?? String(res.status);
      if (res.status === 404 || res.status === 410) {
        await deps.forget(m.communityId, m.recipient);
        throw new GatewayError(`web push: the browser dropped the subscription (HTTP ${res.status})`, { permanent: true });
      }
      if (res.status === 429) {
        const after = Number(res.headers.get('retry-after'));
        throw new GatewayError('push service rate limit', { retryAfter: Number.isFinite(after) && after > 0 ? after : 30 });
      }
      if (res.status >= 500) throw new GatewayError(`push service answered HTTP ${res.status}`);
      throw new GatewayError(`push service refused: HTTP ${res.status}`, { permanent: true });
    },
  };
}
