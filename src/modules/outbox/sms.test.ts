import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { until } from '../../test/until.ts';
import { fakeSmsGateway } from '../../test/fakes/sms.ts';

describe('SMS through an HTTP gateway (TurboSMS JSON API)', () => {
  let gw: Awaited<ReturnType<typeof fakeSmsGateway>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  before(async () => {
    gw = await fakeSmsGateway('sms-token');
    app = await startTestApp({ SMS_GATEWAY_URL: gw.url, SMS_GATEWAY_TOKEN: 'sms-token', SMS_SENDER: 'Zelenodolsk' });
  });
  after(async () => {
    await app.close();
    await gw.close();
  });

  const message = (to: string) =>
    sql<{ status: string; attempts: number; last_error: string | null; provider_id: string | null }>`select status, attempts, last_error, provider_id from outbox_messages where recipient = ${to}`
      .execute(app.app.db).then((r) => r.rows[0]);

  it('a resident’s sign-in code reaches the phone, and the code signs them in', async () => {
    const c = new Client(app.origin);
    await c.post('/uk/login', { contact: '+380 67 111 22 33' });
    const sms = await until('sms', async () => gw.received.find((m) => m.phone === '380671112233'));
    assert.equal(sms.sender, 'Zelenodolsk');
    const code = /\b(\d{6})\b/.exec(sms.text)![1];
    assert.match(sms.text, /код/, 'in the resident’s language');
    const row = await until('sent', async () => ((await message('+380671112233'))?.status === 'sent' ? message('+380671112233') : null));
    assert.equal(row.provider_id, sms.messageId);
    const verify = await c.post('/uk/login/verify', { contact: '+380671112233', code }, '/uk/login');
    assert.equal(verify.status, 303);
  });

  it('a rate-limited gateway is asked again only after its Retry-After; the SMS is sent once', async () => {
    gw.setMode('rate_limited');
    const c = new Client(app.origin);
    const asked = Date.now();
    await c.post('/en/login', { contact: '+380671112244' });
    const limited = await until('a rate-limited attempt', async () => {
      const m = await message('+380671112244');
      return m && m.attempts >= 1 && m.last_error ? m : null; // the attempt is over once its error is recorded
    });
    assert.equal(limited.status, 'pending');
    assert.match(limited.last_error ?? '', /rate limit/);
    gw.setMode('ok');
    await until('sent after the wait', async () => ((await message('+380671112244'))?.status === 'sent' ? true : null));
    assert.ok(Date.now() - asked >= 1000, 'not before Retry-After');
    assert.equal(gw.received.filter((m) => m.phone === '380671112244').length, 1);
  });

  it('a gateway that is down delays the SMS without losing it', async () => {
    gw.setMode('down');
    const c = new Client(app.origin);
    await c.post('/uk/login', { contact: '+380671112255' });
    await until('a failed attempt', async () => !!(await message('+380671112255'))?.last_error);
    assert.equal((await message('+380671112255')).status, 'pending');
    gw.setMode('ok');
    await sql`update outbox_messages set next_attempt_at = now() where status = 'pending'`.execute(app.app.db);
    await until('sent after recovery', async () => ((await message('+380671112255'))?.status === 'sent' ? true : null), 60_000);
    assert.equal(gw.received.filter((m) => m.phone === '380671112255').length, 1);
  });

  it('a number the gateway refuses is marked failed with its reason and not retried', async () => {
    gw.setMode('refuse');
    const c = new Client(app.origin);
    await c.post('/uk/login', { contact: '+380671112266' });
    const failed = await until('failed', async () => {
      const m = await message('+380671112266');
      return m?.status === 'failed' ? m : null;
    });
    assert.match(failed.last_error ?? '', /NOT_ALLOWED_RECIPIENT_COUNTRY/);
    assert.equal(failed.attempts, 1);
    gw.setMode('ok');
  });
});
