import { sql } from 'kysely';
import type { Tx } from '../db/db.ts';

/**
 * A year of appeals for a demo community, in the proportions of seed 004 (Ivano-Frankivsk
 * "15-80", Q3 2020: 8,776 a quarter — phone 97.3 %, Facebook 2.0 %, internet 0.4 %, oral
 * 0.15 %, thanks 0.13 %; 90 % resolved within three days; about 300 on control), so that
 * dashboards and digests show real figures from the first start. Generated in SQL with a fixed
 * seed: the same demo every time, in a couple of seconds. The benchmark uses it for its
 * million appeals (`bench/scenarios/appeals-dashboard.ts`); numbers continue the counter.
 */
export type DemoWords = { description: string; street: string; resident: string; phonePrefix: string };

export async function loadDemoAppeals(tx: Tx, communityId: string, count: number, words: DemoWords, now = new Date()): Promise<number> {
  await sql`select setseed(0.42)`.execute(tx);
  await sql`
    with cats as (
      select row_number() over (order by code) - 1 as i, id, executor_org_id, service_hours, legal_days,
             count(*) over () as n
      from appeal_categories where community_id = ${communityId} and archived_at is null
    ),
    raw as (
      select g,
             ${now}::timestamptz - (random() * interval '365 days') as created_at,
             random() as r_channel, random() as r_type, random() as r_cat, random() as r_speed, random() as r_state,
             random() as r_rate, random() as r_named
      from generate_series(1, ${count}) g
    ),
    shaped as (
      select raw.*, c.id as category_id, c.executor_org_id, c.service_hours, c.legal_days,
        case when r_channel < 0.9727 then 'phone' when r_channel < 0.9931 then 'facebook'
             when r_channel < 0.9973 then 'web' when r_channel < 0.9988 then 'walk_in' else 'phone' end as channel,
        case when r_channel >= 0.9988 then 'thanks' when r_type < 0.22 then 'consultation' when r_type < 0.80 then 'statement'
             when r_type < 0.95 then 'complaint' else 'proposal' end as type,
        -- hours to resolve: 90 % within three days, a long tail after
        case when r_speed < 0.90 then r_speed / 0.90 * 72 else 72 + (r_speed - 0.90) * 10 * 1400 end as hours_to_resolve
      from raw join cats c on c.i = floor(raw.r_cat * c.n)
    ),
    -- Numbers in order of registration, as the journal would have them, after any the
    -- community already has that year (the counter continues below).
    numbered as (
      select shaped.*, extract(year from created_at)::int as y,
             coalesce(k.last, 0) + row_number() over (partition by extract(year from created_at) order by created_at, g) as seq
      from shaped left join appeal_counters k on k.community_id = ${communityId} and k.year = extract(year from created_at)::int
    ),
    inserted as (
    insert into appeals (community_id, number, type, channel, status, category_id, description, address,
      applicant_name, applicant_phone, notify_via, anonymous, executor_org_id, legal_days, legal_due_at, service_due_at,
      on_control, reopen_count, rating, accepted_at, reported_at, resolved_at, closed_at, created_at, updated_at)
    select ${communityId}, y || '-' || lpad(seq::text, greatest(6, length(seq::text)), '0'), type, channel,
      case when type in ('consultation', 'thanks') then 'closed'
           when created_at + make_interval(hours => hours_to_resolve::int) > ${now}::timestamptz then
             (case when r_state < 0.4 then 'registered' when r_state < 0.85 then 'in_progress' else 'reported' end)
           else 'resolved' end,
      category_id,
      ${words.description} || ' ' || g,
      ${words.street} || ' ' || (1 + (g % 120)),
      case when r_named < 0.8 then ${words.resident} || ' ' || g end,
      case when r_named < 0.8 then ${words.phonePrefix} || lpad((1000000 + g)::text, 7, '0') end,
      'none',
      r_named >= 0.8 or type in ('consultation', 'thanks'),
      executor_org_id,
      case when r_named < 0.8 and type in ('statement', 'complaint', 'proposal') then legal_days end,
      case when r_named < 0.8 and type in ('statement', 'complaint', 'proposal') then date_trunc('day', created_at) + make_interval(days => legal_days + 1) - interval '1 ms' end,
      created_at + make_interval(hours => service_hours),
      false,
      case when r_rate < 0.03 then 1 else 0 end,
      case when r_rate < 0.5 and r_rate >= 0.03 then 3 + (g % 3) when r_rate < 0.03 then 4 end,
      created_at + make_interval(mins => 20 + (g % 90)),
      created_at + make_interval(hours => hours_to_resolve::int),
      case when type not in ('consultation', 'thanks') and created_at + make_interval(hours => hours_to_resolve::int) <= ${now}::timestamptz
           then created_at + make_interval(hours => hours_to_resolve::int + 2) end,
      case when type in ('consultation', 'thanks') then created_at end,
      created_at, created_at
    from numbered
    returning id, created_at, number
    ),
    -- The timeline's first entry, from the rows just inserted (one statement, no second scan).
    events as (
      insert into appeal_events (community_id, appeal_id, kind, to_status, actor_type, at)
      select ${communityId}, id, 'registered', 'registered', 'system', created_at from inserted
    )
    insert into appeal_counters (community_id, year, last)
    select ${communityId}, split_part(number, '-', 1)::int, max(split_part(number, '-', 2)::int) from inserted group by 2
    on conflict (community_id, year) do update set last = greatest(appeal_counters.last, excluded.last)`.execute(tx);
  // About 300 on control: the oldest open ones.
  await sql`
    update appeals set on_control = true where id in (
      select id from appeals where community_id = ${communityId} and status in ('registered', 'in_progress', 'reopened')
      order by created_at limit 300)`.execute(tx);
  // The dashboard's summary (migration 014) is rebuilt from these rows on its next read: the
  // benchmark loads them with triggers off, and one rebuild is cheaper than a day per row.
  await sql`delete from appeal_dash_state where community_id = ${communityId}`.execute(tx);
  return count;
}
