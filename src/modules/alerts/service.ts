// Emergency alerts: compose, (approve,) issue, update, cancel. Issuing writes the CAP message,
// the audit entry and one priority delivery per channel in one transaction.
import { sql } from 'kysely';
import { afterCommit, type Tx } from '../../db/db.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { Community } from '../communities/service.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { AppError, conflict, invalid, notFound } from '../../http/errors.ts';
import { pick, t, type Lang } from '../../i18n/i18n.ts';
import type { Texts } from '../../db/types.ts';
import { CHANNELS, queueDeliveries, type Publication } from '../channels/service.ts';
import { AlertInput, CAP_CATEGORY, parsePolygons, type AlertEvent } from './schema.ts';
import { renderCap, type CapMessage } from './cap.ts';
import type { AlertTexts } from './tables.ts';
import { FANOUT_JOB, fanOut, type FanoutJob } from './fanout.ts';

export type AlertsCtx = { tx: Tx; queue: Queue; actor: Actor; community: Community; origin: string; base: string };
export type Alert = Awaited<ReturnType<typeof getAlert>>;

const link = (ctx: AlertsCtx, id: string, lang: Lang) => `${ctx.origin}${ctx.base}/${lang}/alerts/${id}`;

function validate(ctx: AlertsCtx, raw: AlertInput) {
  const input = AlertInput.parse(raw);
  const texts: AlertTexts = {};
  for (const l of ['uk', 'en', 'fa'] as const) if (input.texts[l]?.headline) texts[l] = input.texts[l];
  if (!texts[ctx.community.default_lang]?.headline) throw invalid({ headline: 'required' }, 'alerts.error.headline');
  const polygons = parsePolygons(input.polygons);
  if (!polygons.ok) throw new AppError(400, 'invalid_input', polygons.error.key, { polygons: polygons.error.key }, { n: polygons.error.n });
  return { input, texts, polygons: polygons.polygons };
}

/** The districts an alert can name (the address register's), for the officer's form. */
export const districtChoices = (tx: Tx) => tx.selectFrom('address_districts').select(['key', 'names']).orderBy('key').execute();
export type DistrictChoice = Awaited<ReturnType<typeof districtChoices>>[number];

/** The districts' keys, each known to the address register; refused when one is not. */
async function districtKeys(tx: Tx, keys: string[]): Promise<string[]> {
  const unique = [...new Set(keys)].sort();
  if (!unique.length) return [];
  const found = await tx.selectFrom('address_districts').select('key').where('key', 'in', unique).execute();
  if (found.length !== unique.length) throw invalid({ districts: 'unknown' }, 'alerts.error.district_unknown');
  return unique;
}

export async function createAlert(ctx: AlertsCtx, raw: AlertInput): Promise<string> {
  const { input, texts, polygons } = validate(ctx, raw);
  const row = await ctx.tx.insertInto('alerts').values({
    community_id: ctx.community.id, event: input.event, cap_category: CAP_CATEGORY[input.event], severity: input.severity, urgency: input.urgency,
    certainty: input.certainty, texts: JSON.stringify(texts), area_desc: JSON.stringify(input.area_desc), polygons: JSON.stringify(polygons),
    district_codes: await districtKeys(ctx.tx, input.districts),
    expires_at: new Date(Date.now() + input.expires_in_hours * 3600_000), created_by: ctx.actor.id,
  }).returning('id').executeTakeFirstOrThrow();
  await recordAudit(ctx.tx, ctx.actor, { action: 'alert.create', objectType: 'alert', objectId: row.id, note: { event: input.event } });
  return row.id;
}

/** Issues a draft, or asks for the second person's approval where the community wants one. */
export async function issueAlert(ctx: AlertsCtx, id: string): Promise<'active' | 'pending_approval'> {
  const a = await lockAlert(ctx.tx, id);
  if (a.status !== 'draft') throw conflict('alerts.error.state');
  const { need } = await ctx.tx.selectFrom('communities').select('alerts_need_approval as need').where('id', '=', ctx.community.id).executeTakeFirstOrThrow();
  if (need) {
    await ctx.tx.updateTable('alerts').set({ status: 'pending_approval', requested_by: ctx.actor.id, updated_at: sql`now()` }).where('id', '=', id).execute();
    await recordAudit(ctx.tx, ctx.actor, { action: 'alert.request_approval', objectType: 'alert', objectId: id });
    return 'pending_approval';
  }
  await publish(ctx, a, 'Alert');
  return 'active';
}

export async function approveAlert(ctx: AlertsCtx, id: string): Promise<void> {
  const a = await lockAlert(ctx.tx, id);
  if (a.status !== 'pending_approval') throw conflict('alerts.error.state');
  if (a.requested_by && a.requested_by === ctx.actor.id) throw new AppError(403, 'forbidden', 'alerts.error.same_person');
  await ctx.tx.updateTable('alerts').set({ approved_by: ctx.actor.id }).where('id', '=', id).execute();
  await publish(ctx, a, 'Alert');
}

/** A new CAP Update referencing every earlier message of the alert; a new post on each channel. */
export async function updateAlert(ctx: AlertsCtx, id: string, raw: AlertInput): Promise<void> {
  const a = await lockAlert(ctx.tx, id);
  if (a.status !== 'active') throw conflict('alerts.error.state');
  const { input, texts, polygons } = validate(ctx, raw);
  await ctx.tx.updateTable('alerts').set({
    event: input.event, cap_category: CAP_CATEGORY[input.event], severity: input.severity, urgency: input.urgency, certainty: input.certainty,
    texts: JSON.stringify(texts), area_desc: JSON.stringify(input.area_desc), polygons: JSON.stringify(polygons),
    district_codes: await districtKeys(ctx.tx, input.districts),
    expires_at: new Date(Date.now() + input.expires_in_hours * 3600_000),
  }).where('id', '=', id).execute();
  await publish(ctx, await getAlert(ctx.tx, id), 'Update');
}

export async function cancelAlert(ctx: AlertsCtx, id: string): Promise<void> {
  const a = await lockAlert(ctx.tx, id);
  if (a.status !== 'active') throw conflict('alerts.error.state');
  await publish(ctx, a, 'Cancel');
}

async function publish(ctx: AlertsCtx, a: Alert, msgType: CapMessage['msgType']) {
  const { tx, community } = ctx;
  const now = new Date();
  const version = a.version + 1;
  const earlier = await tx.selectFrom('alert_messages').select(['identifier', 'sent_at']).where('alert_id', '=', a.id).orderBy('sent_at').execute();
  const msg: CapMessage = {
    identifier: `citydesk-${community.slug}-${a.id}-${version}`, sender: `citydesk-${community.slug}`, sent: now, msgType,
    references: earlier.map((m) => ({ identifier: m.identifier, sent: new Date(m.sent_at) })),
  };
  // Districts are CAP geocodes (the register's keys, in the community's own domain) and, when
  // the officer wrote no area, the area's description.
  const districts = a.district_codes.length
    ? await tx.selectFrom('address_districts').select(['key', 'names']).where('key', 'in', a.district_codes).orderBy('key').execute()
    : [];
  const xml = renderCap(
    {
      event: a.event as AlertEvent, capCategory: a.cap_category, severity: a.severity, urgency: a.urgency, certainty: a.certainty, texts: a.texts, areaDesc: a.area_desc, polygons: a.polygons, expiresAt: new Date(a.expires_at),
      districts: districts.map((d) => ({ key: d.key, name: (l: Lang) => pick(d.names as Texts, l, community.default_lang) })),
    },
    msg,
    { communityName: (l) => pick(community.names, l, community.default_lang), defaultLang: community.default_lang, web: (l) => link(ctx, a.id, l) },
  );
  await tx.insertInto('alert_messages').values({ community_id: community.id, alert_id: a.id, msg_type: msgType, identifier: msg.identifier, sent_at: now, xml }).execute();
  const status = msgType === 'Cancel' ? 'cancelled' : 'active';
  await tx.updateTable('alerts').set({
    status, version, updated_at: now, ...(msgType === 'Alert' ? { issued_at: now } : {}), ...(msgType === 'Cancel' ? { cancelled_at: now } : {}),
  }).where('id', '=', a.id).execute();
  await recordAudit(tx, ctx.actor, { action: `alert.${msgType.toLowerCase()}`, objectType: 'alert', objectId: a.id, note: { identifier: msg.identifier } });
  // Channels get the community's own language; the portal and CAP carry every language given.
  const lang = a.texts[community.default_lang] ? community.default_lang : ((Object.keys(a.texts)[0] ?? 'uk') as Lang);
  const tx0 = a.texts[lang]!;
  const prefix = msgType === 'Cancel' ? `${t(lang, 'alerts.prefix.cancel')}: ` : msgType === 'Update' ? `${t(lang, 'alerts.prefix.update')}: ` : '';
  const bodyText = [tx0.description, tx0.instruction].filter(Boolean).join('\n\n');
  const publication: Publication = {
    sourceType: 'alert', sourceId: a.id, version, lang, title: `${prefix}${tx0.headline}`, lead: tx0.description,
    bodyHtml: [tx0.description, tx0.instruction].filter(Boolean).map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`).join(''),
    bodyText, url: link(ctx, a.id, lang), images: [], tags: [], urgent: true,
  };
  await queueDeliveries(tx, ctx.queue, { communityId: community.id, publication, channels: [...CHANNELS].filter((c) => c !== 'print'), action: 'publish', priority: true, actor: ctx.actor });
  // Every subscriber in the area: one job, which writes all their messages at once (fanout.ts).
  const job: FanoutJob = { communityId: community.id, alertId: a.id, version, msgType, requestedAt: now.toISOString() };
  await ctx.queue.sendInTx(tx, FANOUT_JOB, job, { singletonKey: `${a.id}:${version}`, priority: 10 });
  // And at once, in this process, as soon as the alert commits: the job would wait for its
  // queue's poll (up to half a second). Whichever starts first writes the fan-out; the other
  // finds it claimed (alert_fanouts) and does nothing. Should this process fail, the job does it.
  afterCommit(tx, (db) => void fanOut({ db, origin: () => ctx.origin, community: async () => community }, job).catch(() => undefined));
}

async function lockAlert(tx: Tx, id: string) {
  const a = await tx.selectFrom('alerts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!a) throw notFound();
  return a;
}

export async function getAlert(tx: Tx, id: string) {
  const a = await tx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!a) throw notFound();
  return a;
}

export const listAlerts = (tx: Tx, f: { status?: Alert['status']; limit?: number } = {}) => {
  let q = tx.selectFrom('alerts').selectAll().orderBy('created_at', 'desc').limit(f.limit ?? 100);
  if (f.status) q = q.where('status', '=', f.status);
  return q.execute();
};

/** Active and not yet expired: what the banner shows. */
export const activeAlerts = (tx: Tx) =>
  tx.selectFrom('alerts').select(['id', 'event', 'severity', 'texts', 'updated_at', 'expires_at']).where('status', '=', 'active').where('expires_at', '>', new Date()).orderBy('updated_at', 'desc').limit(5).execute();

export const alertMessages = (tx: Tx, alertId: string) =>
  tx.selectFrom('alert_messages').select(['id', 'msg_type', 'identifier', 'sent_at']).where('alert_id', '=', alertId).orderBy('sent_at', 'desc').execute();

/** A CAP message by its id, or an alert's latest message by the alert's id. */
export async function capXml(tx: Tx, id: string): Promise<string | null> {
  const byMessage = await tx.selectFrom('alert_messages').select('xml').where('id', '=', id).executeTakeFirst();
  if (byMessage) return byMessage.xml;
  const latest = await tx.selectFrom('alert_messages').select('xml').where('alert_id', '=', id).orderBy('sent_at', 'desc').limit(1).executeTakeFirst();
  return latest?.xml ?? null;
}

export const recentMessages = (tx: Tx, limit = 50) =>
  tx.selectFrom('alert_messages').innerJoin('alerts', 'alerts.id', 'alert_messages.alert_id')
    .select(['alert_messages.id', 'alert_messages.alert_id', 'alert_messages.msg_type', 'alert_messages.identifier', 'alert_messages.sent_at', 'alerts.texts', 'alerts.event'])
    .orderBy('alert_messages.sent_at', 'desc').limit(limit).execute();
