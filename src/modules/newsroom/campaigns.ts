import type { Tx } from '../../db/db.ts';
import { listDeliveries } from '../channels/service.ts';
import { notFound } from '../../http/errors.ts';

/** Materials counted for a campaign at most (a campaign page must stay quick). */
const MAX_MATERIALS = 300;
const WEEK = 7 * 86400_000;

/** Monday of the UTC week of `d`, as 'YYYY-MM-DD'. */
export const weekStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - ((d.getUTCDay() + 6) % 7) * 86400_000).toISOString().slice(0, 10);

export type CampaignStats = {
  publications: number;
  byChannel: Record<string, number>;
  weeks: Array<{ week: string; publications: number; byChannel: Record<string, number> }>;
};

/**
 * A campaign's publications (language versions first published, of materials linked to it or
 * carrying its tag) and the channel deliveries sent for them, in total and per week.
 */
export async function campaignStats(tx: Tx, campaignId: string): Promise<CampaignStats> {
  const c = await tx.selectFrom('campaigns').select(['id', 'tag_id', 'starts_on', 'ends_on']).where('id', '=', campaignId).executeTakeFirst();
  if (!c) throw notFound();
  const versions = await tx.selectFrom('material_versions as v').innerJoin('materials as m', 'm.id', 'v.material_id')
    .select(['v.material_id', 'v.first_published_at'])
    .where('v.first_published_at', 'is not', null)
    .where((eb) => eb.or([
      eb('m.campaign_id', '=', c.id),
      ...(c.tag_id ? [eb.exists(eb.selectFrom('material_tags as mt').select('mt.tag_id').whereRef('mt.material_id', '=', 'm.id').where('mt.tag_id', '=', c.tag_id))] : []),
    ]))
    .orderBy('v.first_published_at', 'desc').limit(MAX_MATERIALS * 3).execute();
  const weeks = new Map<string, { publications: number; byChannel: Record<string, number> }>();
  const slot = (d: Date) => {
    const k = weekStart(d);
    if (!weeks.has(k)) weeks.set(k, { publications: 0, byChannel: {} });
    return weeks.get(k)!;
  };
  for (const v of versions) slot(v.first_published_at!).publications++;
  const byChannel: Record<string, number> = {};
  const materialIds = [...new Set(versions.map((v) => v.material_id))].slice(0, MAX_MATERIALS);
  for (const id of materialIds) {
    for (const d of await listDeliveries(tx, { sourceType: 'material', sourceId: id, limit: 100 })) {
      if (d.status !== 'sent' || d.action !== 'publish') continue;
      byChannel[d.channel] = (byChannel[d.channel] ?? 0) + 1;
      const w = slot(d.sent_at ?? d.created_at).byChannel;
      w[d.channel] = (w[d.channel] ?? 0) + 1;
    }
  }
  const list = [...weeks].map(([week, x]) => ({ week, ...x })).sort((a, b) => (a.week < b.week ? 1 : -1));
  return { publications: versions.length, byChannel, weeks: list.filter((w) => Date.parse(w.week) > Date.now() - 104 * WEEK) };
}
