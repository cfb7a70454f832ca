import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migratedDb } from '../../test/harness.ts';
import { withCommunity, withSystem, type Db } from '../../db/db.ts';
import { nextNumber } from './numbering.ts';

// Registration numbers come from a sequence per community and year (decision 0004): unique
// under concurrency, per community, after numbers given elsewhere, never across tenants.

describe('registration numbers', () => {
  let db: Db;
  let close: () => Promise<void>;
  let a = '';
  let b = '';

  before(async () => {
    ({ db, close } = await migratedDb());
    const made = await sql<{ id: string }>`
      insert into communities (slug, names, default_lang, time_zone, calendar)
      values ('numbers-a', '{"uk":"А","en":"A","fa":"A"}', 'uk', 'Europe/Kyiv', 'gregorian'),
             ('numbers-b', '{"uk":"Б","en":"B","fa":"B"}', 'uk', 'Europe/Kyiv', 'gregorian')
      returning id`.execute(db);
    [a, b] = made.rows.map((r) => r.id);
  });
  after(() => close());

  it('gives every concurrent filing its own number, also for the year’s first ones', async () => {
    const numbers = await Promise.all(Array.from({ length: 40 }, () => withCommunity(db, a, (tx) => nextNumber(tx, a, 2031))));
    assert.equal(new Set(numbers).size, 40);
    assert.deepEqual([...numbers].sort(), Array.from({ length: 40 }, (_, i) => `2031-${String(i + 1).padStart(6, '0')}`));
  });

  it('counts each community and year on its own', async () => {
    assert.equal(await withCommunity(db, b, (tx) => nextNumber(tx, b, 2031)), '2031-000001');
    assert.equal(await withCommunity(db, a, (tx) => nextNumber(tx, a, 2032)), '2032-000001');
  });

  it('continues after numbers given elsewhere (an imported journal)', async () => {
    await withSystem(db, (tx) => sql`insert into appeal_counters (community_id, year, last) values (${b}, 2031, 500)`.execute(tx));
    assert.equal(await withCommunity(db, b, (tx) => nextNumber(tx, b, 2031)), '2031-000501');
    assert.equal(await withCommunity(db, b, (tx) => nextNumber(tx, b, 2031)), '2031-000502');
  });

  it('refuses another community’s numbers inside a community’s transaction', async () => {
    await assert.rejects(withCommunity(db, a, (tx) => nextNumber(tx, b, 2031)), /not this transaction's community/);
  });
});
