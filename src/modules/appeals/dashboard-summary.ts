import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';

// Per-day figures of the period dashboard (migration 014). A local day of the community is
// [mid(d), mid(d + 1)) with mid(d) = `d::timestamp at time zone tz`, the same in every query
// here, so a day's figures are exactly those of the appeals registered in that range.
//
// What keeps them right:
// - a change of a figure's column, a bad rating, or a back-dated filing appends the instant it
//   concerns to appeal_dash_dirty in its own transaction (row triggers of migration 014); the
//   refresh recomputes those days, in the reader's transaction, before it reads;
// - "missed target" of an appeal without result depends on the clock: a day records the window
//   of `now()` in which its stored count holds (appeal_dash_days) and is recomputed outside it;
// - days of the last SEAL_LAG (and today) are never stored: ordinary filings write nothing, and
//   these days are counted directly from the covering index (migration 010). A filing missing
//   from a stored day would need a filing transaction that began 50 minutes before the day was
//   stored and committed after it (the trigger records back-dated rows older than 10 minutes).

const SEAL_LAG = '1 hour';
/** First key of the advisory lock that serialises refreshes of one community. */
const LOCK = 7_140_014;

export type SummaryState = { community: string; timeZone: string; sealedUntil: Date };

const mid = (day: ReturnType<typeof sql>, tz: string) => sql`((${day})::timestamp at time zone ${tz})`;

/** Brings the community's summary up to date (if needed) and returns where it ends. */
export async function refreshSummary(tx: Tx): Promise<SummaryState> {
  const probe = async () => (await sql<{ community: string; tz: string; stz: string | null; sealed_until: Date | null; target: Date; dirty: boolean; stale: boolean }>`
    select c.id as community, c.time_zone as tz, s.time_zone as stz, s.sealed_until,
      ((((now() - interval '${sql.raw(SEAL_LAG)}') at time zone c.time_zone)::date)::timestamp at time zone c.time_zone) as target,
      exists (select 1 from appeal_dash_dirty x where x.community_id = c.id) as dirty,
      exists (select 1 from appeal_dash_days d where d.community_id = c.id and not (now() > d.valid_after and now() <= d.valid_until)) as stale
    from communities c left join appeal_dash_state s on s.community_id = c.id
    where c.id = nullif(current_setting('app.community_id', true), '')::uuid`.execute(tx)).rows[0];
  let r = await probe();
  if (!r) throw new Error('periodDashboard: no community in this transaction');
  // A reader whose transaction began earlier may find the summary sealed further: never back.
  const fresh = () => r.stz === r.tz && r.sealed_until!.getTime() >= r.target.getTime() && !r.dirty && !r.stale;
  if (fresh()) return { community: r.community, timeZone: r.tz, sealedUntil: r.sealed_until! };
  // One refresh at a time; the second reader waits, then finds the work done (each statement
  // of a READ COMMITTED transaction sees what committed before it).
  await sql`select pg_advisory_xact_lock(${LOCK}, hashtext(${r.community}))`.execute(tx);
  r = await probe();
  if (fresh()) return { community: r.community, timeZone: r.tz, sealedUntil: r.sealed_until! };
  await sql`set local work_mem = '64MB'`.execute(tx);
  if (r.stz !== r.tz || !r.sealed_until) await build(tx, r.community, r.tz, r.target);
  else await catchUp(tx, r.community, r.tz, r.sealed_until, r.target);
  const sealedUntil = r.stz === r.tz && r.sealed_until && r.sealed_until > r.target ? r.sealed_until : r.target;
  return { community: r.community, timeZone: r.tz, sealedUntil };
}

/** The whole summary from scratch: the first read, a new time zone, or after a bulk load. */
async function build(tx: Tx, community: string, tz: string, target: Date) {
  for (const t of ['appeal_dash_figures', 'appeal_dash_repeats', 'appeal_dash_pairs', 'appeal_dash_days', 'appeal_dash_dirty', 'appeal_dash_state']) {
    await sql`delete from ${sql.table(t)} where community_id = ${community}`.execute(tx);
  }
  const first = (await sql<{ d: string | null; last: string }>`
    select to_char(least(
      (select (min(created_at) at time zone ${tz})::date - 1 from appeals where community_id = ${community}),
      (select (min(at) at time zone ${tz})::date - 1 from appeal_events where community_id = ${community} and kind = 'rate_bad')), 'YYYY-MM-DD') as d,
      to_char((${target}::timestamptz at time zone ${tz})::date - 1, 'YYYY-MM-DD') as last`.execute(tx)).rows[0];
  if (first.d && first.d <= first.last) {
    const days = (await sql<{ d: string }>`select to_char(d, 'YYYY-MM-DD') as d from generate_series(${first.d}::date, ${first.last}::date, interval '1 day') d`.execute(tx)).rows.map((x) => x.d);
    await recompute(tx, community, tz, days, days);
  }
  await sql`insert into appeal_dash_state (community_id, time_zone, sealed_until) values (${community}, ${tz}, ${target})`.execute(tx);
}

/** Days changed since the last refresh, days whose clock window passed, and newly sealed days. */
async function catchUp(tx: Tx, community: string, tz: string, sealedUntil: Date, target: Date) {
  const dirty = (await sql<{ d: string }>`
    with gone as (delete from appeal_dash_dirty where community_id = ${community} returning at),
    days as (
      select distinct (select max(c) from (values (l - 1), (l), (l + 1)) v(c) where ${mid(sql`c`, tz)} <= g.at) as day
      from (select at, (at at time zone ${tz})::date as l from gone) g
    )
    select to_char(day, 'YYYY-MM-DD') as d from days where ${mid(sql`day`, tz)} < ${sealedUntil}::timestamptz and ${mid(sql`day + 1`, tz)} <= ${sealedUntil}::timestamptz`.execute(tx)).rows.map((x) => x.d);
  const stale = (await sql<{ d: string }>`
    select to_char(day, 'YYYY-MM-DD') as d from appeal_dash_days
    where community_id = ${community} and not (now() > valid_after and now() <= valid_until)`.execute(tx)).rows.map((x) => x.d);
  const sealed = target > sealedUntil
    ? (await sql<{ d: string }>`
        select to_char(d, 'YYYY-MM-DD') as d from generate_series((${sealedUntil}::timestamptz at time zone ${tz})::date, (${target}::timestamptz at time zone ${tz})::date - 1, interval '1 day') d`.execute(tx)).rows.map((x) => x.d)
    : [];
  const withRepeats = [...new Set([...dirty, ...sealed])];
  const all = [...new Set([...withRepeats, ...stale])];
  if (all.length) await recompute(tx, community, tz, all, withRepeats);
  if (target > sealedUntil) await sql`update appeal_dash_state set sealed_until = ${target} where community_id = ${community}`.execute(tx);
}

/** Recomputes the figures of `days` (and the repeats of `repeatDays`) and their months. */
async function recompute(tx: Tx, community: string, tz: string, days: string[], repeatDays: string[]) {
  const d = sql`d as materialized (
      select day, ${mid(sql`day`, tz)} as t0, ${mid(sql`day + 1`, tz)} as t1
      from unnest(${days}::date[]) as day)`;
  await sql`delete from appeal_dash_figures where community_id = ${community} and span = 'd' and start = any(${days}::date[])`.execute(tx);
  await sql`delete from appeal_dash_days where community_id = ${community} and day = any(${days}::date[])`.execute(tx);
  await sql`
    insert into appeal_dash_figures (community_id, span, start, dim, key, n, resolved, fast, missed, reopened, open)
    with ${d}, a as (
      select d.day, x.channel, x.type, x.status, x.category_id, x.executor_org_id, x.reopen_count,
        x.resolved_at is not null as resolved,
        coalesce(x.resolved_at - x.created_at <= interval '72 hours', false) as fast,
        coalesce(x.resolved_at, x.closed_at, now()) > x.service_due_at and x.type not in ('consultation', 'thanks') as missed
      from d cross join lateral (select x.channel, x.type, x.status, x.category_id, x.executor_org_id, x.reopen_count, x.resolved_at, x.closed_at, x.created_at, x.service_due_at
        from appeals x where x.community_id = ${community} and x.created_at >= d.t0 and x.created_at < d.t1 offset 0) x
    )
    select ${community}::uuid, 'd', day,
      case when grouping(channel) = 0 then 'channel' when grouping(type) = 0 then 'type' when grouping(status) = 0 then 'status'
           when grouping(category_id) = 0 then 'category' when grouping(executor_org_id) = 0 then 'executor' else 'all' end,
      coalesce(channel, type, status, category_id::text, executor_org_id::text, ''),
      count(*), count(*) filter (where resolved), count(*) filter (where resolved and fast), count(*) filter (where missed),
      coalesce(sum(reopen_count), 0), count(*) filter (where status in ('registered', 'in_progress', 'reopened'))
    from a group by grouping sets ((day, channel), (day, type), (day, status), (day, category_id), (day, executor_org_id), (day))
    union all
    select ${community}::uuid, 'd', d.day, 'bad', x.executor_org_id::text, count(*), 0, 0, 0, 0, 0
    from d cross join lateral (select e.appeal_id from appeal_events e where e.community_id = ${community} and e.kind = 'rate_bad' and e.at >= d.t0 and e.at < d.t1 offset 0) e
      join appeals x on x.community_id = ${community} and x.id = e.appeal_id
    group by d.day, x.executor_org_id`.execute(tx);
  // The clock window in which each day's "missed" count holds: its appeals without a result
  // are missed once now() passes their target.
  await sql`
    insert into appeal_dash_days (community_id, day, valid_after, valid_until)
    with ${d}
    select ${community}::uuid, d.day,
      coalesce(max(x.service_due_at) filter (where now() > x.service_due_at), '-infinity'),
      coalesce(min(x.service_due_at) filter (where now() <= x.service_due_at), 'infinity')
    from d cross join lateral (select x.service_due_at from appeals x where x.community_id = ${community} and x.created_at >= d.t0 and x.created_at < d.t1
      and x.resolved_at is null and x.closed_at is null and x.type not in ('consultation', 'thanks') offset 0) x
    group by d.day`.execute(tx);
  if (repeatDays.length) {
    await sql`delete from appeal_dash_repeats where community_id = ${community} and span = 'd' and start = any(${repeatDays}::date[])`.execute(tx);
    await sql`
      with d as materialized (select day, ${mid(sql`day`, tz)} as t0, ${mid(sql`day + 1`, tz)} as t1 from unnest(${repeatDays}::date[]) as day),
      c as materialized (
        select d.day, lower(trim(x.address)) as address, x.category_id, count(*)::int as n
        from d cross join lateral (select x.address, x.category_id from appeals x where x.community_id = ${community} and x.created_at >= d.t0 and x.created_at < d.t1
          and x.address is not null and x.type not in ('consultation', 'thanks') offset 0) x
        group by 1, 2, 3),
      added as (
        insert into appeal_dash_pairs (community_id, address, category_id) select distinct ${community}::uuid, address, category_id from c
        on conflict do nothing returning id, address, category_id),
      p as (select id, address, category_id from appeal_dash_pairs where community_id = ${community} union all select id, address, category_id from added)
      insert into appeal_dash_repeats (community_id, span, start, pairs, counts)
      select ${community}::uuid, 'd', c.day, array_agg(p.id order by p.id), array_agg(c.n order by p.id)
      from c join p on p.address = c.address and p.category_id = c.category_id
      group by c.day`.execute(tx);
  }
  await rollUpMonths(tx, community, [...new Set(days.map(monthOf))], [...new Set(repeatDays.map(monthOf))]);
}

const monthOf = (day: string) => `${day.slice(0, 7)}-01`;

/** A month's rows are the sums of its days' rows (used only for months wholly in a period). */
async function rollUpMonths(tx: Tx, community: string, months: string[], repeatMonths: string[]) {
  if (months.length) {
    await sql`delete from appeal_dash_figures where community_id = ${community} and span = 'm' and start = any(${months}::date[])`.execute(tx);
    await sql`
      insert into appeal_dash_figures (community_id, span, start, dim, key, n, resolved, fast, missed, reopened, open)
      select ${community}::uuid, 'm', m.start, f.dim, f.key, sum(f.n), sum(f.resolved), sum(f.fast), sum(f.missed), sum(f.reopened), sum(f.open)
      from unnest(${months}::date[]) as m(start)
        join appeal_dash_figures f on f.community_id = ${community} and f.span = 'd' and f.start >= m.start and f.start < (m.start + interval '1 month')::date
      group by m.start, f.dim, f.key`.execute(tx);
  }
  if (repeatMonths.length) {
    await sql`delete from appeal_dash_repeats where community_id = ${community} and span = 'm' and start = any(${repeatMonths}::date[])`.execute(tx);
    await sql`
      insert into appeal_dash_repeats (community_id, span, start, pairs, counts)
      select ${community}::uuid, 'm', m, array_agg(p order by p), array_agg(n order by p)
      from (
        select m.start as m, u.p, sum(u.c)::int as n
        from unnest(${repeatMonths}::date[]) as m(start)
          join appeal_dash_repeats r on r.community_id = ${community} and r.span = 'd' and r.start >= m.start and r.start < (m.start + interval '1 month')::date
          cross join lateral unnest(r.pairs, r.counts) as u(p, c)
        group by 1, 2) s
      group by m`.execute(tx);
  }
}

/** The whole local days of [from, to) that the summary holds, as blocks: whole months and
 * single days. null when there is none; `t0`/`t1` are the instants they cover. */
export type Blocks = { t0: Date; t1: Date; firstDay: string; lastDay: string; monthFrom: string; monthTo: string };

export async function summaryBlocks(tx: Tx, s: SummaryState, from: Date, to: Date): Promise<Blocks | null> {
  const r = (await sql<{ first: string | null; last: string | null; t0: Date | null; t1: Date | null }>`
    with k as (select ${from}::timestamptz as f, least(${to}::timestamptz, ${s.sealedUntil}::timestamptz) as t),
    c as (select f, t, (f at time zone ${s.timeZone})::date as cf, (t at time zone ${s.timeZone})::date as ct from k),
    b as (select
      (select min(v) from (values (cf - 1), (cf), (cf + 1)) x(v) where ${mid(sql`v`, s.timeZone)} >= f) as first,
      (select max(v) from (values (ct - 2), (ct - 1), (ct)) x(v) where ${mid(sql`v + 1`, s.timeZone)} <= t) as last
      from c)
    select to_char(first, 'YYYY-MM-DD') as first, to_char(last, 'YYYY-MM-DD') as last,
      ${mid(sql`first`, s.timeZone)} as t0, ${mid(sql`last + 1`, s.timeZone)} as t1
    from b where first <= last`.execute(tx)).rows[0];
  if (!r?.first || !r.last) return null;
  // Whole months inside [first, last]: from the first month start >= first to the month of last + 1.
  const next = addDays(r.last, 1);
  const monthFrom = r.first.endsWith('-01') ? r.first : addMonth(monthOf(r.first));
  const monthTo = monthOf(next);
  return { t0: r.t0!, t1: r.t1!, firstDay: r.first, lastDay: r.last, ...(monthFrom < monthTo ? { monthFrom, monthTo } : { monthFrom: next, monthTo: next }) };
}

function addDays(day: string, n: number) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
function addMonth(first: string) {
  const [y, m] = first.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/** The SQL condition on (span, start) that selects exactly the blocks. */
export const blockFilter = (b: Blocks) => sql`(
  (span = 'm' and start >= ${b.monthFrom}::date and start < ${b.monthTo}::date)
  or (span = 'd' and start >= ${b.firstDay}::date and start < ${b.monthFrom}::date)
  or (span = 'd' and start >= greatest(${b.monthTo}::date, ${b.firstDay}::date) and start <= ${b.lastDay}::date))`;

export type SummaryRow = { dim: string; key: string; n: number; resolved: number; fast: number; missed: number; reopened: number; open: number };

export async function summaryFigures(tx: Tx, s: SummaryState, b: Blocks): Promise<SummaryRow[]> {
  return (await sql<SummaryRow>`
    select dim, key, sum(n)::int as n, sum(resolved)::int as resolved, sum(fast)::int as fast, sum(missed)::int as missed,
      sum(reopened)::int as reopened, sum(open)::int as open
    from appeal_dash_figures where community_id = ${s.community} and ${blockFilter(b)}
    group by dim, key`.execute(tx)).rows;
}
