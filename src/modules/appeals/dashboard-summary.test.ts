import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { startTestApp } from '../../test/harness.ts';
import { withCommunity } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import type { Community } from '../communities/service.ts';
import { fileAppeal } from './service.ts';
import { periodDashboard, periodDashboardDirect, type Period } from './dashboard.ts';
import { localDate, zonedTimeToUtc } from './deadlines.ts';

// The dashboard from the per-day summary (migration 014) must give exactly the figures counted
// from the appeals themselves, for any period, after any change. Both are read in one
// transaction, so "now" (missed targets, overdue) is the same for both.

const DAY = 86400_000;

describe('the dashboard summary gives exactly the direct figures', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const communities: Community[] = [];

  before(async () => {
    app = await startTestApp({ CITYDESK_WORKER: 'false' });
    for (const slug of ['zelenodolsk', 'khomein']) communities.push((await app.app.communities.bySlug(slug))!);
  });
  after(() => app.close());

  const both = (c: Community, p: Period) => withCommunity(app.app.db, c.id, async (tx) => [await periodDashboard(tx, p), await periodDashboardDirect(tx, p)] as const);
  const at = (c: Community, day: string, plus = 0) => {
    const [y, m, d] = day.split('-').map(Number);
    return zonedTimeToUtc(y, m, d + plus, 0, 0, c.time_zone);
  };
  const today = (c: Community) => localDate(new Date(), c.time_zone);
  const dayBefore = (c: Community, n: number) => localDate(new Date(Date.now() - n * DAY), c.time_zone);

  /** Day-aligned periods as the console and the digest ask (from 00:00 of the first day to
   * 00:00 after the last, local), some with today, some in the future, and periods cut at
   * arbitrary instants (the newsroom's "last 7 days"). */
  function periods(c: Community): Array<[string, Period]> {
    const out: Array<[string, Period]> = [];
    const t = today(c);
    out.push(['today', { from: at(c, t), to: at(c, t, 1) }]);
    out.push(['last 90 days', { from: at(c, dayBefore(c, 90)), to: at(c, t, 1) }]);
    out.push(['everything', { from: new Date('2000-01-01'), to: new Date('2100-01-01') }]);
    out.push(['the last 7 × 24 h', { from: new Date(Date.now() - 7 * DAY), to: new Date() }]);
    out.push(['future', { from: at(c, t, 2), to: at(c, t, 40) }]);
    for (let i = 1; i <= 130; i += 3) out.push([`the day ${i} days ago`, { from: at(c, dayBefore(c, i)), to: at(c, dayBefore(c, i), 1) }]);
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let i = 0; i < 25; i++) {
      const a = rnd(140);
      const b = rnd(a + 1);
      out.push([`days ${a}…${b} ago`, { from: at(c, dayBefore(c, a)), to: at(c, dayBefore(c, b), 1) }]);
    }
    for (let i = 0; i < 6; i++) {
      const a = Date.now() - rnd(140) * DAY - rnd(86400) * 1000;
      out.push([`instants ${i}`, { from: new Date(a), to: new Date(a + rnd(60) * DAY + rnd(86400) * 1000) }]);
    }
    return out;
  }

  async function compareAll(what: string) {
    for (const c of communities) {
      for (const [name, p] of periods(c)) {
        const [summary, direct] = await both(c, p);
        assert.deepEqual(summary, direct, `${what}: ${c.slug}, ${name}`);
      }
    }
  }

  /** A few thousand varied appeals over the last 140 days: every type, channel and status,
   * results within and after three days, targets passed and still ahead, reopenings, a few
   * addresses written in different ways, and appeals registered at local midnight ± 1 ms. */
  async function generate(c: Community, count: number, seed: number) {
    await withCommunity(app.app.db, c.id, async (tx) => {
      await sql`select setseed(${seed})`.execute(tx);
      await sql`
        with cats as (select row_number() over (order by code) - 1 as i, id, executor_org_id, count(*) over () as n from appeal_categories where archived_at is null),
        raw as (
          select g, random() as r1, random() as r2, random() as r3, random() as r4, random() as r5, random() as r6, random() as r7,
            case when g % 10 = 0
              then (((now() at time zone ${c.time_zone})::date - (g % 130))::timestamp at time zone ${c.time_zone}) + ((g / 10 % 3) - 1) * interval '1 millisecond'
              else now() - random() * interval '140 days' end as created_at
          from generate_series(1, ${count}) g),
        shaped as (
          select raw.*, cats.id as category_id, cats.executor_org_id,
            (array['proposal', 'statement', 'complaint', 'consultation', 'thanks'])[1 + floor(r1 * 5)] as type,
            (array['phone', 'web', 'email', 'messenger', 'facebook', 'walk_in', 'open311'])[1 + floor(r2 * 7)] as channel,
            (array['registered', 'in_progress', 'reported', 'reopened', 'resolved', 'closed'])[1 + floor(r3 * 6)] as st
          from raw join cats on cats.i = floor(raw.r4 * cats.n))
        insert into appeals (community_id, number, type, channel, status, category_id, description, address, anonymous, executor_org_id,
          service_due_at, resolved_at, closed_at, reopen_count, on_control, legal_due_at, created_at, updated_at)
        select ${c.id}, 'S' || ${seed} || '-' || g, type, channel,
          case when type in ('consultation', 'thanks') then 'closed' else st end,
          category_id, 'test', 
          case when r5 < 0.1 then null else (array['вул. Тестова, 1', ' ВУЛ. Тестова, 1 ', 'вул. Садова, 2', 'вул. Садова, 3', 'خیابان آزادی، ۱', 'пл. Ринок, 1'])[1 + floor(r5 * 6)] end,
          true, executor_org_id,
          created_at + (r6 * 200 - 20) * interval '1 hour',
          case when type not in ('consultation', 'thanks') and st = 'resolved' then created_at + r7 * 150 * interval '1 hour' end,
          case when type in ('consultation', 'thanks') then created_at when st = 'closed' then created_at + r7 * 100 * interval '1 hour' end,
          case when r6 < 0.1 then 1 + floor(r7 * 2) else 0 end, r5 > 0.95,
          case when r6 < 0.5 then created_at + interval '15 days' end,
          created_at, created_at
        from shaped`.execute(tx);
      // Bad ratings on some of them, given on a later day.
      await sql`
        insert into appeal_events (community_id, appeal_id, kind, from_status, to_status, actor_type, at)
        select community_id, id, 'rate_bad', 'reported', 'reopened', 'system', least(now() - interval '2 hours', created_at + (abs(hashtext(number)) % 100) * interval '1 hour')
        from appeals where number like ${`S${seed}-%`} and abs(hashtext(number)) % 9 = 0`.execute(tx);
    });
  }

  /** Changes after filing, as the desk makes them: results, reopenings with a bad rating,
   * reassignment to another executor, another category, closing, a corrected registration time. */
  async function change(c: Community, seed: number) {
    await withCommunity(app.app.db, c.id, async (tx) => {
      const pick = (k: number) => sql`(select id from appeals where number like ${`S${seed}-%`} and abs(hashtext(number || ${k})) % 17 = 0)`;
      await sql`update appeals set status = 'resolved', resolved_at = created_at + interval '50 hours' where id in ${pick(1)} and type not in ('consultation', 'thanks')`.execute(tx);
      await sql`update appeals set status = 'reopened', resolved_at = null, reopen_count = reopen_count + 1 where id in ${pick(2)} and type not in ('consultation', 'thanks')`.execute(tx);
      await sql`insert into appeal_events (community_id, appeal_id, kind, actor_type, at) select community_id, id, 'rate_bad', 'system', created_at + interval '30 hours' from appeals where id in ${pick(2)} and created_at < now() - interval '3 days'`.execute(tx);
      await sql`update appeals a set executor_org_id = (select o.id from organisations o where o.id <> a.executor_org_id order by o.id limit 1) where id in ${pick(3)}`.execute(tx);
      await sql`update appeals a set category_id = (select k.id from appeal_categories k where k.id <> a.category_id order by k.id limit 1) where id in ${pick(4)}`.execute(tx);
      await sql`update appeals set status = 'closed', closed_at = created_at + interval '3 hours' where id in ${pick(5)} and status not in ('resolved', 'closed')`.execute(tx);
      await sql`update appeals set created_at = created_at - interval '13 days 5 hours' where id in ${pick(6)}`.execute(tx);
      await sql`update appeals set address = 'вул. Нова, 7' where id in ${pick(7)}`.execute(tx);
    });
    // The timeline is append-only for the application; the owner removes a bad rating.
    await sql`delete from appeal_events where community_id = ${c.id} and kind = 'rate_bad'
      and appeal_id in (select id from appeals where community_id = ${c.id} and number like ${`S${seed}-%`} and abs(hashtext(number || 8)) % 17 = 0)`.execute(app.app.db);
  }

  it('for any period, in Kyiv and in Tehran, before and after changes to the appeals', async () => {
    for (const [i, c] of communities.entries()) await generate(c, 2500, 0.1 + i / 10);
    await compareAll('filed');
    for (const [i, c] of communities.entries()) await change(c, 0.1 + i / 10);
    await compareAll('changed');
    // More filings dated in the past (an import): recorded by the trigger, counted at once.
    for (const [i, c] of communities.entries()) await generate(c, 400, 0.5 + i / 10);
    await compareAll('imported');
  });

  it('a filing and a status change show at once, also on a day already in the summary', async () => {
    const c = communities[0];
    const p = { from: at(c, dayBefore(c, 30)), to: at(c, today(c), 1) };
    const total = async () => (await both(c, p))[0].total;
    const before = await total();
    const cat = await withCommunity(app.app.db, c.id, (tx) => tx.selectFrom('appeal_categories').select('id').where('code', '=', 'water-leak').executeTakeFirstOrThrow());
    const appeal = await withCommunity(app.app.db, c.id, async (tx) => (await fileAppeal(
      { tx, queue: app.app.queue, actor: systemActor(c.id), community: c, secret: 's', followUrl: () => 'x', rateUrl: () => 'x' },
      { category_id: cat.id, description: 'Тече вода з труби біля школи', address: 'вул. Тестова, 1' }, { channel: 'phone', lang: 'uk' })).appeal);
    assert.equal(await total(), before + 1, 'filed today: counted at once');
    // Moved to a day the summary holds, then resolved: that day's figures follow right away.
    const day = dayBefore(c, 5);
    const dayP = { from: at(c, day), to: at(c, day, 1) };
    const [d0] = await both(c, dayP);
    await withCommunity(app.app.db, c.id, (tx) => sql`update appeals set created_at = ${new Date(at(c, day).getTime() + 3600_000)} where id = ${appeal.id}`.execute(tx));
    const [d1, d1direct] = await both(c, dayP);
    assert.equal(d1.total, d0.total + 1);
    assert.deepEqual(d1, d1direct);
    await withCommunity(app.app.db, c.id, (tx) => tx.updateTable('appeals').set({ status: 'resolved', resolved_at: new Date(at(c, day).getTime() + 7200_000) }).where('id', '=', appeal.id).execute());
    const [d2, d2direct] = await both(c, dayP);
    assert.equal(d2.resolved, d1.resolved + 1);
    assert.equal(d2.byStatus.resolved ?? 0, (d1.byStatus.resolved ?? 0) + 1);
    assert.deepEqual(d2, d2direct);
  });

  it('an open appeal of a stored day counts as missed once its target passes', async () => {
    const c = communities[0];
    const day = dayBefore(c, 3);
    const dayP = { from: at(c, day), to: at(c, day, 1) };
    const id = await withCommunity(app.app.db, c.id, async (tx) => {
      const a = await tx.selectFrom('appeals').select('id').where('number', 'like', 'S%').where('type', 'in', ['statement', 'complaint'])
        .where('created_at', '>=', dayP.from).where('created_at', '<', dayP.to).limit(1).executeTakeFirstOrThrow();
      await sql`update appeals set status = 'in_progress', resolved_at = null, closed_at = null, service_due_at = now() + interval '3 seconds' where id = ${a.id}`.execute(tx);
      return a.id;
    });
    const [s0, d0] = await both(c, dayP);
    assert.deepEqual(s0, d0);
    await sleep(3500);
    const [s1, d1] = await both(c, dayP);
    assert.deepEqual(s1, d1);
    const missed = (d: typeof s0) => d.executors.reduce((a, e) => a + e.missed, 0);
    assert.equal(missed(s1), missed(s0) + 1, `the target of ${id} passed`);
  });
});
