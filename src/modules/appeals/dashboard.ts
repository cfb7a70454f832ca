import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import { blockFilter, refreshSummary, summaryBlocks, summaryFigures, type Blocks, type SummaryRow } from './dashboard-summary.ts';

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

/** Appeals of a range per combination of the figures' dimensions. */
type Row = {
  channel: string; type: string; status: string; category_id: string; executor_org_id: string; resolved: boolean; fast: boolean; missed: boolean;
  n: string; reopened: string;
};

/** The period's figures summed over its parts (whole days from the summary, the rest counted). */
type Acc = {
  total: number; resolved: number; fast: number;
  channel: Map<string, number>; type: Map<string, number>; status: Map<string, number>; category: Map<string, number>;
  executor: Map<string, { n: number; missed: number; reopened: number; open: number }>; bad: Map<string, number>;
};
const emptyAcc = (): Acc => ({ total: 0, resolved: 0, fast: 0, channel: new Map(), type: new Map(), status: new Map(), category: new Map(), executor: new Map(), bad: new Map() });
const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
const addExecutor = (acc: Acc, id: string, n: number, missed: number, reopened: number, open: number) => {
  const e = acc.executor.get(id) ?? { n: 0, missed: 0, reopened: 0, open: 0 };
  e.n += n; e.missed += missed; e.reopened += reopened; e.open += open;
  acc.executor.set(id, e);
};

/**
 * The period's figures, the ones the source report gives (total; by phone, internet, Facebook,
 * in person; thanks; share resolved within three days; number on control) and the ones
 * leadership asks for: overdue, repeated problems at one address, and executors ranked by
 * missed targets, reopenings and bad ratings ("red tape").
 * At a million appeals a year a pass over the period costs seconds, so the whole local days
 * come from the per-day (and per-month) summary of migration 014 (dashboard-summary.ts,
 * brought up to date first), and only the rest — today, the last hour, a period's edges that
 * are not local midnights — is counted from the covering index (migration 010). The appeals
 * open now (overdue, on control) come from a small partial index. `periodDashboardDirect`
 * counts everything from the appeals; the two give the same figures
 * (dashboard-summary.test.ts). Measured by `npm run bench -- appeals-dashboard`.
 */
export async function periodDashboard(tx: Tx, p: Period): Promise<Dashboard> {
  await tuning(tx);
  const s = await refreshSummary(tx);
  const blocks = p.from < p.to ? await summaryBlocks(tx, s, p.from, p.to) : null;
  const acc = emptyAcc();
  const rest: Period[] = blocks ? [{ from: p.from, to: blocks.t0 }, { from: blocks.t1, to: p.to }].filter((r) => r.from < r.to) : [p];
  if (blocks) addSummary(acc, await summaryFigures(tx, s, blocks));
  for (const r of rest) await countInto(acc, tx, r);
  return finish(tx, acc, await repeats(tx, blocks && { community: s.community, blocks }, rest));
}

/** The same figures counted from the appeals themselves, whatever the period (the reference). */
export async function periodDashboardDirect(tx: Tx, p: Period): Promise<Dashboard> {
  await tuning(tx);
  const acc = emptyAcc();
  await countInto(acc, tx, p);
  return finish(tx, acc, await repeats(tx, null, [p]));
}

async function tuning(tx: Tx) {
  // The planner's guess of the number of combinations is far above the real few thousand, so
  // it would sort instead of hashing without more work_mem; and it prices the index-only scan
  // of the covering index as random reads of a spinning disk unless told the data is cached.
  await sql`set local work_mem = '32MB'`.execute(tx);
  await sql`set local random_page_cost = 1.1`.execute(tx);
}

function addSummary(acc: Acc, rows: SummaryRow[]) {
  for (const r of rows) {
    if (r.dim === 'all') { acc.total += r.n; acc.resolved += r.resolved; acc.fast += r.fast; }
    else if (r.dim === 'executor') addExecutor(acc, r.key, r.n, r.missed, r.reopened, r.open);
    else if (r.dim === 'bad') add(acc.bad, r.key, r.n);
    else add(acc[r.dim as 'channel' | 'type' | 'status' | 'category'], r.key, r.n);
  }
}

/** One pass over the covering index for [from, to): the appeals per combination of channel,
 * type, status, category, executor and the three yes/no figures (a few thousand rows whatever
 * the range), and the bad ratings given in it from their partial index. */
async function countInto(acc: Acc, tx: Tx, p: Period) {
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
  for (const r of combos) {
    const n = Number(r.n);
    acc.total += n;
    if (r.resolved) acc.resolved += n;
    if (r.resolved && r.fast) acc.fast += n;
    add(acc.channel, r.channel, n);
    add(acc.type, r.type, n);
    add(acc.status, r.status, n);
    add(acc.category, r.category_id, n);
    addExecutor(acc, r.executor_org_id, n, r.missed ? n : 0, Number(r.reopened), OPEN_AT_EXECUTOR.has(r.status) ? n : 0);
  }
  const bad = await sql<{ id: string; n: string }>`
    select x.executor_org_id as id, count(*) as n from appeal_events e join appeals x on x.id = e.appeal_id
    where e.kind = 'rate_bad' and e.at >= ${p.from} and e.at < ${p.to} group by 1`.execute(tx);
  for (const b of bad.rows) add(acc.bad, b.id, Number(b.n));
}

/** The ten addresses with most appeals of one category (more than one), from the summary's
 * blocks and the ranges counted directly, in one aggregate. Ties: by address, then category. */
async function repeats(tx: Tx, summary: { community: string; blocks: Blocks } | null, rest: Period[]) {
  const parts = [
    ...(summary ? [sql`select p.address, p.category_id, u.n from (
        select t.p, sum(t.c) as n from appeal_dash_repeats r cross join lateral unnest(r.pairs, r.counts) as t(p, c)
        where r.community_id = ${summary.community} and ${blockFilter(summary.blocks)} group by t.p) u
      join appeal_dash_pairs p on p.community_id = ${summary.community} and p.id = u.p`] : []),
    ...rest.map((p) => sql`select lower(trim(address)) as address, category_id, 1 as n
      from appeals where created_at >= ${p.from} and created_at < ${p.to} and address is not null and type not in ('consultation', 'thanks')`),
  ];
  return (await sql<{ address: string; category_id: string; n: string }>`
    select address, category_id, sum(n) as n from (${sql.join(parts, sql` union all `)}) u
    group by 1, 2 having sum(n) > 1 order by 3 desc, 1, 2 limit 10`.execute(tx)).rows;
}

/** Counts by key, largest first (ties by key), as the page lists them. */
const ordered = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));

async function finish(tx: Tx, acc: Acc, rep: Array<{ address: string; category_id: string; n: string }>): Promise<Dashboard> {
  const categories = await tx.selectFrom('appeal_categories').select(['id', 'names', 'icon']).execute();
  const catById = new Map(categories.map((c) => [c.id, c]));
  const names = (id: string) => (catById.get(id)?.names ?? {}) as Record<string, string>;
  return {
    total: acc.total,
    byChannel: ordered(acc.channel),
    byType: ordered(acc.type),
    byStatus: ordered(acc.status),
    byCategory: Object.entries(ordered(acc.category)).map(([id, n]) => ({ id, names: names(id), icon: catById.get(id)?.icon ?? '', n })),
    resolved: acc.resolved,
    resolvedWithin3Days: acc.fast,
    ...(await openFigures(tx)),
    repeated: rep.map((r) => ({ ...r, n: Number(r.n), names: names(r.category_id) })),
    executors: await executors(tx, acc),
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

/** Executors with appeals in the period, ranked by missed targets, reopenings, bad ratings
 * (ties by id, so that the order is the same on every read). */
async function executors(tx: Tx, acc: Acc): Promise<Dashboard['executors']> {
  if (!acc.executor.size) return [];
  const orgs = await tx.selectFrom('organisations').select(['id', 'names']).where('id', 'in', [...acc.executor.keys()]).execute();
  return orgs
    .map((o) => {
      const e = acc.executor.get(o.id)!;
      return { id: o.id, names: o.names as Record<string, string>, total: e.n, missed: e.missed, reopened: e.reopened, badRatings: acc.bad.get(o.id) ?? 0, open: e.open };
    })
    .sort((a, b) => b.missed - a.missed || b.reopened - a.reopened || b.badRatings - a.badRatings || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Statuses in which the executor still has work to do. */
const OPEN_AT_EXECUTOR = new Set(['registered', 'in_progress', 'reopened']);
