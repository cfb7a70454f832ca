import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { until } from '../../test/until.ts';
import { fakeBrowser, fakePush } from '../../test/fakes/push.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { pushPayloadOf } from '../outbox/webpush.ts';

describe('a message becomes a notification', () => {
  it('the subject is the title, the first link opens, the unsubscribe line becomes a button', () => {
    const p = pushPayloadOf('Аварійне: опалення', 'Аварійне: опалення\nвул. Івана Франка, 1–9\nДо 20:00.\nhttps://city.example/uk/outages/1\nВідписатися: https://city.example/uk/outages/unsubscribe/tok', false);
    assert.deepEqual(p, {
      title: 'Аварійне: опалення',
      body: 'вул. Івана Франка, 1–9\nДо 20:00.',
      url: 'https://city.example/uk/outages/1',
      unsubscribe: { url: 'https://city.example/uk/outages/unsubscribe/tok', label: 'Відписатися' },
      urgent: false,
    });
    assert.equal(pushPayloadOf('x', 'x\n' + 'я'.repeat(500), true).body.length, 300);
  });
});

describe('outage notices by web push: a browser follows an address without signing in', () => {
  let push: Awaited<ReturnType<typeof fakePush>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const dispatcher = new Client('');
  const visitor = new Client('');
  const pushes = () => sql<{ n: string }>`select count(*) as n from push_subscriptions`.execute(app.app.db).then((r) => Number(r.rows[0].n));
  const following = () => sql<{ n: string }>`select count(*) as n from outage_subscriptions where channel = 'webpush' and ended_at is null`.execute(app.app.db).then((r) => Number(r.rows[0].n));

  before(async () => {
    push = await fakePush();
    app = await startTestApp();
    await sql`update outages set status = 'closed', actual_end_at = now()`.execute(app.app.db);
    Object.assign(dispatcher, { origin: app.origin });
    Object.assign(visitor, { origin: app.origin });
    await dispatcher.staffLogin('', 'dispatcher@zelenodolsk.example', DEMO_PASSWORD);
  });
  after(async () => {
    await app.close();
    await push.close();
  });

  const lookup = async (address: string) => {
    const page = await visitor.request(`/uk/outages?q=${encodeURIComponent(address)}`);
    const box = /<div class="card stack" id="outage-push"[^>]*>/.exec(page.text)?.[0];
    return { box, street: box && /data-street="([^"]+)"/.exec(box)![1], building: box && /data-building="([^"]*)"/.exec(box)![1] };
  };

  it('is offered only when the community has web push on; bad input is refused in the page’s language and saves nothing', async () => {
    assert.equal((await lookup('вул. Івана Франка, 3')).box, undefined, 'web push off: no button');
    const browser = fakeBrowser(`${push.url}/send/a`);
    const off = await visitor.request('/uk/outages/subscribe-push', { method: 'POST', json: { subscription: browser.subscription, street: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(off.status, 400);
    assert.match(off.json().error.message, /Сповіщення поки недоступні/);
    // An editor switches web push on in the console; the portal's cached page shows the button at once.
    const editor = new Client(app.origin);
    await editor.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await editor.post('/console/channels/webpush', { enabled: 'on' }, '/console/channels')).status, 200);
    assert.ok((await lookup('вул. Івана Франка, 3')).box, 'web push on: the button is there');
    const unknown = await visitor.request('/uk/outages/subscribe-push', { method: 'POST', json: { subscription: browser.subscription, street: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json().error.message, /не знайшли цієї адреси|Такої адреси немає|реєстр/);
    const broken = await visitor.request('/en/outages/subscribe-push', { method: 'POST', json: { subscription: { endpoint: 'not a url', keys: {} }, street: 'x' } });
    assert.equal(broken.status, 400);
    assert.match(broken.json().error.message, /[A-Za-z]/);
    assert.equal(await pushes(), 0);
    assert.equal(await following(), 0);
  });

  it('a followed house gets the emergency as an encrypted notification with the notice’s link and an unsubscribe button; the next house does not', async () => {
    const odd = fakeBrowser(`${push.url}/send/odd`);
    const even = fakeBrowser(`${push.url}/send/even`);
    for (const [browser, address] of [[odd, 'вул. Івана Франка, 3'], [even, 'вул. Івана Франка, 4']] as const) {
      const at = await lookup(address);
      const r = await visitor.request('/uk/outages/subscribe-push', { method: 'POST', json: { subscription: browser.subscription, street: at.street, building: at.building || undefined } });
      assert.equal(r.status, 201, r.text);
      assert.match(r.json().message, /Франка/);
    }
    assert.equal(await following(), 2);
    const posted = await dispatcher.post('/console/outages/new', { kind: 'heating', emergency: 'true', reason: 'Пошкодження тепломережі', starts: '2026-11-22T08:00', ends: '2030-11-22T20:00', area: 'вул. Івана Франка, 1-9 непарні' }, '/console/outages/new');
    assert.equal(posted.status, 303, posted.text.slice(0, 300));
    const outageId = /outages\/([0-9a-f-]{36})$/.exec(posted.location!)![1];
    const got = await until('a push to the odd house', async () => push.accepted.find((a) => a.path === '/send/odd'));
    const n = odd.read(got.raw) as { title: string; body: string; url: string; unsubscribe: { url: string; label: string } };
    assert.match(n.title, /Аварійне/);
    assert.match(n.title, /Опалення|опалення/);
    assert.match(n.body, /Франка/);
    assert.equal(n.url, `${app.origin}/uk/outages/${outageId}`);
    assert.equal(n.unsubscribe.label, 'Відписатися');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!push.accepted.some((a) => a.path === '/send/even'), 'the even house is outside the notice');
    // The button's link ends the subscription.
    const token = /unsubscribe\/([\w-]+)$/.exec(n.unsubscribe.url)![1];
    const page = await visitor.request(`/uk/outages/unsubscribe/${token}`);
    const done = await visitor.post(`/uk/outages/unsubscribe/${token}`, {}, `/uk/outages/unsubscribe/${token}`);
    assert.equal(page.status, 200);
    assert.equal(done.status, 200);
    assert.equal(await following(), 1);
  });

  it('a browser its push service says is gone is forgotten with everything it followed; nothing is retried', async () => {
    push.drop('/send/even');
    const before = push.log.length;
    const posted = await dispatcher.post('/console/outages/new', { kind: 'heating', emergency: 'true', reason: 'Ремонт', starts: '2026-11-22T08:00', ends: '2030-11-22T20:00', area: 'вул. Івана Франка, 4' }, '/console/outages/new');
    assert.equal(posted.status, 303);
    await until('the even browser forgotten', async () => (await following()) === 0 && (await pushes()) === 1);
    const failed = await sql<{ status: string; last_error: string }>`select status, last_error from outbox_messages where channel = 'webpush' order by created_at desc limit 1`.execute(app.app.db);
    assert.equal(failed.rows[0].status, 'failed');
    assert.match(failed.rows[0].last_error, /410/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(push.log.slice(before).filter((r) => r.path === '/send/even').length, 1, 'asked once');
  });

  it('switching web push off hides the button; on again keeps the same key, so subscribed browsers still work', async () => {
    const editor = new Client(app.origin);
    await editor.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
    const key = /data-key="([^"]+)"/.exec((await lookup('вул. Івана Франка, 3')).box!)![1];
    assert.equal((await editor.post('/console/channels/webpush', {}, '/console/channels')).status, 200);
    assert.equal((await lookup('вул. Івана Франка, 3')).box, undefined);
    assert.equal((await editor.post('/console/channels/webpush', { enabled: 'on' }, '/console/channels')).status, 200);
    assert.equal(/data-key="([^"]+)"/.exec((await lookup('вул. Івана Франка, 3')).box!)![1], key);
  });
});
