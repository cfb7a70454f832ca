import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { z } from 'zod';
import type { Selectable } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { AppealCategoriesTable, AppealChannel, AppealStatus, Lang } from '../../db/types.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { Community } from '../communities/service.ts';
import { auditRow, type Actor } from '../audit/service.ts';
import { invalid, notFound } from '../../http/errors.ts';
import { legalDueAt, serviceDueAt } from './deadlines.ts';
import { nextNumberSql } from './numbering.ts';
import { LEGAL_TYPES, NewAppeal } from './schema.ts';
import { applicantMessage, notifyApplicant } from './notify.ts';
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

/** One registration: the input as it came, and who files it, from where, in which language. */
export type Filing = {
  raw: NewAppeal;
  channel: AppealChannel;
  lang: Lang;
  residentId?: string | null;
  idempotencyKey?: string | null;
  actor: Actor;
  followUrl: AppealsCtx['followUrl'];
  rateUrl: AppealsCtx['rateUrl'];
};
export type Filed = { appeal: Appeal; replayed: boolean };
/** What a filing of `fileAppeals` came to: its appeal, or what refused it. */
export type FilingResult = Filed | { error: unknown };

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
): Promise<Filed> {
  const [r] = await fileAppeals(ctx, [{ raw, ...opts, actor: ctx.actor, followUrl: ctx.followUrl, rateUrl: ctx.rateUrl }]);
  if ('error' in r) throw r.error;
  return r;
}

/** The registration number's place in texts written before the number exists: the insert puts it there. */
const NUMBER_MARK = '\u2983number\u2984';

/**
 * Registers appeals in the caller's transaction (fileAppeal's rules, each filing with its own
 * actor and links) in two statements, however many: one reads the categories and the earlier
 * appeals of the idempotency keys, one writes the appeals with their numbers, timelines, audit
 * entries, keys and the applicants' SMS or e-mail. A filing with bad input gets its error and
 * the others are registered all the same; a database error fails them all (the transaction).
 * Filings with the same key: the first is registered, the others are its replays.
 */
export async function fileAppeals(ctx: Omit<AppealsCtx, 'actor' | 'followUrl' | 'rateUrl'>, filings: Filing[]): Promise<FilingResult[]> {
  const { tx, community } = ctx;
  const parsed = filings.map((f) => NewAppeal.safeParse(f.raw));
  const keys = [...new Set(filings.map((f) => f.idempotencyKey).filter((k): k is string => !!k))];
  const categoryIds = [...new Set(parsed.flatMap((p) => (p.success ? [p.data.category_id] : [])))];
  // The categories and the keys' earlier appeals in one statement. A retry gets the first
  // call's appeal whatever its input, so the key is looked at even when the input is bad.
  const known = await sql<{ categories: Category[] | null; replays: { key: string; id: string }[] | null }>`select
    (select json_agg(c) from (select id, legal_days, service_hours, service_mode, executor_org_id, outage_kind from appeal_categories
       where id = any(${categoryIds}::uuid[]) and archived_at is null) c) as categories,
    (select json_agg(json_build_object('key', key, 'id', result_id)) from idempotency_keys where scope = 'appeal' and key = any(${keys}::text[])) as replays`.execute(tx);
  const categories = new Map((known.rows[0].categories ?? []).map((c) => [c.id, c]));
  const replays = new Map((known.rows[0].replays ?? []).map((r) => [r.key, r.id]));

  const now = new Date();
  const results: Array<FilingResult | { registered: string } | { replayOf: string } | { sameKeyAs: number }> = [];
  const rows: Registration[] = [];
  const firstWithKey = new Map<string, number>();
  for (const [i, f] of filings.entries()) {
    const key = f.idempotencyKey ?? null;
    const p = parsed[i];
    if (key && replays.has(key)) results.push({ replayOf: replays.get(key)! });
    else if (key && firstWithKey.has(key)) results.push({ sameKeyAs: firstWithKey.get(key)! });
    else if (!p.success) results.push({ error: p.error });
    else {
      try {
        const category = categories.get(p.data.category_id);
        if (!category) throw invalid({ category_id: 'unknown' }, 'appeals.error.unknown_category');
        if (p.data.street_id && !(await addressIdsExist(tx, p.data.street_id, p.data.building_id ?? null))) throw invalid({ street_id: 'unknown' });
        if (p.data.notify_via === 'telegram' && !(await telegramChatOf(tx, f.residentId ?? null))) throw invalid({ notify_via: 'telegram' }, 'telegram.error.not_linked');
        const row = registration(ctx, f, p.data, category, now);
        rows.push(row);
        if (key) firstWithKey.set(key, i);
        results.push({ registered: row.id });
      } catch (error) {
        results.push({ error });
      }
    }
  }
  const inserted = rows.length ? await insertRegistrations(ctx, rows, now) : [];
  const byId = new Map(inserted.map((a) => [a.id, a]));
  for (const r of rows) {
    const appeal = byId.get(r.id)!;
    // A known outage at the address (the category's outage kind): one statement, none without a kind or a street.
    await linkKnownOutages({ tx, actor: r.filing.actor, community }, appeal, r.category.outage_kind);
    // Telegram's chat is looked up when the message is written; SMS and e-mail went with the insert.
    if (appeal.notify_via === 'telegram') await notifyApplicant({ ...ctx, actor: r.filing.actor, followUrl: r.filing.followUrl, rateUrl: r.filing.rateUrl }, appeal, 'registered');
  }
  const out: FilingResult[] = [];
  for (const r of results) {
    if ('registered' in r) out.push({ appeal: byId.get(r.registered)!, replayed: false });
    else if ('replayOf' in r) out.push(await getAppeal(tx, r.replayOf).then((appeal) => ({ appeal, replayed: true }), (error: unknown) => ({ error })));
    else if ('sameKeyAs' in r) out.push(sameKey(out[r.sameKeyAs]));
    else out.push(r);
  }
  return out;
}

const sameKey = (first: FilingResult): FilingResult => ('error' in first ? first : { appeal: first.appeal, replayed: true });

type Category = Pick<Selectable<AppealCategoriesTable>, 'id' | 'legal_days' | 'service_hours' | 'service_mode' | 'executor_org_id' | 'outage_kind'>;
type Registration = ReturnType<typeof registration>;

/** One appeal's rows, all made in node; its number is given by the insert. */
function registration(ctx: Pick<AppealsCtx, 'community' | 'secret'>, f: Filing, input: z.output<typeof NewAppeal>, category: Category, now: Date) {
  const { community } = ctx;
  const a = input.applicant;
  const anonymous = !(a.name && a.address && (a.phone || a.email));
  const closesAtOnce = input.type === 'consultation' || input.type === 'thanks';
  const legalDays = community.appeals_law === 'ua' && LEGAL_TYPES.has(input.type) && !anonymous ? category.legal_days : null;
  const status: AppealStatus = closesAtOnce ? 'closed' : 'registered';
  const id = randomUUID();
  const events = [eventRow(f.actor, community.id, id, { kind: 'registered', to: 'registered' })];
  if (closesAtOnce) events.push(eventRow(f.actor, community.id, id, { kind: 'closed', from: 'registered', to: 'closed', note: input.answer ?? null }));
  const appeal = {
    id,
    community_id: community.id,
    type: input.type,
    channel: f.channel,
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
    lang: f.lang,
    anonymous,
    confidential: input.confidential,
    resident_id: f.residentId ?? null,
    executor_org_id: category.executor_org_id,
    legal_days: legalDays,
    legal_due_at: legalDays ? legalDueAt(now, legalDays, 0, community.time_zone) : null,
    service_due_at: serviceDueAt(now, category.service_hours, category.service_mode, workCalendar(community)),
    created_by: f.actor.type === 'user' ? f.actor.id : null,
    closed_at: closesAtOnce ? now : null,
  } as const;
  const audit = auditRow(f.actor, { action: 'appeal.file', objectType: 'appeal', objectId: id, note: { channel: f.channel, type: input.type } });
  const key = f.idempotencyKey ? { community_id: community.id, scope: 'appeal', key: f.idempotencyKey, result_id: id } : null;
  // Telegram's chat is looked up after the insert (notifyApplicant); SMS and e-mail go with it.
  const message = appeal.notify_via === 'telegram' ? null : applicantMessage({ secret: ctx.secret, followUrl: f.followUrl }, { ...appeal, number: NUMBER_MARK }, 'registered');
  return { id, filing: f, category, appeal, events, audit, key, message };
}

/** One statement for all the registrations: each appeal's number comes from the community's
 * sequence for the year as its row is written, and goes into its applicant's message. */
async function insertRegistrations(ctx: Pick<AppealsCtx, 'tx' | 'community'>, rows: Registration[], now: Date): Promise<Appeal[]> {
  const { tx, community } = ctx;
  const year = now.getUTCFullYear();
  const parts = [
    sql`ins as (${tx.insertInto('appeals').values(rows.map((r) => ({
      ...r.appeal,
      // A sequence, not a locked counter: filings do not queue behind each other's commit (0004).
      number: nextNumberSql(community.id, year),
    }))).returningAll()})`,
    sql`ev as (${tx.insertInto('appeal_events').values(rows.flatMap((r) => r.events))})`,
    sql`au as (${tx.insertInto('audit_log').values(rows.map((r) => r.audit))})`,
  ];
  const keys = rows.flatMap((r) => (r.key ? [r.key] : []));
  if (keys.length) parts.push(sql`ik as (${tx.insertInto('idempotency_keys').values(keys)})`);
  const messages = rows.flatMap((r) => (r.message ? [{ id: r.id, ...r.message }] : []));
  if (messages.length) {
    const mark = (col: 'subject' | 'body') => sql`replace(${sql.ref(`m.${col}`)}, ${NUMBER_MARK}, ins.number)`;
    parts.push(sql`ob as (insert into outbox_messages (community_id, channel, recipient, subject, body, purpose)
      select ins.community_id, m.channel, m.recipient, ${mark('subject')}, ${mark('body')}, m.purpose
      from ins join (values ${sql.join(messages.map((m) => sql`(${m.id}::uuid, ${m.channel}, ${m.recipient}, ${m.subject ?? null}, ${m.body}, ${m.purpose})`))})
        as m (appeal_id, channel, recipient, subject, body, purpose) on m.appeal_id = ins.id)`);
  }
  return (await sql<Appeal>`with ${sql.join(parts)} select * from ins`.execute(tx)).rows;
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
