import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { currentTotp } from './totp.ts';
import { passwordProblem } from './passwords.ts';

describe('staff sign-in, second factor, sessions and tokens', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  before(async () => (app = await startTestApp()));
  after(() => app.close());

  it('refuses a common or short password and accepts a passphrase', () => {
    assert.equal(passwordProblem('short'), 'password.too_short');
    assert.equal(passwordProblem('password123'), 'password.common');
    assert.equal(passwordProblem('qwertyuiop'), 'password.common');
    assert.equal(passwordProblem('olena.kovalenko!', ['olena.kovalenko']), 'password.personal');
    assert.equal(passwordProblem('stork lantern river 1917'), null);
  });

  it('an administrator must enrol TOTP, then needs it at every sign-in; recovery codes work once', async () => {
    const c = new Client(app.origin);
    const first = await c.post('/console/login', { email: 'admin@zelenodolsk.example', password: DEMO_PASSWORD });
    assert.equal(first.location, '/console/enrol');
    // Before enrolment nothing else opens.
    assert.equal((await c.request('/console/users')).location, '/console/enrol');
    const page = await c.request('/console/enrol');
    assert.match(page.text, /<svg/);
    const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page.text)![1];
    const wrong = await c.post('/console/enrol', { code: '000000' });
    assert.equal(wrong.status, 400);
    const ok = await c.post('/console/enrol', { code: currentTotp(secret) }, '/console/enrol');
    const codes = [...ok.text.matchAll(/<li>([0-9a-f]{5}-[0-9a-f]{5})<\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10);
    assert.equal((await c.request('/console/users')).status, 200);

    const again = new Client(app.origin);
    const step1 = await again.post('/console/login', { email: 'admin@zelenodolsk.example', password: DEMO_PASSWORD });
    assert.equal(step1.location, '/console/login/second-factor');
    assert.equal((await again.request('/console/users')).status, 302);
    assert.equal((await again.post('/console/login/second-factor', { code: '123456' })).status, 401);
    assert.equal((await again.post('/console/login/second-factor', { code: codes[0] })).status, 303);
    assert.equal((await again.request('/console/users')).status, 200);

    const third = new Client(app.origin);
    await third.post('/console/login', { email: 'admin@zelenodolsk.example', password: DEMO_PASSWORD });
    assert.equal((await third.post('/console/login/second-factor', { code: codes[0] })).status, 401, 'a recovery code works once');
    assert.equal((await third.post('/console/login/second-factor', { code: currentTotp(secret) })).status, 303);
  });

  it('rotates the session on sign-in, expires idle sessions, ends sessions of a disabled account', async () => {
    const c = new Client(app.origin);
    await c.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
    const firstCookie = c.cookies.get('cd_staff');
    await c.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
    assert.notEqual(c.cookies.get('cd_staff'), firstCookie);
    const old = new Client(app.origin);
    old.cookies.set('cd_staff', firstCookie!);
    assert.equal((await old.request('/console/')).status, 302, 'the old session ended at the new sign-in');
    assert.equal((await c.request('/console/')).status, 200);

    await sql`update sessions set last_seen_at = now() - interval '2 hours' where ended_at is null and user_id = (select id from users where email = 'editor@zelenodolsk.example')`.execute(app.app.db);
    assert.equal((await c.request('/console/')).status, 302, 'idle session is over');

    await c.staffLogin('', 'editor@zelenodolsk.example', DEMO_PASSWORD);
    const admin = new Client(app.origin);
    await admin.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD, (await enrolledSecret()) ?? undefined);
    const token = await admin.apiToken('');
    const editor = await app.app.db.selectFrom('users').select('id').where('email', '=', 'editor@zelenodolsk.example').executeTakeFirstOrThrow();
    const r = await new Client(app.origin).request(`/api/v1/users/${editor.id}`, { method: 'PATCH', json: { disabled: true }, headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    assert.equal((await c.request('/console/')).status, 302, 'disabled account is signed out');
    const back = await new Client(app.origin).post('/console/login', { email: 'editor@zelenodolsk.example', password: DEMO_PASSWORD });
    assert.equal(back.status, 401);
    // The change is in the audit trail with before/after.
    const audit = await sql<{ changes: any }>`select changes from audit_log where action = 'user.update' and object_id = ${editor.id}`.execute(app.app.db);
    assert.ok(audit.rows.some((a) => a.changes.disabled_at && a.changes.disabled_at.from === null));
  });

  async function enrolledSecret(): Promise<string | null> {
    const r = await app.app.db.selectFrom('users').select('totp_secret').where('email', '=', 'admin@zelenodolsk.example').executeTakeFirst();
    return r?.totp_secret ?? null;
  }

  it('limits wrong passwords per account, in the database', async () => {
    let last = 0;
    for (let i = 0; i < 11; i++) {
      last = (await new Client(app.origin).post('/console/login', { email: 'secretary@zelenodolsk.example', password: `wrong-${i}` })).status;
    }
    assert.equal(last, 429);
    const right = await new Client(app.origin).post('/console/login', { email: 'secretary@zelenodolsk.example', password: DEMO_PASSWORD });
    assert.equal(right.status, 429, 'even the right password waits');
    const failures = await sql<{ n: string }>`select count(*) as n from audit_log where action = 'session.login_failed'`.execute(app.app.db);
    assert.ok(Number(failures.rows[0].n) >= 10);
  });

  it('API tokens: scoped, revocable, never stored in clear', async () => {
    const c = new Client(app.origin);
    await c.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD, (await enrolledSecret())!);
    const read = await c.apiToken('', 'read');
    const asToken = (tok: string, path: string, init: Parameters<Client['request']>[1] = {}) =>
      new Client(app.origin).request(path, { ...init, headers: { authorization: `Bearer ${tok}` } });
    assert.equal((await asToken(read, '/api/v1/me')).status, 200);
    assert.equal((await asToken(read, '/api/v1/organisations', { method: 'POST', json: { kind: 'department', names: { uk: 'Відділ культури' } } })).status, 403);
    const stored = await sql<{ n: string }>`select count(*) as n from api_tokens where token_hash = ${read}`.execute(app.app.db);
    assert.equal(stored.rows[0].n, '0');
    const page = await c.request('/console/security');
    const id = /\/console\/security\/tokens\/([0-9a-f-]{36})\/revoke/.exec(page.text)![1];
    await c.post(`/console/security/tokens/${id}/revoke`, {}, '/console/security');
    assert.equal((await asToken(read, '/api/v1/me')).status, 401);
  });
});
