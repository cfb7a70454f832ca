import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';

describe('console pages and the API description', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let admin: Client;
  before(async () => {
    app = await startTestApp();
    admin = new Client(app.origin);
    await admin.staffLogin('', 'admin@zelenodolsk.example', DEMO_PASSWORD);
  });
  after(() => app.close());

  it('an administrator opens every console page', async () => {
    for (const path of ['', '/users', '/organisations', '/audit', '/outbox', '/jobs', '/security', '/communities']) {
      const r = await admin.request(`/console${path}`);
      assert.equal(r.status, 200, path);
      assert.match(r.text, /<html lang="uk" dir="ltr">/);
    }
  });

  it('creating an organisation through the form is audited and shown in its history', async () => {
    const r = await admin.post('/console/organisations', { kind: 'communal_enterprise', name_uk: 'КП «Міське світло»', name_en: 'City Lighting', name_fa: '', phone: '+380 3244 1 00 00', email: 'light@zelenodolsk.example' });
    assert.equal(r.status, 200);
    assert.match(r.text, /КП «Міське світло»/);
    const id = /\/console\/organisations\/([0-9a-f-]{36})">КП «Міське світло»/.exec(r.text)![1];
    const page = await admin.request(`/console/organisations/${id}`);
    assert.match(page.text, /organisation\.create/);
    const bad = await admin.post('/console/organisations', { kind: 'department', name_uk: '', name_en: '', name_fa: '' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /role="alert"/);
  });

  it('the jobs page shows the jobs of this community, and the outbox its messages', async () => {
    // A job names its community in its payload; the page lists only this community's.
    const community = (await app.app.communities.bySlug('zelenodolsk'))!;
    const other = (await app.app.communities.bySlug('khomein'))!;
    await app.app.queue.boss.send('channels.deliver', { communityId: community.id, ids: [] });
    await app.app.queue.boss.send('channels.deliver', { communityId: other.id, ids: [] });
    await new Client(app.origin).post('/uk/login', { contact: 'maria@example.org' });
    const text = (await admin.request('/console/jobs')).text;
    assert.equal(text.match(/channels\.deliver/g)?.length, 1, 'only this community’s job');
    assert.match((await admin.request('/console/outbox')).text, /maria@example\.org/);
  });

  it('staff without the permission are refused, and signed-out visitors sent to sign in', async () => {
    const secretary = new Client(app.origin);
    await secretary.staffLogin('', 'secretary@zelenodolsk.example', DEMO_PASSWORD);
    for (const path of ['/users', '/audit', '/outbox', '/jobs', '/communities']) {
      assert.equal((await secretary.request(`/console${path}`)).status, 403, path);
    }
    assert.equal((await new Client(app.origin).request('/console/users')).location, '/console/login');
  });

  it('serves an OpenAPI 3.1 description of every API operation', async () => {
    const doc = (await new Client(app.origin).request('/api/openapi.json')).json();
    assert.equal(doc.openapi, '3.1.0');
    for (const p of ['/api/v1/me', '/api/v1/users', '/api/v1/users/{id}', '/api/v1/organisations', '/api/v1/audit', '/api/v1/outbox', '/api/v1/communities']) {
      assert.ok(doc.paths[p], p);
    }
    assert.equal(doc.paths['/api/v1/users'].post.requestBody.content['application/json'].schema.properties.email.format, 'email');
    const docs = await new Client(app.origin).request('/api/docs');
    assert.equal(docs.status, 200);
    assert.match(docs.text, /\/api\/v1\/users/);
  });
});
