import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { AppealChannel, AppealStatus, Lang } from '../../db/types.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { Community } from '../communities/service.ts';
import { auditRow, type Actor } from '../audit/service.ts';
import { invalid, notFound } from '../../http/errors.ts';
import { legalDueAt, serviceDueAt } from './deadlines.ts';
import { nextNumberSql } from './numbering.ts';
import { LEGAL_TYPES, NewAppeal } from './schema.ts';
import { notifyApplicant } from './notify.ts';
import { addressIdsExist } from '../addresses/service.ts';
import { telegramChatOf } from '../identity/telegram.ts';
import { linkKnownOutages } from './outage-links.ts';

/** What every appeals operation needs besides its own input. */
export type AppealsCtx = {
  tx: Tx;
  queue: Queue;
  actor: Actor;
  community: Community;
  /** Deployment secret: follow links are an HMAC of the appeal id, nothing to store. */
  secret: string;
  /** Absolute link to an appeal's public page, for messages to the applicant. */
  followUrl: (number: string, key: string, lang: Lang) => string;
  rateUrl: (token: string, lang: Lang) => string;
};

export const followKey = (secret: string, appealId: string) => createHmac('sha256', secret).update(`follow:${appealId}`).digest('base64url').slice(0, 22);

export function checkFollowKey(secret: string, appealId: string, key: string): boolean {
  const want = Buffer.from(followKey(secret, appealId));
  const got = Buffer.from(key);
  return want.length === got.length && timingSafeEqual(want, got);
}

export const workCalendar = (c: Community) => ({ timeZone: c.time_zone, weekendDays: c.weekend_days, holidays: c.holidays });

/**
 * Registers an appeal from any channel. A retry with the same idempotency key returns the
 * appeal the first call created. Named applicants with an address and a contact get the legal
 * term of the category; reports without them are anonymous: routed and handled, no legal term.
 * Consultations answered on the spot and thanks are registered and closed in one step.
 */
export async function fileAppeal(
  ctx: AppealsCtx,
  raw: NewAppeal,
  opts: { channel: AppealChannel; lang: Lang; residentId?: string | null; idempotencyKey?: string | null },
) {
  const { tx, community, actor } = ctx;
  const key = opts.idempotencyKey ?? null;
  // The category and the idempotency key in one statement. A retry gets the first call's
  // appeal whatever its input, so the key is looked at on its own when there is no category.
  const parsed = NewAppeal.safeParse(raw);
  const category = parsed.success
    ? await tx.selectFrom('appeal_categories').selectAll().where('id', '=', parsed.data.category_id).where('archived_at', 'is', null)
      .select(sql<string | null>`(select result_id from idempotency_keys where scope = 'appeal' and key = ${key})`.as('replay_of')).executeTakeFirst()
    : undefined;
  const replayOf = category ? category.replay_of
    : key ? (await tx.selectFrom('idempotency_keys').select('result_id').where('scope', '=', 'appeal').where('key', '=', key).executeTakeFirst())?.result_id : null;
  if (replayOf) return { appeal: await getAppeal(tx, replayOf), replayed: true };
  if (!parsed.success) throw parsed.error;
  const input = parsed.data;
  if (!category) throw invalid({ category_id: 'unknown' }, 'appeals.error.unknown_category');
  if (input.street_id && !(await addressIdsExist(tx, input.street_id, input.building_id ?? null))) throw invalid({ street_id: 'unknown' });
  const a = input.applicant;
  const anonymous = !(a.name && a.address && (a.phone || a.email));
  const closesAtOnce = input.type === 'consultation' || input.type === 'thanks';
  if (input.notify_via === 'telegram' && !(await telegramChatOf(tx, opts.residentId ?? null))) throw invalid({ notify_via: 'telegram' }, 'telegram.error.not_linked');
  const legalDays = community.appeals_law === 'ua' && LEGAL_TYPES.has(input.type) && !anonymous ? category.legal_days : null;
  const now = new Date();
  const status: AppealStatus = closesAtOnce ? 'closed' : 'registered';
  // One statement writes the appeal, its timeline, the idempotency key and the audit entry.
  const id = randomUUID();
  const events = [eventRow(actor, community.id, id, { kind: 'registered', to: 'registered' })];
  if (closesAtOnce) events.push(eventRow(actor, community.id, id, { kind: 'closed', from: 'registered', to: 'closed', note: input.answer ?? null }));
  const alongside = [
    sql`ev as (${tx.insertInto('appeal_events').values(events)})`,
    sql`au as (${tx.insertInto('audit_log').values(auditRow(actor, { action: 'appeal.file', objectType: 'appeal', objectId: id, note: { channel: opts.channel, type: input.type } }))})`,
  ];
  if (key) alongside.push(sql`ik as (${tx.insertInto('idempotency_keys').values({ community_id: community.id, scope: 'appeal', key, result_id: id })})`);
  const insertAppeal = tx
    .insertInto('appeals')
    .values({
      id,
      community_id: community.id,
      // A sequence, not a locked counter: filings do not queue behind each other's commit (0004).
      number: nextNumberSql(community.id, Number(now.toISOString().slice(0, 4))),
      type: input.type,
      channel: opts.channel,
      status,
      category_id: category.id,
      description: input.description,
      address: input.address ?? null,
      lat: input.lat ?? null,
      lon: input.lon ?? null,
      street_id: input.street_id ?? null,
      building_id: input.building_id ?? null,
      applicant_name: a.name ?? null,
      applicant_phone: a.phone ?? null,
      applicant_email: a.email?.toLowerCase() ?? null,
      applicant_address: a.address ?? null,
      notify_via: input.notify_via ?? (a.email ? 'email' : a.phone ? 'sms' : 'none'),
      lang: opts.lang,
      anonymous,
      confidential: input.confidential,
      resident_id: opts.residentId ?? null,
      executor_org_id: category.executor_org_id,
      legal_days: legalDays,
      legal_due_at: legalDays ? legalDueAt(now, legalDays, 0, community.time_zone) : null,
      service_due_at: serviceDueAt(now, category.service_hours, category.service_mode, workCalendar(community)),
      created_by: actor.type === 'user' ? actor.id : null,
      closed_at: closesAtOnce ? now : null,
    })
    .returningAll();
  const appeal: Appeal = (await sql<Appeal>`with ${sql.join(alongside)} ${insertAppeal}`.execute(tx)).rows[0];
  // A known outage at the address (the category's outage kind): one statement, none without a kind or a street.
  await linkKnownOutages(ctx, appeal, category.outage_kind);
  await notifyApplicant(ctx, appeal, 'registered');
  return { appeal, replayed: false };
}

type TimelineEntry = { kind: string; from?: AppealStatus | null; to?: AppealStatus | null; note?: string | null; isPublic?: boolean };

const eventRow = (actor: Actor, communityId: string, appealId: string, e: TimelineEntry) => ({
  community_id: communityId,
  appeal_id: appealId,
  kind: e.kind,
  from_status: e.from ?? null,
  to_status: e.to ?? null,
  note: e.note ?? null,
  is_public: e.isPublic ?? true,
  actor_type: actor.type,
  actor_id: actor.id,
  actor_label: actor.type === 'user' ? actor.label : null,
});

export async function addEvent(tx: Tx, actor: Actor, communityId: string, appealId: string, e: TimelineEntry) {
  await tx.insertInto('appeal_events').values(eventRow(actor, communityId, appealId, e)).execute();
}

export async function getAppeal(tx: Tx, id: string) {
  const row = await tx.selectFrom('appeals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}
export type Appeal = Awaited<ReturnType<typeof getAppeal>>;

export async function findByNumber(tx: Tx, number: string) {
  const row = await tx.selectFrom('appeals').selectAll().where('number', '=', number).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function timeline(tx: Tx, appealId: string, publicOnly: boolean) {
  let q = tx.selectFrom('appeal_events').selectAll().where('appeal_id', '=', appealId).orderBy('id');
  if (publicOnly) q = q.where('is_public', '=', true);
  return q.execute();
}

export type AppealFilter = { status?: AppealStatus | 'open'; executorOrgId?: string; residentId?: string; onControl?: boolean; q?: string; limit: number };

export async function listAppeals(tx: Tx, f: AppealFilter) {
  let q = tx
    .selectFrom('appeals as a')
    .innerJoin('appeal_categories as c', 'c.id', 'a.category_id')
    .select(['a.id', 'a.number', 'a.type', 'a.channel', 'a.status', 'a.description', 'a.address', 'a.created_at', 'a.service_due_at', 'a.legal_due_at',
      'a.on_control', 'a.reopen_count', 'a.rating', 'a.executor_org_id', 'a.applicant_name', 'a.confidential', 'c.names as category_names', 'c.icon'])
    .orderBy('a.created_at', 'desc')
    .limit(f.limit);
  if (f.status === 'open') q = q.where('a.status', 'in', ['registered', 'in_progress', 'reported', 'reopened']);
  else if (f.status) q = q.where('a.status', '=', f.status);
  if (f.executorOrgId) q = q.where('a.executor_org_id', '=', f.executorOrgId);
  if (f.residentId) q = q.where('a.resident_id', '=', f.residentId);
  if (f.onControl) q = q.where('a.on_control', '=', true);
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('a.number', 'ilike', like), eb('a.description', 'ilike', like), eb('a.address', 'ilike', like)]));
  }
  return q.execute();
}

/** Earlier appeals of the same caller, for the operator's phone lookup. */
export async function appealsByPhone(tx: Tx, phone: string) {
  const digits = phone.replace(/\D/g, '').slice(-9);
  if (digits.length < 9) return [];
  return tx
    .selectFrom('appeals')
    .select(['id', 'number', 'status', 'description', 'created_at', 'applicant_name', 'address'])
    .where(sql<string>`right(regexp_replace(applicant_phone, '\\D', '', 'g'), 9)`, '=', digits)
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute();
}
