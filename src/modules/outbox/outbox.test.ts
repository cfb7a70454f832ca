import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { until } from '../../test/until.ts';
import { fakeRelay, mailText } from '../../test/fakes/smtp.ts';

describe('outbox: every message is kept, delivered by SMTP, retried when the relay fails', () => {
  const relay = fakeRelay();
  let app: Awaited<ReturnType<typeof startTestApp>>;
  before(async () => {
    const port = await relay.listen();
    app = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Zelenodolsk <no-reply@zelenodolsk.example>' });
  });
  after(async () => {
    await app.close();
    await relay.close();
  });

  const message = (to: string) =>
    sql<{ status: string; attempts: number; last_error: string | null; body: string }>`select status, attempts, last_error, body from outbox_messages where recipient = ${to}`
      .execute(app.app.db).then((r) => r.rows[0]);

  it('sends a resident’s sign-in code through the relay, and the code signs them in', async () => {
    const c = new Client(app.origin);
    const r = await c.post('/uk/login', { contact: 'Olena@Example.org' });
    assert.equal(r.status, 200);
    const mail = await until('mail', async () => relay.received.find((m) => m.includes('olena@example.org')));
    const code = /\b(\d{6})\b/.exec(mailText(mail))![1];
    assert.match(mailText(mail), /код/, 'the message is in the resident’s language');
    const sent = await until('sent status', async () => ((await message('olena@example.org'))?.status === 'sent' ? true : null));
    assert.ok(sent);
    const verify = await c.post('/uk/login/verify', { contact: 'olena@example.org', code }, '/uk/login');
    assert.equal(verify.status, 303);
    const account = await c.request('/uk/account');
    assert.match(account.text, /olena@example\.org/);
  });

  it('a refusing relay delays the message; nothing is lost, it goes out once the relay is back', async () => {
    relay.refuse(true);
    const c = new Client(app.origin);
    await c.post('/en/login', { contact: 'petro@example.org' });
    const failed = await until('a failed attempt', async () => {
      const m = await message('petro@example.org');
      return m && m.attempts >= 1 && m.last_error ? m : null; // the attempt is over once its error is recorded
    });
    assert.equal(failed.status, 'pending');
    assert.match(failed.last_error ?? '', /451|unavailable/i);
    relay.refuse(false);
    // Do not wait for the back-off: bring the retry forward.
    await sql`update outbox_messages set next_attempt_at = now() where status = 'pending'`.execute(app.app.db);
    await until('delivery after retry', async () => ((await message('petro@example.org'))?.status === 'sent' ? true : null), 60_000);
    assert.equal(relay.received.filter((m) => m.includes('petro@example.org')).length, 1);
  });

  it('a phone number gets an SMS that is held in the outbox while no SMS gateway is connected', async () => {
    const c = new Client(app.origin);
    await c.post('/uk/login', { contact: '+380 50 123 45 67' });
    const m = await until('held sms', async () => {
      const row = await message('+380501234567');
      return row?.status === 'held' ? row : null;
    });
    assert.match(m.body, /\d{6}/);
  });
});
