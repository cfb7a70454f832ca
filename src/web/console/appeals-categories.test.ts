import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';

describe('the community admin keeps the catalogue of appeal categories', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const admin = new Client('');
  let org = '';
  before(async () => {
    app = await startTestApp();
    Object.assign(admin, { origin: app.origin });
    await admin.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD);
    org = /name="executor_org_id"><option value="([0-9a-f-]{36})"/.exec((await admin.request('/console/appeals/categories')).text)![1];
  });
  after(() => app.close());
  const count = async () => Number((await sql<{ n: string }>`select count(*) as n from appeal_categories where code = 'snow'`.execute(app.app.db)).rows[0].n);
  const form = { code: 'snow', name_uk: 'Неприбраний сніг', kw_uk: 'сніг ожеледь', icon: '❄', executor_org_id: '', service_hours: '24', service_mode: 'calendar', legal_days: '15', is_public: 'on' };

  it('bad input is refused with the reason, keeps what was typed and creates nothing', async () => {
    const r = await admin.post('/console/appeals/categories', { ...form, executor_org_id: org, service_hours: '0' }, '/console/appeals/categories');
    assert.equal(r.status, 400);
    assert.match(r.text, /Перевірте позначені поля/);
    assert.match(r.text, /value="Неприбраний сніг"/);
    assert.equal(await count(), 0);
    const taken = await admin.post('/console/appeals/categories', { ...form, executor_org_id: org, code: 'power' }, '/console/appeals/categories');
    assert.equal(taken.status, 400);
    assert.match(taken.text, /Цей код уже має інша категорія/);
  });

  it('a new category reaches the filing form at once; archiving takes it off', async () => {
    assert.equal((await admin.post('/console/appeals/categories', { ...form, executor_org_id: org }, '/console/appeals/categories')).status, 303);
    assert.equal(await count(), 1);
    const visitor = new Client(app.origin);
    assert.match((await visitor.request('/uk/appeals/new')).text, /Неприбраний сніг/);
    const { id } = (await sql<{ id: string }>`select id from appeal_categories where code = 'snow'`.execute(app.app.db)).rows[0];
    const r = await admin.post(`/console/appeals/categories/${id}`, { ...form, executor_org_id: org, service_hours: '48', archived: 'on' }, `/console/appeals/categories/${id}`);
    assert.equal(r.status, 303);
    assert.doesNotMatch((await visitor.request('/uk/appeals/new')).text, /Неприбраний сніг/);
    const audit = await sql<{ n: string }>`select count(*) as n from audit_log where object_id = ${id}`.execute(app.app.db);
    assert.equal(audit.rows[0].n, '2');
  });

  it('only the admin may change the catalogue', async () => {
    const operator = new Client(app.origin);
    await operator.staffLogin('', 'operator@zelenodolsk.example', DEMO_PASSWORD);
    assert.equal((await operator.request('/console/appeals/categories')).status, 403);
  });
});
