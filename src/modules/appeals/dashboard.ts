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

/**
 * The period's figures, the ones the source report gives (total; by phone, internet, Facebook,
 * in person; thanks; share resolved within three days; number on control) and the ones
 * leadership asks for: overdue, repeated problems at one address, and executors ranked by
 * missed targets, reopenings and bad ratings ("red tape"). One pass over the period for the
 * counts (grouping sets), one for the executors, one for repeats.
 */
export async function periodDashboard(tx: Tx, p: Period): Promise<Dashboard> {
  const counts = await sql<{ channel: string | null; type: string | null; status: string | null; category_id: string | null; n: string; g: number }>`
    select channel, type, status, category_id, count(*) as n,
           grouping(channel, type, status, category_id) as g
    from appeals where created_at >= ${p.from} and created_at < ${p.to}
    group by grouping sets ((channel), (type), (status), (category_id), ())`.execute(tx);
  const pick = (col: 'channel' | 'type' | 'status') =>
    Object.fromEntries(counts.rows.filter((r) => r[col] !== null && otherNull(r, col)).map((r) => [r[col]!, Number(r.n)]));
  const totals = (await sql<{ resolved: string; fast: string; control: string; overdue_s: string; overdue_l: string }>`
    select
      (select count(*) from appeals where created_at >= ${p.from} and created_at < ${p.to} and resolved_at is not null) as resolved,
      (select count(*) from appeals where created_at >= ${p.from} and created_at < ${p.to} and resolved_at is not null and resolved_at - created_at <= interval '72 hours') as fast,
      (select count(*) from appeals where on_control and status in ('registered', 'in_progress', 'reported', 'reopened')) as control,
      (select count(*) from appeals where status in ('registered', 'in_progress', 'reopened') and service_due_at < now()) as overdue_s,
      (select count(*) from appeals where status in ('registered', 'in_progress', 'reported', 'reopened') and legal_due_at < now()) as overdue_l`.execute(tx)).rows[0];
  const categories = await tx.selectFrom('appeal_categories').select(['id', 'names', 'icon']).execute();
  const catById = new Map(categories.map((c) => [c.id, c]));
  const byCategory = counts.rows
    .filter((r) => r.category_id !== null && otherNull(r, 'category_id'))
    .map((r) => ({ id: r.category_id!, names: (catById.get(r.category_id!)?.names ?? {}) as Record<string, string>, icon: catById.get(r.category_id!)?.icon ?? '', n: Number(r.n) }))
    .sort((a, b) => b.n - a.n);
  const executors = await sql<{ id: string; names: Record<string, string>; total: string; missed: string; reopened: string; bad: string; open: string }>`
    select o.id, o.names, count(a.id) as total,
      count(a.id) filter (where coalesce(a.resolved_at, a.closed_at, now()) > a.service_due_at and a.type not in ('consultation', 'thanks')) as missed,
      coalesce(sum(a.reopen_count), 0) as reopened,
      (select count(*) from appeal_events e join appeals x on x.id = e.appeal_id
        where e.kind = 'rate_bad' and x.executor_org_id = o.id and e.at >= ${p.from} and e.at < ${p.to}) as bad,
      count(a.id) filter (where a.status in ('registered', 'in_progress', 'reopened')) as open
    from organisations o
    join appeals a on a.executor_org_id = o.id and a.created_at >= ${p.from} and a.created_at < ${p.to}
    group by o.id, o.names
    order by missed desc, reopened desc, bad desc`.execute(tx);
  const repeated = await sql<{ address: string; category_id: string; n: string }>`
    select lower(trim(address)) as address, category_id, count(*) as n
    from appeals where created_at >= ${p.from} and created_at < ${p.to} and address is not null and type not in ('consultation', 'thanks')
    group by 1, 2 having count(*) > 1 order by n desc limit 10`.execute(tx);
  return {
    total: Number(counts.rows.find((r) => r.channel === null && r.type === null && r.status === null && r.category_id === null)?.n ?? 0),
    byChannel: pick('channel'),
    byType: pick('type'),
    byStatus: pick('status'),
    byCategory,
    resolved: Number(totals.resolved),
    resolvedWithin3Days: Number(totals.fast),
    onControl: Number(totals.control),
    overdueService: Number(totals.overdue_s),
    overdueLegal: Number(totals.overdue_l),
    repeated: repeated.rows.map((r) => ({ ...r, n: Number(r.n), names: (catById.get(r.category_id)?.names ?? {}) as Record<string, string> })),
    executors: executors.rows.map((e) => ({ id: e.id, names: e.names, total: Number(e.total), missed: Number(e.missed), reopened: Number(e.reopened), badRatings: Number(e.bad), open: Number(e.open) })),
  };
}

/** In a grouping-sets row, the columns other than `col` are the rolled-up (null) ones. */
function otherNull(r: Record<string, unknown>, col: string) {
  return ['channel', 'type', 'status', 'category_id'].every((c) => c === col || r[c] === null);
}
