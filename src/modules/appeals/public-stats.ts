/**
 * What the public portal may say about appeals: figures and an anonymised list, both limited to
 * the categories the community marks public (`appeal_categories.is_public`). The list carries
 * no names, contacts or descriptions (a resident's free text may name people or a flat, and no
 * filter can promise otherwise); streets lose their house numbers and points are rounded to
 * about 100 m with the same rules as Open311 (open311.ts: publicAddress, roundCoord).
 * Confidential (Art. 10) appeals are counted but show neither street nor point.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { AppealStatus, Texts } from '../../db/types.ts';
import { publicAddress, roundCoord } from './open311.ts';

export type PublicCategory = { id: string; names: Texts; icon: string };
export type PublicStats = {
  categories: PublicCategory[];
  total: number;
  resolved: number;
  open: number;
  resolvedCounted: number;
  withinTarget: number;
  byCategory: Array<PublicCategory & { n: number }>;
  byStatus: Array<{ status: AppealStatus; n: number }>;
};

/** Consultations and thanks are not problems: they are not listed or timed. */
const PROBLEM_TYPES = ['proposal', 'statement', 'complaint'] as const;

export async function publicCategories(tx: Tx): Promise<PublicCategory[]> {
  return tx.selectFrom('appeal_categories').select(['id', 'names', 'icon']).where('is_public', '=', true).where('archived_at', 'is', null).orderBy('code').execute();
}

export async function publicStats(tx: Tx, period: { from: Date; to: Date }): Promise<PublicStats> {
  const categories = await publicCategories(tx);
  const ids = categories.map((c) => c.id);
  if (!ids.length) return { categories, total: 0, resolved: 0, open: 0, resolvedCounted: 0, withinTarget: 0, byCategory: [], byStatus: [] };
  const rows = (await sql<{ category_id: string; status: AppealStatus; n: string; timed: string; fast: string }>`
    select category_id, status, count(*) as n,
      count(*) filter (where type in ('proposal', 'statement', 'complaint') and status in ('resolved', 'closed')) as timed,
      count(*) filter (where type in ('proposal', 'statement', 'complaint') and status in ('resolved', 'closed')
        and coalesce(resolved_at, closed_at) <= service_due_at) as fast
    from appeals
    where created_at >= ${period.from} and created_at < ${period.to} and category_id = any(${ids}::uuid[])
    group by category_id, status`.execute(tx)).rows;
  const sum = (f: (r: (typeof rows)[number]) => boolean, col: 'n' | 'timed' | 'fast' = 'n') => rows.filter(f).reduce((s, r) => s + Number(r[col]), 0);
  const done = (s: AppealStatus) => s === 'resolved' || s === 'closed';
  const statuses = [...new Set(rows.map((r) => r.status))];
  return {
    categories,
    total: sum(() => true),
    resolved: sum((r) => done(r.status)),
    open: sum((r) => !done(r.status)),
    resolvedCounted: sum(() => true, 'timed'),
    withinTarget: sum(() => true, 'fast'),
    byCategory: categories.map((c) => ({ ...c, n: sum((r) => r.category_id === c.id) })).filter((c) => c.n > 0).sort((a, b) => b.n - a.n),
    byStatus: statuses.map((s) => ({ status: s, n: sum((r) => r.status === s) })).sort((a, b) => b.n - a.n),
  };
}

export type PublicAppeal = { number: string; status: AppealStatus; category_id: string; street: string | null; created_at: Date; lat: number | null; lon: number | null };
export const PUBLIC_PAGE_SIZE = 25;
export const MAX_PUBLIC_PAGE = 800;

/** One page of the anonymised list, newest first, with the number of pages. */
export async function publicAppeals(tx: Tx, opts: { categoryId?: string; page: number }): Promise<{ rows: PublicAppeal[]; pages: number; page: number }> {
  let q = tx
    .selectFrom('appeals as a')
    .innerJoin('appeal_categories as c', 'c.id', 'a.category_id')
    .where('c.is_public', '=', true)
    .where('c.archived_at', 'is', null)
    .where('a.type', 'in', [...PROBLEM_TYPES]);
  if (opts.categoryId) q = q.where('a.category_id', '=', opts.categoryId);
  const { n } = await q.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const pages = Math.min(MAX_PUBLIC_PAGE, Math.max(1, Math.ceil(Number(n) / PUBLIC_PAGE_SIZE)));
  const page = Math.min(Math.max(1, opts.page), pages);
  const rows = await q
    .select(['a.number', 'a.status', 'a.category_id', 'a.address', 'a.lat', 'a.lon', 'a.confidential', 'a.created_at'])
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(PUBLIC_PAGE_SIZE)
    .offset((page - 1) * PUBLIC_PAGE_SIZE)
    .execute();
  return {
    pages,
    page,
    rows: rows.map((r) => ({
      number: r.number, status: r.status, category_id: r.category_id, created_at: r.created_at,
      street: r.confidential || !r.address ? null : publicAddress(r.address),
      lat: r.confidential ? null : roundCoord(r.lat),
      lon: r.confidential ? null : roundCoord(r.lon),
    })),
  };
}

/** The page's points, merged by their rounded place: [lat, lon, how many]. */
export function mapPoints(rows: PublicAppeal[]): Array<[number, number, number]> {
  const by = new Map<string, [number, number, number]>();
  for (const r of rows) {
    if (r.lat === null || r.lon === null) continue;
    const k = `${r.lat},${r.lon}`;
    const p = by.get(k) ?? [r.lat, r.lon, 0];
    p[2]++;
    by.set(k, p);
  }
  return [...by.values()];
}
