// Portal side of the channels: web-push subscription (page, service worker, subscribe and
// unsubscribe), the press-list unsubscribe page, and the LED-screen feed (JSON + 1920x1080 PNG).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import sharp from 'sharp';
import type { App } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { t, pick, type Lang } from '../../i18n/i18n.ts';
import { withCommunity } from '../../db/db.ts';
import { loadSettings, PUSH_TOPICS, PushSubscription, savePushSubscription, unsubscribePress } from '../../modules/channels/service.ts';
import { forgetBrowser } from '../../modules/outages/service.ts';
import { ledItems, ledSvg } from '../../modules/channels/led.ts';
import { portalPage } from '../layout.ts';
import { langOf, sendPage } from './page.ts';

const Subscription = PushSubscription.extend({
  lang: z.enum(['uk', 'en', 'fa']).default('uk'),
  topics: z.array(z.enum(PUSH_TOPICS)).max(2).default(['news']),
});

// The service worker: shows the notification and opens the publication on a tap.
// The service worker: shows the notification and opens the publication on a tap; a message
// that carries an unsubscribe link (outage notices, alerts) gets it as a second button.
const SW = `self.addEventListener('push', (e) => {
  let d = {}; try { d = e.data ? e.data.json() : {}; } catch (_) {}
  const u = d.unsubscribe || null;
  e.waitUntil(self.registration.showNotification(d.title || '', { body: d.body || '', icon: d.icon || undefined, data: { url: d.url || '/', unsubscribe: u && u.url },
    actions: u ? [{ action: 'unsubscribe', title: u.label }] : [], requireInteraction: !!d.urgent }));
});
self.addEventListener('notificationclick', (e) => { e.notification.close(); const d = e.notification.data || {};
  e.waitUntil(clients.openWindow(e.action === 'unsubscribe' && d.unsubscribe ? d.unsubscribe : d.url)); });`;

// The community's VAPID public key (base64url) as the bytes PushManager.subscribe wants.
const KEY_BYTES = `const keyBytes = (k) => Uint8Array.from(atob(k.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - k.length % 4) % 4)), (c) => c.charCodeAt(0));`;

// The page script: registers the worker, subscribes with the community's VAPID key.
const CLIENT = `(() => { ${KEY_BYTES}
  const box = document.getElementById('push'); if (!box) return;
  const say = (k) => { document.getElementById('push-status').textContent = box.dataset[k]; };
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !box.dataset.key) { say('unsupported'); return; }
  const key = keyBytes(box.dataset.key);
  const post = (url, body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  document.getElementById('push-on').hidden = false; document.getElementById('push-off').hidden = false;
  document.getElementById('push-on').onclick = async () => {
    const reg = await navigator.serviceWorker.register(box.dataset.sw);
    const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    const r = await post(box.dataset.subscribe, { ...sub.toJSON(), lang: box.dataset.lang }); say(r.ok ? 'done' : 'unsupported');
  };
  document.getElementById('push-off').onclick = async () => {
    const reg = await navigator.serviceWorker.getRegistration(box.dataset.sw); const sub = reg && await reg.pushManager.getSubscription();
    if (sub) { await post(box.dataset.unsubscribe, { endpoint: sub.endpoint }); await sub.unsubscribe(); } say('off');
  };
})();`;

// The outages page's "notify me in this browser": subscribes the browser (as above), then asks
// the server to follow the looked-up address with it (the kinds ticked in the form, if any).
const FOLLOW = `(() => { ${KEY_BYTES}
  const box = document.getElementById('outage-push'); if (!box) return;
  const status = document.getElementById('outage-push-status'); const btn = document.getElementById('outage-push-on');
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) { status.textContent = box.dataset.unsupported; return; }
  btn.hidden = false;
  btn.onclick = async () => {
    btn.disabled = true;
    try {
      const reg = await navigator.serviceWorker.register(box.dataset.sw);
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key) });
      const kinds = Array.from(document.querySelectorAll('input[name=kinds]:checked')).map((i) => i.value);
      const r = await fetch(box.dataset.action, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subscription: sub.toJSON(), street: box.dataset.street, building: box.dataset.building || undefined, kinds }) });
      const j = await r.json().catch(() => ({}));
      status.textContent = r.ok ? j.message : (j.error && j.error.message) || box.dataset.unsupported;
    } catch (_) { status.textContent = box.dataset.denied; } finally { btn.disabled = false; }
  };
})();`;

/** "Notify me in this browser" for a looked-up address, when the community has web push on
 * (`key`: its VAPID public key). Without JavaScript it says nothing; the button shows itself. */
export const followInBrowser = (req: FastifyRequest, lang: Lang, key: string, a: { streetId: string; buildingId: string | null }) =>
  html`<div class="card stack" id="outage-push" data-key="${key}" data-sw="${req.base}/push-sw.js" data-action="${req.base}/${lang}/outages/subscribe-push"
 data-street="${a.streetId}" data-building="${a.buildingId ?? ''}" data-unsupported="${t(lang, 'channels.push.unsupported')}" data-denied="${t(lang, 'outages.push.denied')}">
<h3>${t(lang, 'outages.push.title')}</h3><p>${t(lang, 'outages.push.lead')}</p>
<p><button type="button" id="outage-push-on" hidden>${t(lang, 'outages.push.button')}</button></p><p id="outage-push-status" role="status"></p>
<script src="${req.base}/outages-push.js" defer></script></div>`;

export const portalPush = (app: App) => async (r: FastifyInstance) => {
  const inTx = <T>(req: FastifyRequest, fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(app.db, req.community.id, fn);

  r.get('/push-sw.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(SW));
  r.get('/push.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(CLIENT));
  r.get('/outages-push.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(FOLLOW));

  r.get('/:lang/notifications', async (req, reply) => {
    const lang = langOf(req);
    const s = (await inTx(req, (tx) => loadSettings(tx))).get('webpush');
    const key = s?.enabled ? String(s.config.vapid_public ?? '') : '';
    const b = req.base;
    const body = html`<h1>${t(lang, 'channels.push.title')}</h1><p>${t(lang, 'channels.push.lead')}</p>
<div id="push" data-key="${key}" data-lang="${lang}" data-sw="${b}/push-sw.js" data-subscribe="${b}/push/subscribe" data-unsubscribe="${b}/push/unsubscribe"
 data-done="${t(lang, 'channels.push.done')}" data-off="${t(lang, 'channels.push.off')}" data-unsupported="${t(lang, key ? 'channels.push.unsupported' : 'channels.push.not_connected')}">
<p><button type="button" id="push-on" hidden>${t(lang, 'channels.push.subscribe')}</button> <button type="button" id="push-off" class="secondary" hidden>${t(lang, 'channels.push.unsubscribe')}</button></p>
<p id="push-status" role="status">${key ? '' : t(lang, 'channels.push.not_connected')}</p>
<noscript><p>${t(lang, 'channels.push.unsupported')}</p></noscript></div>
<script src="${b}/push.js" defer></script>`;
    return sendPage(reply, portalPage(req, { title: t(lang, 'channels.push.title'), body, lang }));
  });

  r.post('/push/subscribe', async (req, reply) => {
    const p = Subscription.safeParse(req.body ?? {});
    if (!p.success) return reply.code(400).send({ error: { code: 'invalid_input', message: t(req.lang, 'error.invalid') } });
    await inTx(req, (tx) => savePushSubscription(tx, req.community.id, p.data, p.data.lang, p.data.topics));
    return reply.code(201).send({ ok: true });
  });

  // "Turn off" in this browser: no more news, and the addresses it followed are let go.
  r.post('/push/unsubscribe', async (req, reply) => {
    const p = z.object({ endpoint: z.string().max(1000) }).safeParse(req.body ?? {});
    if (!p.success) return reply.code(400).send({ error: { code: 'invalid_input', message: t(req.lang, 'error.invalid') } });
    await inTx(req, (tx) => forgetBrowser(tx, { endpoint: p.data.endpoint }));
    return reply.send({ ok: true });
  });

  // A mail scanner may open links: the GET only shows a button; the POST (also the
  // RFC 8058 one-click POST of mail clients) unsubscribes. The token is the authority.
  const unsubPage = (req: FastifyRequest, lang: Lang, token: string, state: 'ask' | 'done' | 'invalid') => {
    const body = html`<h1>${t(lang, 'channels.press.unsub.title')}</h1>
${state === 'done' ? html`<p class="notice" role="status">${t(lang, 'channels.press.unsub.done')}</p>` : ''}
${state === 'invalid' ? html`<p class="alert" role="alert">${t(lang, 'channels.press.unsub.invalid')}</p>` : ''}
${state === 'ask' ? html`<form method="post" action="${req.base}/${lang}/press/unsubscribe?token=${token}"><button type="submit">${t(lang, 'channels.press.unsub.confirm')}</button></form>` : ''}`;
    return portalPage(req, { title: t(lang, 'channels.press.unsub.title'), body, lang });
  };
  r.get('/:lang/press/unsubscribe', async (req, reply) => {
    const lang = langOf(req);
    const token = z.object({ token: z.string().max(100).default('') }).parse(req.query ?? {}).token;
    const ok = /^[\w-]{10,60}$/.test(token);
    return sendPage(reply, unsubPage(req, lang, token, ok ? 'ask' : 'invalid'), ok ? 200 : 404);
  });
  r.post('/:lang/press/unsubscribe', async (req, reply) => {
    const lang = langOf(req);
    const token = z.object({ token: z.string().max(100).default('') }).parse(req.query ?? {}).token;
    const ok = await inTx(req, (tx) => unsubscribePress(tx, token));
    return sendPage(reply, unsubPage(req, lang, token, ok ? 'done' : 'invalid'), ok ? 200 : 404);
  });

  r.get('/led/feed.json', async (req, reply) => {
    const items = await inTx(req, (tx) => ledItems(tx, 10));
    const c = req.community;
    return reply.header('cache-control', 'public, max-age=15').send({ community: pick(c.names, c.default_lang, c.default_lang), generated_at: new Date().toISOString(), image: `${req.base}/led/current.png`, items });
  });

  r.get('/led/current.png', async (req, reply) => {
    const [item] = await inTx(req, (tx) => ledItems(tx, 1));
    const c = req.community;
    const svg = await ledSvg(item ?? null, pick(c.names, c.default_lang, c.default_lang));
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    return reply.type('image/png').header('cache-control', 'public, max-age=15').send(png);
  });
};
