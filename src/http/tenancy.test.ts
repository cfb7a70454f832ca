import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../test/harness.ts';
import { Client } from '../test/client.ts';
import { DEMO_PASSWORD } from '../demo/load.ts';
import { withCommunity } from '../db/db.ts';

describe('communities are isolated', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let kh: Client; // Khomein's administrator
  let khToken: string;
  let zUserId: string;
  let zOrgId: string;
  let ids: { z: string; k: string };

  before(async () => {
    app = await startTestApp();
    const rows = await app.app.db.selectFrom('communities').select(['id', 'slug']).execute();
    ids = { z: rows.find((r) => r.slug === 'zelenodolsk')!.id, k: rows.find((r) => r.slug === 'khomein')!.id };
    const z = await withCommunity(app.app.db, ids.z, async (tx) => ({
      user: await tx.selectFrom('users').select('id').where('email', '=', 'operator@zelenodolsk.example').executeTakeFirstOrThrow(),
      org: await tx.selectFrom('organisations').select('id').limit(1).executeTakeFirstOrThrow(),
    }));
    zUserId = z.user.id;
    zOrgId = z.org.id;
    kh = new Client(app.origin);
    await kh.staffLogin('/c/khomein', 'admin@khomein.example', DEMO_PASSWORD);
    khToken = await kh.apiToken('/c/khomein');
  });
  after(() => app.close());

  const api = (path: string, init: Parameters<Client['request']>[1] = {}) =>
    new Client(app.origin).request(path, { ...init, headers: { authorization: `Bearer ${khToken}`, ...(init.headers ?? {}) } });

  it('lists only its own users and organisations', async () => {
    const users = (await api('/c/khomein/api/v1/users')).json().items as Array<{ email: string }>;
    assert.ok(users.length >= 10);
    assert.ok(users.every((u) => u.email.endsWith('@khomein.example')));
    const orgs = (await api('/c/khomein/api/v1/organisations')).json().items as Array<{ id: string }>;
    assert.ok(!orgs.some((o) => o.id === zOrgId));
  });

  it('cannot read or change another community’s user or organisation through the API', async () => {
    assert.equal((await api(`/c/khomein/api/v1/users/${zUserId}`)).status, 404);
    const patch = await api(`/c/khomein/api/v1/users/${zUserId}`, { method: 'PATCH', json: { display_name: 'Hijacked', disabled: true } });
    assert.equal(patch.status, 404);
    assert.equal((await api(`/c/khomein/api/v1/users/${zUserId}/sessions`, { method: 'DELETE' })).status, 404);
    assert.equal((await api(`/c/khomein/api/v1/organisations/${zOrgId}`)).status, 404);
    assert.equal((await api(`/c/khomein/api/v1/organisations/${zOrgId}`, { method: 'PATCH', json: { archived: true } })).status, 404);
    const audit = (await api(`/c/khomein/api/v1/audit?object_id=${zUserId}`)).json().items;
    assert.deepEqual(audit, []);
    const outbox = (await api('/c/khomein/api/v1/outbox')).json().items as Array<{ recipient: string }>;
    assert.ok(outbox.every((m) => !m.recipient.endsWith('zelenodolsk.example')));
    const user = await withCommunity(app.app.db, ids.z, (tx) => tx.selectFrom('users').select(['display_name', 'disabled_at']).where('id', '=', zUserId).executeTakeFirstOrThrow());
    assert.notEqual(user.display_name, 'Hijacked');
    assert.equal(user.disabled_at, null);
    const org = await withCommunity(app.app.db, ids.z, (tx) => tx.selectFrom('organisations').select('archived_at').where('id', '=', zOrgId).executeTakeFirstOrThrow());
    assert.equal(org.archived_at, null);
  });

  it('a token of one community is unknown in another', async () => {
    assert.equal((await api('/api/v1/users')).status, 401);
    assert.equal((await api('/api/v1/me')).status, 401);
  });

  it('a session cookie of one community does not open another community’s console', async () => {
    const stolen = new Client(app.origin);
    stolen.cookies = new Map(kh.cookies);
    const r = await stolen.request('/console/users');
    assert.equal(r.status, 302);
    assert.match(r.location ?? '', /\/console\/login$/);
    for (const path of [`/c/khomein/console/users/${zUserId}`, `/c/khomein/console/organisations/${zOrgId}`]) {
      assert.equal((await kh.request(path)).status, 404, path);
    }
    const post = await kh.post(`/c/khomein/console/users/${zUserId}/disable`, {}, '/c/khomein/console/security');
    assert.equal(post.status, 404);
  });

  it('row-level security hides and refuses other communities’ rows even for a query without a filter', async () => {
    await withCommunity(app.app.db, ids.k, async (tx) => {
      const all = await tx.selectFrom('users').select('community_id').execute();
      assert.ok(all.length > 0 && all.every((u) => u.community_id === ids.k));
      const sessions = await sql<{ n: string }>`select count(*) as n from sessions where community_id = ${ids.z}`.execute(tx);
      assert.equal(sessions.rows[0].n, '0');
    });
    await assert.rejects(
      withCommunity(app.app.db, ids.k, (tx) =>
        tx.insertInto('organisations').values({ community_id: ids.z, kind: 'department', names: JSON.stringify({ en: 'Intruder' }) }).execute()),
      /row-level security/,
    );
    await assert.rejects(
      withCommunity(app.app.db, ids.k, (tx) => sql`update audit_log set action = 'x'`.execute(tx)),
      /permission denied/,
    );
  });
});
