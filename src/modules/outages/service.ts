// Outage notices: posted by a utility's dispatcher, updated along a timeline, closed with the
// actual end; residents look their address up or subscribe to it. Rules in README.md.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../db/db.ts';
import type { Texts } from '../../db/types.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { Community } from '../communities/service.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { deletePushSubscription } from '../channels/service.ts';
import { conflict, invalid, notFound } from '../../http/errors.ts';
import type { AddressMatch } from '../addresses/service.ts';
import { houseNumber, insidePolygon, type AreaRule } from './areas.ts';
import { OUTAGE_KINDS, type OutageSubChannel } from './tables.ts';
import { notifySubscribers } from './notify.ts';
import { checkClosingMessage, closeLinkedAppeals } from '../appeals/outage-links.ts';
import type { AppealsCtx } from '../appeals/service.ts';

/** How the appeals' messages link back to the applicant's pages (web/appeals-context.ts). */
export type AppealLinks = Pick<AppealsCtx, 'secret' | 'followUrl' | 'rateUrl'>;

export type OutagesCtx = { tx: Tx; queue: Queue; actor: Actor; community: Community; origin: string; base: string };

const TextsIn = z.object({ uk: z.string().trim().max(2000).optional(), en: z.string().trim().max(2000).optional(), fa: z.string().trim().max(2000).optional() });
export const NewOutage = z.object({
  organisation_id: z.string().uuid(),
  kind: z.enum(OUTAGE_KINDS),
  emergency: z.boolean(),
  reason: TextsIn,
  contact: z.string().trim().max(200).optional(),
  starts_at: z.coerce.date(),
  expected_end_at: z.coerce.date(),
}).refine((o) => o.expected_end_at > o.starts_at, { path: ['expected_end_at'], message: 'outages.error.end_before_start' });
export type NewOutage = z.input<typeof NewOutage>;

async function insertAreas(tx: Tx, communityId: string, outageId: string, rules: AreaRule[]) {
  if (!rules.length) return;
  await tx.insertInto('outage_areas').values(rules.map((r) => ({
    community_id: communityId, outage_id: outageId, kind: r.kind,
    street_id: 'street_id' in r ? r.street_id : null, building_id: r.kind === 'building' ? r.building_id : null,
    district_id: r.kind === 'district' ? r.district_id : null,
    from_number: r.kind === 'range' ? r.from_number : null, to_number: r.kind === 'range' ? r.to_number : null,
    parity: r.kind === 'range' ? r.parity : 'all', polygon: r.kind === 'polygon' ? JSON.stringify(r.polygon) : null,
  }))).execute();
}

const summary = (rules: AreaRule[], lang: string, before: Texts = {}): Texts => {
  const labels = rules.map((r) => r.label).filter(Boolean);
  const prev = before[lang as 'uk'] ? [before[lang as 'uk']!] : [];
  return { ...before, [lang]: [...prev, ...labels].join('; ').slice(0, 2000) };
};

export async function postOutage(ctx: OutagesCtx, raw: NewOutage, rules: AreaRule[], lang: string): Promise<string> {
  const input = NewOutage.parse(raw);
  if (!rules.length) throw invalid({ area: 'required' }, 'outages.error.no_area');
  if (!input.reason[ctx.community.default_lang] && !Object.values(input.reason).some(Boolean)) throw invalid({ reason: 'required' }, 'outages.error.no_reason');
  const { tx, community, actor } = ctx;
  const row = await tx.insertInto('outages').values({
    community_id: community.id, organisation_id: input.organisation_id, kind: input.kind, emergency: input.emergency,
    reason: JSON.stringify(input.reason), area_summary: JSON.stringify(summary(rules, lang)), contact: input.contact || null,
    starts_at: input.starts_at, expected_end_at: input.expected_end_at, created_by: actor.type === 'user' ? actor.id : null,
  }).returning('id').executeTakeFirstOrThrow();
  await insertAreas(tx, community.id, row.id, rules);
  await tx.insertInto('outage_updates').values({ community_id: community.id, outage_id: row.id, kind: 'posted', expected_end_at: input.expected_end_at, actor_label: actor.label }).execute();
  await recordAudit(tx, actor, { action: 'outage.post', objectType: 'outage', objectId: row.id, note: { kind: input.kind, emergency: input.emergency, rules: rules.length } });
  await notifySubscribers(ctx, row.id, 'posted');
  return row.id;
}

export const OutageUpdate = z.object({
  kind: z.enum(['expected_end', 'area', 'partial', 'note']),
  note: TextsIn.default({}),
  expected_end_at: z.coerce.date().optional(),
});

export async function updateOutage(ctx: OutagesCtx, id: string, raw: z.input<typeof OutageUpdate>, rules: AreaRule[], lang: string): Promise<void> {
  const input = OutageUpdate.parse(raw);
  const o = await lockOpen(ctx, id);
  if (input.kind === 'expected_end' && (!input.expected_end_at || input.expected_end_at <= new Date(o.starts_at))) throw invalid({ expected_end_at: 'invalid' }, 'outages.error.end_before_start');
  if (input.kind === 'area' && !rules.length) throw invalid({ area: 'required' }, 'outages.error.no_area');
  const { tx, community } = ctx;
  await insertAreas(tx, community.id, id, input.kind === 'area' ? rules : []);
  await tx.updateTable('outages').set({
    last_update_at: sql`now()`,
    ...(input.kind === 'expected_end' ? { expected_end_at: input.expected_end_at!, stale_reminded_at: null } : {}),
    ...(input.kind === 'area' ? { area_summary: JSON.stringify(summary(rules, lang, o.area_summary)) } : {}),
  }).where('id', '=', id).execute();
  await tx.insertInto('outage_updates').values({ community_id: community.id, outage_id: id, kind: input.kind, note: JSON.stringify(input.note), expected_end_at: input.expected_end_at ?? null, actor_label: ctx.actor.label }).execute();
  await recordAudit(tx, ctx.actor, { action: `outage.${input.kind}`, objectType: 'outage', objectId: id });
  if (input.kind !== 'note') await notifySubscribers(ctx, id, 'changed');
}

/** Closes the notice with its actual end. With `closeAppeals`, the open appeals linked to it are
 * closed too, with the message to each applicant (appeals/outage-links.ts); the message is
 * checked before anything changes. */
export async function closeOutage(ctx: OutagesCtx, id: string, opts: { actualEnd?: Date; note?: Texts; closeAppeals?: { message: string; links: AppealLinks } } = {}): Promise<{ appealsClosed: number; applicantsTold: number }> {
  if (opts.closeAppeals) checkClosingMessage(opts.closeAppeals.message);
  await lockOpen(ctx, id);
  const { tx, community } = ctx;
  const end = opts.actualEnd ?? new Date();
  await tx.updateTable('outages').set({ status: 'closed', actual_end_at: end, last_update_at: sql`now()` }).where('id', '=', id).execute();
  await tx.insertInto('outage_updates').values({ community_id: community.id, outage_id: id, kind: 'closed', note: JSON.stringify(opts.note ?? {}), actor_label: ctx.actor.label }).execute();
  const appeals = opts.closeAppeals
    ? await closeLinkedAppeals({ tx, queue: ctx.queue, actor: ctx.actor, community, ...opts.closeAppeals.links }, id, opts.closeAppeals.message)
    : { closed: 0, notified: 0 };
  await recordAudit(tx, ctx.actor, { action: 'outage.close', objectType: 'outage', objectId: id, ...(opts.closeAppeals ? { note: { appeals_closed: appeals.closed, applicants_told: appeals.notified } } : {}) });
  await notifySubscribers(ctx, id, 'closed');
  return { appealsClosed: appeals.closed, applicantsTold: appeals.notified };
}

async function lockOpen(ctx: OutagesCtx, id: string) {
  const o = await ctx.tx.selectFrom('outages').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!o) throw notFound();
  if (o.status !== 'open') throw conflict('outages.error.closed');
  return o;
}

const withOrg = (tx: Tx) => tx.selectFrom('outages').innerJoin('organisations', 'organisations.id', 'outages.organisation_id').selectAll('outages').select('organisations.names as org_names');
export type OutageRow = Awaited<ReturnType<ReturnType<typeof withOrg>['execute']>>[number];

/** A notice past its expected end with nothing said since: residents cannot trust it. */
export const isStale = (o: { status: string; expected_end_at: Date; last_update_at: Date }, now = new Date()) =>
  o.status === 'open' && new Date(o.expected_end_at) < now && new Date(o.last_update_at) < new Date(o.expected_end_at);

export async function listOutages(tx: Tx, filter: { when: 'current' | 'planned' | 'closed' | 'open'; organisationId?: string | null; limit?: number }) {
  let q = withOrg(tx).orderBy('outages.starts_at', filter.when === 'closed' ? 'desc' : 'asc').limit(filter.limit ?? 200);
  if (filter.organisationId) q = q.where('outages.organisation_id', '=', filter.organisationId);
  if (filter.when === 'closed') return q.where('outages.status', '=', 'closed').execute();
  q = q.where('outages.status', '=', 'open');
  if (filter.when === 'current') q = q.where('outages.starts_at', '<=', new Date());
  if (filter.when === 'planned') q = q.where('outages.starts_at', '>', new Date());
  return q.execute();
}

export async function getOutage(tx: Tx, id: string) {
  const o = await withOrg(tx).where('outages.id', '=', id).executeTakeFirst();
  if (!o) throw notFound();
  const updates = await tx.selectFrom('outage_updates').selectAll().where('outage_id', '=', id).orderBy('id').execute();
  return { ...o, updates };
}

/** Open notices that cover an address of the register. */
export async function outagesAt(tx: Tx, a: AddressMatch) {
  const b = a.buildingId ? await tx.selectFrom('buildings').select(['number']).where('id', '=', a.buildingId).executeTakeFirst() : null;
  const n = houseNumber(b?.number ?? a.number);
  const ids = await tx.selectFrom('outage_areas').innerJoin('outages', 'outages.id', 'outage_areas.outage_id')
    .select(['outage_areas.outage_id', 'outage_areas.kind', 'outage_areas.polygon'])
    .where('outages.status', '=', 'open')
    .where((eb) => eb.or([
      eb.and([eb('outage_areas.kind', '=', 'street'), eb('outage_areas.street_id', '=', a.streetId)]),
      eb.and([eb('outage_areas.kind', '=', 'range'), eb('outage_areas.street_id', '=', a.streetId),
        ...(n === null ? [] : [eb('outage_areas.from_number', '<=', n), eb('outage_areas.to_number', '>=', n),
          eb.or([eb('outage_areas.parity', '=', 'all'), eb('outage_areas.parity', '=', n % 2 ? 'odd' : 'even')])])]),
      eb.and([eb('outage_areas.kind', '=', 'building'), a.buildingId ? eb('outage_areas.building_id', '=', a.buildingId) : eb('outage_areas.street_id', '=', a.streetId)]),
      ...(a.districtId ? [eb.and([eb('outage_areas.kind', '=', 'district'), eb('outage_areas.district_id', '=', a.districtId)])] : []),
      eb('outage_areas.kind', '=', 'polygon'),
    ])).execute();
  const hit = new Set(ids.filter((r) => r.kind !== 'polygon' || (a.lat !== null && a.lon !== null && insidePolygon(a.lat, a.lon, r.polygon!))).map((r) => r.outage_id));
  if (!hit.size) return [];
  return withOrg(tx).where('outages.id', 'in', [...hit]).orderBy('outages.starts_at').execute();
}

export async function outageAreas(tx: Tx, id: string) {
  return tx.selectFrom('outage_areas').selectAll().where('outage_id', '=', id).orderBy('id').execute();
}

/** The daily control of seed 004, for any period: per organisation, notices posted, notices
 * that went past their expected end before the dispatcher said anything, and stale ones now. */
export async function controlReport(tx: Tx, from: Date, to: Date) {
  const r = await sql<{ organisation_id: string; names: Texts; posted: string; late: string; stale_now: string }>`
    select o.organisation_id, org.names,
      count(*) filter (where o.created_at >= ${from} and o.created_at < ${to}) as posted,
      count(*) filter (where o.created_at >= ${from} and o.created_at < ${to} and o.stale_reminded_at is not null) as late,
      count(*) filter (where o.status = 'open' and o.expected_end_at < now() and o.last_update_at < o.expected_end_at) as stale_now
    from outages o join organisations org on org.id = o.organisation_id
    group by o.organisation_id, org.names order by stale_now desc, late desc, posted desc`.execute(tx);
  return r.rows.map((x) => ({ organisationId: x.organisation_id, names: x.names, posted: Number(x.posted), late: Number(x.late), staleNow: Number(x.stale_now) }));
}

export async function subscribe(tx: Tx, input: { communityId: string; residentId: string | null; channel: OutageSubChannel; recipient: string; address: AddressMatch; kinds: string[]; lang: 'uk' | 'en' | 'fa' }, actor: Actor) {
  const token = randomBytes(18).toString('base64url');
  const row = await tx.insertInto('outage_subscriptions').values({
    community_id: input.communityId, resident_id: input.residentId, channel: input.channel, recipient: input.recipient, street_id: input.address.streetId,
    building_id: input.address.buildingId, kinds: input.kinds.filter((k) => (OUTAGE_KINDS as readonly string[]).includes(k)), lang: input.lang, unsubscribe_token: token,
  }).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
  if (row) await recordAudit(tx, actor, { action: 'outage.subscribe', objectType: 'outage_subscription', objectId: row.id });
  return !!row;
}

/** Ends every subscription that goes to one recipient of a channel (a browser that dropped its
 * push subscription, a bot chat that stopped); how many. */
export async function endSubscriptionsTo(tx: Tx, channel: OutageSubChannel, recipient: string): Promise<number> {
  const r = await tx.updateTable('outage_subscriptions').set({ ended_at: sql`now()` }).where('channel', '=', channel).where('recipient', '=', recipient).where('ended_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** A browser turned its notifications off, or its push service says it is gone: its push
 * subscription is deleted (if still there) and the addresses it followed are let go. */
export async function forgetBrowser(tx: Tx, by: { id: string } | { endpoint: string }): Promise<void> {
  const id = (await deletePushSubscription(tx, by)) ?? ('id' in by ? by.id : null);
  if (id) await endSubscriptionsTo(tx, 'webpush', id);
}

export async function unsubscribe(tx: Tx, token: string): Promise<boolean> {
  const r = await tx.updateTable('outage_subscriptions').set({ ended_at: sql`now()` }).where('unsubscribe_token', '=', token).where('ended_at', 'is', null).returning('id').executeTakeFirst();
  return !!r;
}

export const subscriptionsOf = (tx: Tx, residentId: string) =>
  tx.selectFrom('outage_subscriptions').selectAll().where('resident_id', '=', residentId).where('ended_at', 'is', null).orderBy('created_at').execute();
