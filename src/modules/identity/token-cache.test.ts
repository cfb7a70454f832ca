import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { DEMO_PASSWORD } from '../../demo/load.ts';
import { withCommunity } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import { updateUser } from './users.ts';
import { TOKEN_CACHE_MS, TokenCache, type TokenHolder } from './token-cache.ts';

const holder = (expiresAt: Date | null = null): TokenHolder => ({
  tokenId: 't', scopes: ['read'], expiresAt, roles: ['appeals_operator'],
  user: { id: 'u', display_name: 'Оператор', email: 'o@example.org', lang: 'uk', organisation_id: null, is_super_admin: false, totp_enabled_at: null },
});

describe('API token cache', () => {
  it('keeps a token for its time only, never past the token’s expiry, and forgets on demand', () => {
    let now = 1_000_000;
    const cache = new TokenCache(5000, 3, () => now);
    cache.set('c', 'h', holder(), cache.mark);
    assert.ok(cache.get('c', 'h'));
    assert.equal(cache.get('other', 'h'), null, 'per community');
    now += 4999;
    assert.ok(cache.get('c', 'h'));
    now += 1;
    assert.equal(cache.get('c', 'h'), null, 'not past the time it may be kept');

    cache.set('c', 'exp', holder(new Date(now + 1000)), cache.mark);
    now += 1000;
    assert.equal(cache.get('c', 'exp'), null, 'an expired token is refused at once');

    const mark = cache.mark; // a look-up begins…
    cache.set('c', 'h', holder(), cache.mark);
    cache.forget(); // …a revocation meanwhile…
    assert.equal(cache.get('c', 'h'), null);
    cache.set('c', 'h', holder(), mark); // …what it read before is not kept
    assert.equal(cache.get('c', 'h'), null);

    for (const h of ['a', 'b', 'c', 'd']) cache.set('c', h, holder(), cache.mark);
    assert.ok(cache.size <= 3, 'bounded');
    const off = new TokenCache(0, 10, () => now);
    off.set('c', 'h', holder(), off.mark);
    assert.equal(off.get('c', 'h'), null, 'a time of 0 keeps nothing');
  });

  describe('through the API', () => {
    let app: Awaited<ReturnType<typeof startTestApp>>;
    let z: string;
    const tokenOf = async (email: string) => {
      const c = new Client(app.origin);
      await c.staffLogin('', email, DEMO_PASSWORD);
      return c.apiToken('', 'write');
    };
    const me = (token: string) => new Client(app.origin).request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
    /** Asks every 100 ms until the token is refused; the milliseconds that took. */
    const refusedWithin = async (token: string, limitMs: number) => {
      const t0 = Date.now();
      while ((await me(token)).status !== 401) {
        assert.ok(Date.now() - t0 <= limitMs, `still accepted after ${Date.now() - t0} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return Date.now() - t0;
    };

    before(async () => {
      app = await startTestApp();
      z = (await app.app.db.selectFrom('communities').select('id').where('slug', '=', 'zelenodolsk').executeTakeFirstOrThrow()).id;
    });
    after(() => app.close());

    it('a token revoked or an account disabled by another process is refused within the cache time', async () => {
      const revoked = await tokenOf('operator@zelenodolsk.example');
      assert.equal((await me(revoked)).status, 200);
      // Behind this server's back, as another CityDesk process or the database owner would.
      await sql`update api_tokens set revoked_at = now() where revoked_at is null and user_id = (select id from users where email = 'operator@zelenodolsk.example')`.execute(app.app.db);
      await refusedWithin(revoked, TOKEN_CACHE_MS + 1000);

      const disabled = await tokenOf('executor.water@zelenodolsk.example');
      assert.equal((await me(disabled)).status, 200);
      await sql`update users set disabled_at = now() where email = 'executor.water@zelenodolsk.example'`.execute(app.app.db);
      await refusedWithin(disabled, TOKEN_CACHE_MS + 1000);
    });

    it('an expiry is kept to the second; changes made by this process count at once', async () => {
      const token = await tokenOf('controller@zelenodolsk.example');
      await sql`update api_tokens set expires_at = now() + interval '1.5 seconds' where revoked_at is null and user_id = (select id from users where email = 'controller@zelenodolsk.example')`.execute(app.app.db);
      assert.equal((await me(token)).status, 200);
      await new Promise((r) => setTimeout(r, 1600));
      assert.equal((await me(token)).status, 401, 'expired, although the cache time has not passed');

      const roads = await tokenOf('executor.roads@zelenodolsk.example');
      const id = (await me(roads)).json().id as string;
      assert.deepEqual((await me(roads)).json().roles, ['executor']);
      await withCommunity(app.app.db, z, (tx) => updateUser(tx, systemActor(z), z, id, { roles: ['executor', 'leadership'] }));
      assert.deepEqual([...(await me(roads)).json().roles].sort(), ['executor', 'leadership'], 'new roles at once');
      await withCommunity(app.app.db, z, (tx) => updateUser(tx, systemActor(z), z, id, { disabled: true }));
      assert.equal((await me(roads)).status, 401, 'a disabled account at once');
    });
  });
});
