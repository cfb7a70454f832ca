import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../test/harness.ts';
import { Client } from '../test/client.ts';
import { DEMO_PASSWORD } from '../demo/load.ts';

describe('bad input gets one error shape, a 4xx and changes nothing', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let token: string;
  const counts = async () => {
    const n = async (t: 'users' | 'organisations' | 'audit_log') => Number((await app.app.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { users: await n('users'), orgs: await n('organisations'), audit: await n('audit_log') };
  };

  before(async () => {
    app = await startTestApp();
    const c = new Client(app.origin);
    await c.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD);
    token = await c.apiToken('');
  });
  after(() => app.close());

  const call = (path: string, init: Parameters<Client['request']>[1] = {}, auth = true) =>
    new Client(app.origin).request(path, { ...init, headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) } });

  function assertError(r: { status: number; json: () => any }, status: number, code: string) {
    assert.equal(r.status, status);
    const body = r.json();
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.ok(body.error.message.length > 3);
  }

  it('rejects each kind of bad request and leaves the data as it was', async () => {
    const before = await counts();
    const body = { kind: 'department', names: { uk: 'Відділ' } };
    assertError(await call('/api/v1/organisations', { method: 'POST', body: '{"kind": "department",', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
    assertError(await call('/api/v1/organisations', { method: 'POST', json: { ...body, kind: 42 } }), 400, 'invalid_input');
    assertError(await call('/api/v1/organisations', { method: 'POST', json: { ...body, colour: 'red' } }), 400, 'invalid_input');
    assertError(await call('/api/v1/organisations', { method: 'POST', json: { kind: 'department', names: {} } }), 400, 'invalid_input');
    assertError(await call('/api/v1/organisations', { method: 'POST', body: JSON.stringify({ ...body, names: { uk: 'x'.repeat(2_000_000) } }), headers: { 'content-type': 'application/json' } }), 413, 'body_too_large');
    assertError(await call('/api/v1/organisations', { method: 'POST', body: 'kind=department', headers: { 'content-type': 'text/csv' } }), 415, 'unsupported_media_type');
    assertError(await call('/api/v1/users', { method: 'POST', json: { email: 'not-an-e-mail', display_name: 'X Y', password: 'correct horse battery' } }), 400, 'invalid_input');
    assertError(await call('/api/v1/users', { method: 'POST', json: { email: 'new@zelenodolsk.example', display_name: 'Нова Людина', password: 'password123' } }), 400, 'invalid_input');
    assertError(await call('/api/v1/users/not-a-uuid'), 400, 'invalid_input');
    assertError(await call('/api/v1/users/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    assertError(await call('/api/v1/users?lang=xx'), 400, 'unknown_language');
    assertError(await call('/c/no-such-town/api/v1/users'), 404, 'unknown_community');
    assertError(await call('/api/v1/users', {}, false), 401, 'unauthenticated');
    assertError(await call('/api/v1/users', { headers: { authorization: 'Bearer cdk_forged' } }, false), 401, 'unauthenticated');
    assertError(await call('/api/v1/users', { headers: { authorization: 'Basic abc' } }, false), 401, 'unauthenticated');
    assertError(await call('/api/v1/users', { headers: { cookie: 'cd_staff=forged-session' } }, false), 401, 'unauthenticated');
    assert.deepEqual(await counts(), before);
  });

  it('answers in the caller’s language', async () => {
    const uk = (await call('/api/v1/users/00000000-0000-4000-8000-000000000000', { headers: { 'accept-language': 'uk' } })).json();
    const fa = (await call('/api/v1/users/00000000-0000-4000-8000-000000000000?lang=fa')).json();
    const en = (await call('/api/v1/users/00000000-0000-4000-8000-000000000000?lang=en')).json();
    assert.equal(en.error.message, 'Not found.');
    assert.notEqual(uk.error.message, en.error.message);
    assert.notEqual(fa.error.message, en.error.message);
    const details = (await call('/api/v1/organisations?lang=uk', { method: 'POST', json: { kind: 'department', names: { uk: 'В' }, colour: 1 } })).json();
    assert.ok(details.error.details.colour, 'unknown field named in details');
  });

  it('a portal form with bad input keeps what was typed and explains in the page language', async () => {
    const c = new Client(app.origin);
    const r = await c.post('/fa/login', { contact: 'not a contact' });
    assert.equal(r.status, 400);
    assert.match(r.text, /value="not a contact"/);
    assert.match(r.text, /dir="rtl"/);
    assert.match(r.text, /role="alert"/);
  });

  it('state-changing forms need the form token', async () => {
    const c = new Client(app.origin);
    const r = await c.request('/console/login', { form: { email: 'admin@zelenodolsk.example', password: DEMO_PASSWORD } });
    assert.equal(r.status, 403);
    assert.equal(c.cookies.has('cd_staff'), false);
  });
});
