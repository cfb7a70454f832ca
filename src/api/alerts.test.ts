import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../test/harness.ts';
import { Client } from '../test/client.ts';
import { DEMO_PASSWORD } from '../demo/load.ts';

describe('alerts API', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let duty: string;
  let duty2: string;
  let mayor: string;
  let operator: string;
  before(async () => {
    app = await startTestApp();
    const secrets = new Map<string, string | undefined>();
    const token = async (email: string) => {
      const c = new Client(app.origin);
      const secret = await c.staffLogin('', email, DEMO_PASSWORD, secrets.get(email));
      if (!secrets.has(email)) secrets.set(email, secret);
      return c.apiToken('', 'write');
    };
    [duty, mayor, operator] = [await token('duty@zelenodolsk.example'), await token('mayor@zelenodolsk.example'), await token('operator@zelenodolsk.example')];
    duty2 = await token('duty@zelenodolsk.example'); // a second sign-in of the same officer
    await sql`update alerts set status = 'cancelled'`.execute(app.app.db);
  });
  after(() => app.close());

  const call = (token: string, path: string, init: Parameters<Client['request']>[1] = {}) =>
    new Client(app.origin).request(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  const alert = (extra: Record<string, unknown> = {}) => ({
    event: 'network_accident', severity: 'Severe', urgency: 'Immediate', certainty: 'Observed', expires_in_hours: 6,
    texts: { uk: { headline: 'Аварія на водогоні: без води три вулиці', instruction: 'Запасіть воду.' }, en: { headline: 'Water main burst: three streets without water' } },
    area_desc: { uk: 'Південний район' }, ...extra,
  });

  it('composes and issues in one call; the alert, its CAP message and the list answer', async () => {
    const district = (await sql<{ key: string }>`select key from address_districts d join communities c on c.id = d.community_id where c.slug = 'zelenodolsk' order by key limit 1`.execute(app.app.db)).rows[0].key;
    const r = await call(duty, '/api/v1/alerts', { json: { ...alert({ districts: [district] }), issue: true } });
    assert.equal(r.status, 201, r.text);
    const a = r.json();
    assert.equal(a.status, 'active');
    assert.deepEqual(a.districts, [district]);
    assert.equal(a.texts.en.description, '', 'what was left out is empty');
    const cap = await new Client(app.origin).request(new URL(a.cap_url).pathname);
    assert.match(cap.text, new RegExp(`<value>${district}</value>`));
    const one = (await call(duty, `/api/v1/alerts/${a.id}`)).json();
    assert.deepEqual(one.messages.map((m: { msg_type: string }) => m.msg_type), ['Alert']);
    assert.ok((await call(mayor, '/api/v1/alerts?status=active')).json().items.some((x: { id: string }) => x.id === a.id), 'the approver reads them too');

    const updated = await call(duty, `/api/v1/alerts/${a.id}/actions`, { json: { action: 'update', alert: alert({ texts: { uk: { headline: 'Аварія на водогоні: подача відновлюється' } } }) } });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.json().version, 2);
    const cancelled = await call(duty, `/api/v1/alerts/${a.id}/actions`, { json: { action: 'cancel' } });
    assert.equal(cancelled.json().status, 'cancelled');
    assert.deepEqual((await call(duty, `/api/v1/alerts/${a.id}`)).json().messages.map((m: { msg_type: string }) => m.msg_type), ['Cancel', 'Update', 'Alert']);
  });

  it('bad input is refused in the caller’s language and nothing is made; others may not issue', async () => {
    const count = async () => (await sql<{ n: number }>`select count(*)::int as n from alerts`.execute(app.app.db)).rows[0].n;
    const before = await count();
    const open = await call(duty, '/api/v1/alerts?lang=uk', { json: { ...alert({ polygons: ['50.25,28.65 50.26,28.65 50.26,28.67'] }), issue: true } });
    assert.equal(open.status, 400);
    assert.match(open.json().error.message, /не замкнений/);
    const district = await call(duty, '/api/v1/alerts?lang=en', { json: alert({ districts: ['atlantis'] }) });
    assert.equal(district.status, 400);
    assert.match(district.json().error.message, /no such district/);
    const headline = await call(duty, '/api/v1/alerts?lang=uk', { json: alert({ texts: { en: { headline: 'English only' } } }) });
    assert.equal(headline.status, 400, 'the community’s own language is required');
    assert.equal((await call(operator, '/api/v1/alerts', { json: alert() })).status, 403);
    assert.equal((await call(operator, '/api/v1/alerts')).status, 403);
    assert.equal(await count(), before);
  });

  it('where the community asks for it, a second person approves; the one who asked cannot', async () => {
    await sql`update communities set alerts_need_approval = true where slug = 'zelenodolsk'`.execute(app.app.db);
    const a = (await call(duty, '/api/v1/alerts', { json: { ...alert(), issue: true } })).json();
    assert.equal(a.status, 'pending_approval');
    assert.equal(a.cap_url, null);
    assert.equal((await call(duty2, `/api/v1/alerts/${a.id}/actions`, { json: { action: 'approve' } })).status, 403, 'the same person, another token');
    const approved = await call(mayor, `/api/v1/alerts/${a.id}/actions`, { json: { action: 'approve' } });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json().status, 'active');
    assert.equal((await call(mayor, `/api/v1/alerts/${a.id}/actions`, { json: { action: 'cancel' } })).status, 403, 'approvers do not issue or cancel');
  });
});
