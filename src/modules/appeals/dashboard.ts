import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';

export type Period = { from: Date; to: Date };

export type Dashboard = {
  total: number;
  byChannel: Record<string, number>;
  byType: Record<string, number>;
  byStatus: Record<string, number>;
  byCategory: Array<{ id: string; names: Record<string, string>; icon: string; n: number }>;
  resolved: number;
  resolvedWithin3Days: number;
  onControl: number;
  overdueService: number;
  overdueLegal: number;
  repeated: Array<{ address: string; category_id: string; names: Record<string, string>; n: number }>;
  executors: Array<{ id: string; names: Record<string, string>; total: number; missed: number; reopened: number; badRatings: number; open: number }>;
};

/** Appeals of the period per combination of the figures' dimensions. */
type Row = {
  channel: string; type: string; status: string; category_id: string; executor_org_id: string; resolved: boolean; fast: boolean; missed: boolean;
  n: string; reopened: string;
};

/**
 * The period's figures, the ones the source report gives (total; by phone, internet, Facebook,
 * in person; thanks; share resolved within three days; number on control) and the ones
 * leadership asks for: overdue, repeated problems at one address, and executors ranked by
 * missed targets, reopenings and bad ratings ("red tape").
 * At a million appeals a year each pass over the period costs. Both passes read only a
 * covering index (migration 010), never the wide rows: one counts the appeals per
 * combination of channel, type, status, category, executor and the three yes/no figures — a
 * few thousand rows whatever the period — and the breakdowns are summed from those here; the
 * other counts per address and category for the repeats. Plain GROUP BYs, so PostgreSQL may
 * split each scan between parallel workers. The open appeals (overdue, on control) and the
 * bad ratings come from small partial indexes. Measured by `npm run bench -- appeals-dashboard`.
 */
export async function periodDashboard(tx: Tx, p: Period): Promise<Dashboard> {
  // The planner's guess of the number of combinations is far above the real few thousand, so
  // it would sort instead of hashing without more work_mem; and it prices the index-only scan
  // of the covering index as random reads of a spinning disk unless told the data is cached.
  await sql`set local work_mem = '32MB'`.execute(tx);
  await sql`set local random_page_cost = 1.1`.execute(tx);
  const combos = (await sql<Row>`
    select channel, type, status, category_id, executor_org_id, resolved, fast, missed, count(*) as n, coalesce(sum(reopen_count), 0) as reopened
    from (
      select channel, type, status, category_id, executor_org_id, reopen_count,
        resolved_at is not null as resolved,
        coalesce(resolved_at - created_at <= interval '72 hours', false) as fast,
        coalesce(resolved_at, closed_at, now()) > service_due_at and type not in ('consultation', 'thanks') as missed
      from appeals where created_at >= ${p.from} and created_at < ${p.to}
    ) a
    group by 1, 2, 3, 4, 5, 6, 7, 8`.execute(tx)).rows;
  const repeats = await sql<{ address: string; category_id: string; n: string }>`
    select lower(trim(address)) as address, category_id, count(*) as n
    from appeals where created_at >= ${p.from} and created_at < ${p.to} and address is not null and type not in ('consultation', 'thanks')
    group by 1, 2 having count(*) > 1 order by n desc limit 10`.execute(tx);
  const sum = (pick: (r: Row) => boolean) => combos.reduce((acc, r) => acc + (pick(r) ? Number(r.n) : 0), 0);
  const by = (key: (r: Row) => string) => {
    const m = new Map<string, number>();
    for (const r of combos) m.set(key(r), (m.get(key(r)) ?? 0) + Number(r.n));
    return m;
  };
  const categories = await tx.selectFrom('appeal_categories').select(['id', 'names', 'icon']).execute();
  const catById = new Map(categories.map((c) => [c.id, c]));
  const names = (id: string) => (catById.get(id)?.names ?? {}) as Record<string, string>;
  return {
    total: sum(() => true),
    byChannel: Object.fromEntries(by((r) => r.channel)),
    byType: Object.fromEntries(by((r) => r.type)),
    byStatus: Object.fromEntries(by((r) => r.status)),
    byCategory: [...by((r) => r.category_id)]
      .map(([id, n]) => ({ id, names: names(id), icon: catById.get(id)?.icon ?? '', n }))
      .sort((a, b) => b.n - a.n),
    resolved: sum((r) => r.resolved),
    resolvedWithin3Days: sum((r) => r.resolved && r.fast),
    ...(await openFigures(tx)),
    repeated: repeats.rows.map((r) => ({ ...r, n: Number(r.n), names: names(r.category_id) })),
    executors: await executors(tx, p, combos),
  };
}

/** Figures of the appeals open now, whatever the period: a partial index holds only them. */
async function openFigures(tx: Tx) {
  const r = (await sql<{ control: string; overdue_s: string; overdue_l: string }>`
    select count(*) filter (where on_control) as control,
      count(*) filter (where status <> 'reported' and service_due_at < now()) as overdue_s,
      count(*) filter (where legal_due_at < now()) as overdue_l
    from appeals where status in ('registered', 'in_progress', 'reported', 'reopened')`.execute(tx)).rows[0];
  return { onControl: Number(r.control), overdueService: Number(r.overdue_s), overdueLegal: Number(r.overdue_l) };
}

/** Executors with appeals in the period, ranked by missed targets, reopenings, bad ratings. */
async function executors(tx: Tx, p: Period, combos: Row[]): Promise<Dashboard['executors']> {
  const per = new Map<string, { total: number; missed: number; reopened: number; open: number }>();
  for (const r of combos) {
    const e = per.get(r.executor_org_id) ?? { total: 0, missed: 0, reopened: 0, open: 0 };
    const n = Number(r.n);
    e.total += n;
    if (r.missed) e.missed += n;
    e.reopened += Number(r.reopened);
    if (OPEN_AT_EXECUTOR.has(r.status)) e.open += n;
    per.set(r.executor_org_id, e);
  }
  if (!per.size) return [];
  const orgs = await tx.selectFrom('organisations').select(['id', 'names']).where('id', 'in', [...per.keys()]).execute();
  const bad = await sql<{ id: string; n: string }>`
    select x.executor_org_id as id, count(*) as n from appeal_events e join appeals x on x.id = e.appeal_id
    where e.kind = 'rate_bad' and e.at >= ${p.from} and e.at < ${p.to} group by 1`.execute(tx);
  const badById = new Map(bad.rows.map((b) => [b.id, Number(b.n)]));
  return orgs
    .map((o) => {
      const e = per.get(o.id)!;
      return { id: o.id, names: o.names as Record<string, string>, total: e.total, missed: e.missed, reopened: e.reopened, badRatings: badById.get(o.id) ?? 0, open: e.open };
    })
    .sort((a, b) => b.missed - a.missed || b.reopened - a.reopened || b.badRatings - a.badRatings);
}

/** Statuses in which the executor still has work to do. */
const OPEN_AT_EXECUTOR = new Set(['registered', 'in_progress', 'reopened']);
