// A worker killed with SIGKILL in the middle of an alert's fan-out to 300 subscribers; a new
// worker process finishes it. Against the fake SMTP relay, SMS gateway and Telegram Bot API:
// every subscriber gets the alert exactly once. The messages whose request was out at the
// kill are "unknown" (the gateways have no idempotency key; see the outbox README): never
// re-sent blindly, at most the lanes' concurrency, shown to the duty officer, who sends again
// those the gateways' delivery reports do not list — here, those the fakes did not receive.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { until } from '../../test/until.ts';
import { spawnServer } from '../../test/spawn.ts';
import { fakeTelegram } from '../../test/fakes/telegram.ts';
import { fakeSmsGateway } from '../../test/fakes/sms.ts';
import { fakeRelay } from '../../test/fakes/smtp.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { laneConcurrency } from '../outbox/lanes.ts';

const PER_CHANNEL = 100;
const RATE = 100;

describe('a worker killed in the middle of an alert fan-out', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let tg: Awaited<ReturnType<typeof fakeTelegram>>;
  let sms: Awaited<ReturnType<typeof fakeSmsGateway>>;
  const relay = fakeRelay();
  const children: ChildProcess[] = [];
  let env: Record<string, string>;

  before(async () => {
    [tg, sms] = await Promise.all([fakeTelegram('556:bot'), fakeSmsGateway('SMS-T')]);
    const smtp = await relay.listen();
    // Slow answers: a kill lands while requests are out.
    tg.setDelay(40);
    sms.setDelay(40);
    relay.setDelay(40);
    // This process serves the console only; the spawned workers send.
    app = await startTestApp({ CITYDESK_WORKER: 'false' });
    env = {
      DATABASE_URL: app.url, CITYDESK_DEMO: 'false', SMTP_URL: `smtp://127.0.0.1:${smtp}`, SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_TOKEN: 'SMS-T',
      TELEGRAM_BOT_TOKEN: '556:bot', TELEGRAM_API_URL: tg.url, OUTBOX_RATE_EMAIL: String(RATE), OUTBOX_RATE_SMS: String(RATE), OUTBOX_RATE_TELEGRAM: String(RATE),
    };
    const zel = (await app.app.communities.bySlug('zelenodolsk'))!;
    await sql`update alerts set status = 'cancelled'`.execute(app.app.db);
    await sql`update outage_subscriptions set ended_at = now()`.execute(app.app.db);
    await sql`insert into outage_subscriptions (community_id, channel, recipient, street_id, building_id, lang, unsubscribe_token)
      select ${zel.id}, (array['telegram', 'sms', 'email'])[i % 3 + 1],
        case i % 3 when 0 then (900000 + i)::text when 1 then '+38063' || lpad(i::text, 7, '0') else 'crash' || i || '@example.org' end,
        b.street_id, b.id, 'uk', 'crash-' || i
      from generate_series(0, ${PER_CHANNEL * 3 - 1}) i, (select id, street_id from buildings where community_id = ${zel.id} limit 1) b`.execute(app.app.db);
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await app.close();
    await Promise.all([tg.close(), sms.close(), relay.close()]);
  });

  it('every subscriber gets the alert once; what was in flight at the kill is shown to the officer, not re-sent blindly', async () => {
    const first = (await spawnServer(env)).child;
    children.push(first);
    const duty = new Client(app.origin);
    await duty.staffLogin('', 'duty@zelenodolsk.example', DEMO_PASSWORD);
    const r = await duty.post('/console/alerts/new', {
      event: 'network_accident', severity: 'Severe', urgency: 'Immediate', certainty: 'Observed', expires_in_hours: '6',
      uk_headline: 'Аварія на тепломережі: вулиця без тепла', uk_description: 'Працюють аварійні бригади.', uk_instruction: 'Бережіть тепло.', uk_area: 'Уся громада', polygons: '', do: 'issue',
    }, '/console/alerts/new');
    assert.equal(r.status, 303);

    const chats = () => tg.posts.filter((p) => p.method === 'sendMessage' && p.text?.includes('Аварія на тепломережі'));
    const received = () => chats().length + sms.received.length + relay.mails.length;
    await until('some messages to arrive', async () => (received() >= 60 ? true : null), 60_000);
    first.kill('SIGKILL');
    await new Promise((res) => first.once('exit', res));
    const atKill = received();
    const inFlight = (await sql<{ recipient: string }>`select recipient from outbox_messages where fanout_id is not null and status = 'sending'`.execute(app.app.db)).rows.map((x) => x.recipient);
    assert.ok(atKill < PER_CHANNEL * 3, `the kill came mid fan-out (${atKill} of ${PER_CHANNEL * 3})`);

    children.push((await spawnServer(env)).child);
    const settled = async () => {
      const n = await sql<{ n: string }>`select count(*) as n from outbox_messages where fanout_id is not null and status in ('sent', 'unknown')`.execute(app.app.db);
      return Number(n.rows[0].n) === PER_CHANNEL * 3 ? true : null;
    };
    await until('the new worker to finish', settled, 120_000);

    const got = new Map<string, number>();
    const tally = () => {
      got.clear();
      const count = (who: string) => got.set(who, (got.get(who) ?? 0) + 1);
      for (const p of chats()) count(p.chat_id);
      for (const m of sms.received) count(`+${m.phone}`);
      for (const m of relay.mails) for (const to of m.to) count(to);
    };
    tally();
    const unknown = (await sql<{ id: string; recipient: string }>`select id, recipient from outbox_messages where fanout_id is not null and status = 'unknown'`.execute(app.app.db)).rows;
    assert.ok(unknown.length <= 3 * laneConcurrency(RATE), `unknown after the kill: ${unknown.length}`);
    assert.deepEqual(unknown.map((u) => u.recipient).filter((w) => !inFlight.includes(w)), [], 'only messages in flight at the kill are unknown');
    const page = await duty.request('/console/outbox');
    if (unknown.length) assert.match(page.text, /data-testid="outbox-unknown"/);
    const notArrived = unknown.filter((u) => !got.has(u.recipient));
    for (const u of notArrived) assert.equal((await duty.post(`/console/outbox/${u.id}/resend`, {}, '/console/outbox')).status, 303);
    await until('the ones sent again', async () => {
      const n = await sql<{ n: string }>`select count(*) as n from outbox_messages where fanout_id is not null and status = 'sent'`.execute(app.app.db);
      return Number(n.rows[0].n) === PER_CHANNEL * 3 - (unknown.length - notArrived.length) ? true : null;
    }, 60_000);

    tally();
    const everyone = [...Array(PER_CHANNEL * 3).keys()].map((i) => (i % 3 === 0 ? String(900000 + i) : i % 3 === 1 ? `+38063${String(i).padStart(7, '0')}` : `crash${i}@example.org`));
    assert.deepEqual(everyone.filter((w) => !got.has(w)), [], 'no subscriber misses the alert');
    assert.deepEqual([...got].filter(([, n]) => n > 1).map(([w]) => w), [], 'nobody gets it twice');
    process.stdout.write(`killed with ${atKill}/${PER_CHANNEL * 3} received and ${inFlight.length} in flight; ${unknown.length} unknown, ${notArrived.length} of them sent again by the officer\n`);
  });
});
