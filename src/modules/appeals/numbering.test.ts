import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migratedDb } from '../../test/harness.ts';
import { withCommunity, withSystem, type Db, type Tx } from '../../db/db.ts';
import { registrationYear } from './numbering.ts';

/** One number from appeal_number() (migration 010), formatted as intake writes it: "2031-000001". */
const nextNumber = async (tx: Tx, communityId: string, year: number): Promise<string> =>
  (await sql<{ number: string }>`select ${String(year)} || '-' || lpad(n::text, greatest(6, length(n::text)), '0') as number from appeal_number(${communityId}, ${year}) as n`.execute(tx)).rows[0].number;

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

  // appeal_numbers (migration 022): a batch's numbers in one call, from the same sequence.
  const batch = (community: string, year: number, count: number) =>
    withCommunity(db, community, (tx) => sql<{ n: string }>`select n from appeal_numbers(${community}, ${year}, ${count}) as n`.execute(tx)).then((r) => r.rows.map((x) => Number(x.n)));

  it('gives a batch increasing numbers from the same sequence as single filings', async () => {
    const single = Number((await withCommunity(db, a, (tx) => nextNumber(tx, a, 2033))).slice(5));
    const numbers = await batch(a, 2033, 5);
    assert.deepEqual(numbers, [single + 1, single + 2, single + 3, single + 4, single + 5]);
    assert.equal(await withCommunity(db, a, (tx) => nextNumber(tx, a, 2033)), `2033-${String(single + 6).padStart(6, '0')}`);
    // Concurrent batches never share a number.
    const all = (await Promise.all(Array.from({ length: 8 }, () => batch(a, 2034, 25)))).flat();
    assert.equal(new Set(all).size, 200);
    assert.deepEqual(await batch(a, 2034, 0), []);
  });

  it('starts a batch past numbers given elsewhere, and keeps to its own community and limits', async () => {
    await withSystem(db, (tx) => sql`insert into appeal_counters (community_id, year, last) values (${b}, 2035, 900)`.execute(tx));
    assert.deepEqual(await batch(b, 2035, 3), [901, 902, 903]);
    await assert.rejects(withCommunity(db, a, (tx) => sql`select appeal_numbers(${b}, 2035, 1)`.execute(tx)), /not this transaction's community/);
    await assert.rejects(batch(a, 2035, 10_001), /too many/);
    await assert.rejects(batch(a, 1999, 1), /out of range/);
  });

  it('numbers an appeal in the community’s own year, not UTC’s', () => {
    // 22:30 UTC on 31 December is already 00:30 on 1 January in Kyiv, still 31 December in Lisbon.
    const at = new Date('2026-12-31T22:30:00Z');
    assert.equal(registrationYear(at, 'Europe/Kyiv'), 2027);
    assert.equal(registrationYear(at, 'Asia/Tehran'), 2027);
    assert.equal(registrationYear(at, 'Europe/Lisbon'), 2026);
  });
});
