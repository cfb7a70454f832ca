import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { fakeRelay } from '../../test/fakes/smtp.ts';
import sharp from 'sharp';
import { withCommunity } from '../../db/db.ts';
import { freshDatabase, startTestApp } from '../../test/harness.ts';
import { createDb, withSystem } from '../../db/db.ts';
import { migrate } from '../../db/migrate.ts';
import { createCommunity } from '../communities/service.ts';
import { createUser } from '../identity/users.ts';
import { Client } from '../../test/client.ts';
import { fakeTelegram } from '../../test/fakes/telegram.ts';
import { fakePush } from '../../test/fakes/push.ts';
import { systemActor } from '../audit/service.ts';
import { queueDeliveries } from './service.ts';
import { tuneChannel } from './settings.ts';
import { deliveryRows, publication, until } from './test-kit.ts';

const PASSWORD = 'channels-test-password-2026';

/** A database with one community and its press editor; the demo city is not needed here. */
async function cityDb() {
  const fresh = await freshDatabase();
  const { db } = createDb(fresh.url, 2);
  await migrate(db);
  const cid = await withSystem(db, async (tx) => {
    const c = await createCommunity(tx, systemActor(null), { slug: 'zelenodolsk', names: { uk: 'Зеленодольськ', en: 'Zelenodolsk' }, default_lang: 'uk', time_zone: 'Europe/Kyiv', calendar: 'gregorian' }, true);
    await (await import('kysely')).sql`select set_config('app.community_id', ${c.id}, true)`.execute(tx);
    await createUser(tx, systemActor(c.id), c.id, { email: 'editor@zelenodolsk.example', display_name: 'Наталія Бондаренко', password: PASSWORD, lang: 'uk', organisation_id: null, roles: ['press_editor'] as never });
    return c.id;
  });
  await db.destroy();
  return { ...fresh, cid };
}

describe('channels in the console and on the portal', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let tg: Awaited<ReturnType<typeof fakeTelegram>>;
  let push: Awaited<ReturnType<typeof fakePush>>;
  const relay = fakeRelay();
  let smtpPort = 0;
  let cid = '';
  let dbInfo: Awaited<ReturnType<typeof cityDb>>;
  const editor = () => {
    const c = new Client(app.origin);
    return c.staffLogin('', 'editor@zelenodolsk.example', PASSWORD).then(() => c);
  };
  const queue = (p: ReturnType<typeof publication>, channels: Parameters<typeof queueDeliveries>[2]['channels']) =>
    withCommunity(app.app.db, cid, (tx) => queueDeliveries(tx, app.app.queue, { communityId: cid, publication: p, channels, action: 'publish', actor: systemActor(cid, 'editor') }));

  before(async () => {
    [tg, push, smtpPort] = await Promise.all([fakeTelegram('123:ABC'), fakePush(), relay.listen()]);
    dbInfo = await cityDb();
    cid = dbInfo.cid;
    app = await startTestApp({ DATABASE_URL: dbInfo.url, CITYDESK_DEMO: 'false' });
  });
  after(async () => {
    await app.close();
    await dbInfo.drop();
    await Promise.all([tg.close(), push.close(), relay.close()]);
  });

  it('an editor connects Telegram: a bad form is refused and keeps what was typed; test connection asks getMe; the token is never shown back', async () => {
    const c = await editor();
    const page = await c.request('/console/channels');
    assert.equal(page.status, 200);
    assert.match(page.text, /data-testid="status-telegram">Не підключено/);
    const bad = await c.post('/console/channels/telegram', { token: '', chat_id: '@city', base_url: tg.url, enabled: 'on' }, '/console/channels');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /канал не змінено/);
    assert.match(bad.text, /value="@city"/);
    const ok = await c.post('/console/channels/telegram', { token: '123:ABC', chat_id: '@city', base_url: tg.url, enabled: 'on' }, '/console/channels');
    assert.equal(ok.status, 200);
    assert.match(ok.text, /data-testid="status-telegram">Підключено/);
    assert.ok(!ok.text.includes('123:ABC'), 'the token is not shown back');
    assert.match(ok.text, /••••:ABC/);
    const test = await c.post('/console/channels/telegram/test', {}, '/console/channels');
    assert.match(test.text, /З’єднання працює: @city_news_bot/);
    assert.equal(tg.calls('getMe').length, 1);
  });

  it('the deliveries page shows state, link and error; a failed one can be sent again', async () => {
    await withCommunity(app.app.db, cid, (tx) => tuneChannel(tx, 'telegram', { max_attempts: 1, retry_base_seconds: 0.2 }));
    const p = publication();
    tg.fail({ kind: '500' });
    await queue(p, ['telegram', 'facebook']);
    const [, row] = await until('a failed delivery', async () => {
      const rows = await deliveryRows(app.app.db, p.sourceId);
      return rows.find((r) => r.channel === 'telegram')?.status === 'failed' ? rows : null;
    });
    const c = await editor();
    const list = await c.request(`/console/channels/deliveries?source=${p.sourceId}`);
    assert.match(list.text, /Не вдалося/);
    assert.match(list.text, /Канал не відповів після 1 спроби/);
    assert.match(list.text, /Канал не підключено/); // facebook, skipped
    const retry = await c.post(`/console/channels/deliveries/${row.id}/retry`, {}, `/console/channels/deliveries?source=${p.sourceId}`);
    assert.match(retry.text, /знову поставлено в чергу/);
    await until('sent', async () => (await deliveryRows(app.app.db, p.sourceId)).find((r) => r.channel === 'telegram')?.status === 'sent');
    const again = await c.request(`/console/channels/deliveries?source=${p.sourceId}`);
    assert.match(again.text, /href="https:\/\/t\.me\/city\/\d+"/);
  });

  it('press list: added in the console, each journalist gets one letter in their language with an unsubscribe link that works', async () => {
    const c = await editor();
    const bad = await c.post('/console/channels/press', { name: 'Ірина', email: 'not-an-email', lang: 'uk' }, '/console/channels/press');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /value="not-an-email"/);
    for (const [name, email, lang] of [['Ірина Коваль', 'iryna@news.example', 'uk'], ['John Smith', 'john@wire.example', 'en'], ['Петро', 'petro@radio.example', 'uk']]) {
      assert.equal((await c.post('/console/channels/press', { name, email, lang, outlet: 'Вісті' }, '/console/channels/press')).status, 200);
    }
    const dup = await c.post('/console/channels/press', { name: 'Ірина', email: 'IRYNA@news.example', lang: 'uk' }, '/console/channels/press');
    assert.equal(dup.status, 409);
    await c.post('/console/channels/email_press', { smtp_url: `smtp://127.0.0.1:${smtpPort}`, from: 'Пресслужба <press@zelenodolsk.example>', enabled: 'on' }, '/console/channels');
    const p = publication();
    await queue(p, ['email_press']);
    const [row] = await until('press mail', async () => ((await deliveryRows(app.app.db, p.sourceId))[0]?.status === 'sent' ? deliveryRows(app.app.db, p.sourceId) : null));
    assert.equal(row.external_id, '2');
    assert.deepEqual(relay.mails.map((m) => m.to[0]).sort(), ['iryna@news.example', 'petro@radio.example']);
    const raw = relay.mails[0].raw;
    assert.match(raw, /List-Unsubscribe:\s*<http/i);
    assert.match(raw, /List-Unsubscribe-Post: List-Unsubscribe=One-Click/i);
    const link = /(\/uk\/press\/unsubscribe\?token=[\w-]+)/.exec(raw.replace(/=\r\n/g, '').replace(/=3D/g, '='))![1];
    const visitor = new Client(app.origin);
    const ask = await visitor.request(link);
    assert.equal(ask.status, 200);
    const done = await visitor.request(link, { method: 'POST', form: {} });
    assert.match(done.text, /більше не отримуватимете/);
    assert.equal((await visitor.request('/uk/press/unsubscribe?token=nonsense-token-123', { method: 'POST', form: {} })).status, 404);
    const q = publication();
    await queue(q, ['email_press']);
    await until('second mail', async () => ((await deliveryRows(app.app.db, q.sourceId))[0]?.status === 'sent'));
    assert.equal(relay.mails.length, 3, 'the unsubscribed journalist got nothing more');
  });

  it('web push: a resident subscribes on the portal and receives an encrypted push signed with the community VAPID key', async () => {
    const c = await editor();
    await c.post('/console/channels/webpush', { enabled: 'on' }, '/console/channels');
    const page = await new Client(app.origin).request('/uk/notifications');
    const key = /data-key="([\w-]+)"/.exec(page.text)![1];
    assert.ok(key.length > 60, 'the page carries the VAPID public key');
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const sub = { endpoint: `${push.url}/push/abc`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') }, lang: 'uk' };
    const bad = await new Client(app.origin).request('/push/subscribe', { json: { endpoint: 'nope' } });
    assert.equal(bad.status, 400);
    assert.equal((await new Client(app.origin).request('/push/subscribe', { json: sub })).status, 201);
    const p = publication();
    await queue(p, ['webpush']);
    await until('push delivered', async () => push.accepted.length === 1);
    assert.equal(push.accepted[0].path, '/push/abc');
    assert.ok(push.accepted[0].bytes > 100, 'an encrypted body');
    assert.equal((await new Client(app.origin).request('/push-sw.js')).status, 200);
  });

  it('the LED feed shows the current headline as JSON and as a 1920x1080 picture; print gives a PDF', async () => {
    const c = await editor();
    await c.post('/console/channels/led', { enabled: 'on' }, '/console/channels');
    await c.post('/console/channels/print', { enabled: 'on' }, '/console/channels');
    const p = publication({ title: 'Водопостачання відновлено' });
    const fa = publication({ lang: 'fa', title: 'آب‌رسانی دوباره برقرار شد', bodyText: 'متن خبر' });
    await queue(p, ['led', 'print']);
    await queue(fa, ['led']);
    const rows = await until('led and print', async () => {
      const r = await deliveryRows(app.app.db, p.sourceId);
      return r.every((x) => x.status === 'sent') && (await deliveryRows(app.app.db, fa.sourceId))[0]?.status === 'sent' ? r : null;
    });
    const feed = (await new Client(app.origin).request('/led/feed.json')).json();
    assert.deepEqual(feed.items.map((i: { title: string }) => i.title), [fa.title, p.title]);
    const png = await fetch(`${app.origin}/led/current.png`);
    const meta = await sharp(Buffer.from(await png.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height, meta.format], [1920, 1080, 'png']);
    const print = rows.find((r) => r.channel === 'print')!;
    const pdf = await c.request(new URL(print.external_url!).pathname);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.ok(pdf.text.startsWith('%PDF'), 'a PDF');
  });
});
