import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { migratedDb } from '../test/harness.ts';
import { afterCommit, prepared, withCommunity, withSystem, type Db } from './db.ts';

// BEGIN goes with the tenant's set_config in one round trip (db.ts); transactions must behave
// exactly as before: committed, rolled back, tenant and role set, nothing left pending.
describe('transactions with one round trip less', () => {
  let db: Db;
  let close: () => Promise<void>;
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  before(async () => {
    ({ db, close } = await migratedDb());
    await sql`create table tx_probe (v int)`.execute(db);
    pg.Client.prototype.query = function (this: pg.Client, q: unknown, ...rest: unknown[]) {
      sent.push(typeof q === 'string' ? q : (q as { text: string }).text);
      return (query as (...a: unknown[]) => unknown).call(this, q, ...rest);
    } as typeof query;
  });
  after(async () => {
    pg.Client.prototype.query = query;
    await close();
  });
  const count = async () => Number((await sql<{ n: string }>`select count(*) as n from tx_probe`.execute(db)).rows[0].n);

  it('a community transaction: BEGIN and the tenant in one statement, the tenant and role in force', async () => {
    const id = '3f1c5b1e-8d2a-4c6e-9b7a-0a1b2c3d4e5f';
    sent.length = 0;
    const seen = await withCommunity(db, id, async (tx) =>
      (await sql<{ c: string; r: string; x: string }>`select current_setting('app.community_id') as c, current_user as r, ${'x'}::text as x`.execute(tx)).rows[0]);
    assert.deepEqual(seen, { c: id, r: 'citydesk_app', x: 'x' });
    assert.equal(sent.length, 3, sent.join('\n'));
    assert.match(sent[0], /^begin; select set_config\('app.community_id', '3f1c5b1e-/);
    assert.equal(sent[2], 'commit');
    // Outside the transaction the setting and the role are gone.
    const outside = (await sql<{ c: string; r: string }>`select coalesce(current_setting('app.community_id', true), '') as c, current_user as r`.execute(db)).rows[0];
    assert.equal(outside.c, '');
    assert.notEqual(outside.r, 'citydesk_app');
    await assert.rejects(withCommunity(db, "x'); drop table tx_probe; --", async () => 1), /not a community id/);
  });

  it('commits and rolls back as before, also when the first statement has parameters or there is none', async () => {
    await withSystem(db, (tx) => sql`insert into tx_probe values (${1})`.execute(tx));
    assert.equal(await count(), 1);
    await assert.rejects(withSystem(db, async (tx) => {
      await sql`insert into tx_probe values (${2})`.execute(tx);
      throw new Error('changed my mind');
    }), /changed my mind/);
    assert.equal(await count(), 1, 'rolled back');
    await assert.rejects(withSystem(db, (tx) => sql`insert into tx_probe values (${'not a number'})`.execute(tx)));
    sent.length = 0;
    assert.equal(await withSystem(db, async () => 'nothing asked'), 'nothing asked');
    assert.deepEqual(sent, [], 'an empty transaction sends neither BEGIN nor COMMIT');
    // The pool's connections hold no transaction afterwards: a plain statement is on its own.
    await Promise.all(Array.from({ length: 5 }, () => sql`insert into tx_probe values (3)`.execute(db)));
    const open = await sql<{ n: string }>`select count(*) as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`.execute(db);
    assert.equal(open.rows[0].n, '0');
    assert.equal(await count(), 6);
  });

  it('work asked for after commit starts once the transaction has committed, and never after a rollback', async () => {
    const id = '3f1c5b1e-8d2a-4c6e-9b7a-0a1b2c3d4e5f';
    const seen: string[] = [];
    await withCommunity(db, id, async (tx) => {
      afterCommit(tx, (d) => void seen.push(d === db ? 'committed' : 'other db'));
      afterCommit(tx, () => void seen.push('second'));
      assert.deepEqual(seen, [], 'not inside the transaction');
    });
    assert.deepEqual(seen, ['committed', 'second']);
    await assert.rejects(withCommunity(db, id, async (tx) => {
      afterCommit(tx, () => void seen.push('rolled back'));
      throw new Error('no');
    }), /no/);
    assert.deepEqual(seen, ['committed', 'second']);
  });

  it('a registered statement is prepared once per connection and then only bound; others are sent as text', async () => {
    const text = prepared('select $1::int + 1 as n, (select count(*) from pg_prepared_statements where statement = $2) as prepared_here');
    const registered = (v: number) => withSystem(db, async (tx) => (await tx.executeQuery<{ n: number; prepared_here: string }>(CompiledQuery.raw(text, [v, text]))).rows[0]);
    // The first call on a connection prepares it as it runs; from then on it is there.
    const first = await registered(1);
    assert.equal(first.n, 2);
    const again = await Promise.all(Array.from({ length: 4 }, (_, i) => registered(i)));
    assert.deepEqual(again.map((r) => r.n), [1, 2, 3, 4], 'parameters bound afresh each time');
    assert.ok(again.some((r) => r.prepared_here === '1'), JSON.stringify(again));
    const plain = 'select count(*) as n from pg_prepared_statements where statement = $1';
    const other = await withSystem(db, async (tx) => (await tx.executeQuery<{ n: string }>(CompiledQuery.raw(plain, [plain]))).rows[0].n);
    assert.equal(other, '0', 'an unregistered text is not prepared');
  });
});
