import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import type { z } from 'zod';
import { prepared, type Tx } from '../../db/db.ts';
import type { AppealChannel, AppealStatus, Lang } from '../../db/types.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { Community } from '../communities/service.ts';
import { auditRow, type Actor } from '../audit/service.ts';
import { invalid, notFound } from '../../http/errors.ts';
import { legalDueAt, serviceDueAt } from './deadlines.ts';
import { intakeCategories, type IntakeCategory } from './intake-categories.ts';
import { registrationYear } from './numbering.ts';
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
  /** `raw` already checked against NewAppeal (the API's body schema did it): not parsed again. */
  input?: z.output<typeof NewAppeal>;
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
 * actor and links), in one statement however many: it writes the appeals with their numbers,
 * timelines, audit entries, idempotency keys and the applicants' SMS or e-mail. A filing with
 * bad input gets its error and the others are registered all the same; a database error fails
 * them all (the transaction). Filings with the same key: the first is registered, the others are
 * its replays, and a key filed before (in this batch's time or earlier) replays its appeal.
 */
export async function fileAppeals(ctx: Omit<AppealsCtx, 'actor' | 'followUrl' | 'rateUrl'>, filings: Filing[]): Promise<FilingResult[]> {
  const { tx, community } = ctx;
  const parsed = filings.map((f) => (f.input ? { success: true as const, data: f.input } : NewAppeal.safeParse(f.raw)));
  const results: Array<FilingResult | { pending: true } | { sameKeyAs: number }> = filings.map(() => ({ pending: true }));
  const firstWithKey = new Map<string, number>();
  const badWithKey: number[] = [];
  for (const [i, f] of filings.entries()) {
    const key = f.idempotencyKey ?? null;
    const p = parsed[i];
    if (key && firstWithKey.has(key)) results[i] = { sameKeyAs: firstWithKey.get(key)! };
    else if (key) firstWithKey.set(key, i);
    if ('sameKeyAs' in results[i]) continue;
    if (!p.success) {
      results[i] = { error: p.error };
      // A retry gets the first call's appeal whatever its input: the key decides before the input.
      if (key) badWithKey.push(i);
    }
  }
  if (badWithKey.length) {
    const earlier = await appealsOfKeys(tx, badWithKey.map((i) => filings[i].idempotencyKey!));
    for (const i of badWithKey) if (earlier.has(filings[i].idempotencyKey!)) results[i] = await replay(tx, earlier.get(filings[i].idempotencyKey!)!);
  }

  const now = new Date();
  // The input of a filing still pending (such a filing passed parsing).
  const inputOf = (i: number) => (parsed[i] as { data: z.output<typeof NewAppeal> }).data;
  const written: Array<{ filing: Filing; appeal: Appeal; category: IntakeCategory }> = [];
  let fresh = false;
  // A filing whose category changed since it was read (intake-categories.ts) is not written; it
  // goes round again with the catalogue read afresh. Twice more at most: a catalogue edited
  // three times during one batch fails that batch, which the caller retries.
  for (let round = 0; round < 3; round++) {
    const todo = [...results.keys()].filter((i) => 'pending' in results[i]);
    if (!todo.length) break;
    const needed = todo.map((i) => inputOf(i).category_id);
    const catalogue = await intakeCategories(tx, community.id, needed, fresh);
    const dues = new Map<string, { legal: Date | null; service: Date }>();
    // Each row with the index of its filing (a filing refused here has no row).
    const rows: Array<Registration & { i: number }> = [];
    for (const i of todo) {
      const f = filings[i];
      const input = inputOf(i);
      try {
        const category = catalogue.get(input.category_id);
        if (!category) throw invalid({ category_id: 'unknown' }, 'appeals.error.unknown_category');
        if (input.street_id && !(await addressIdsExist(tx, input.street_id, input.building_id ?? null))) throw invalid({ street_id: 'unknown' });
        if (input.notify_via === 'telegram' && !(await telegramChatOf(tx, f.residentId ?? null))) throw invalid({ notify_via: 'telegram' }, 'telegram.error.not_linked');
        rows.push({ ...registration(ctx, f, input, category, now, dues), i });
      } catch (error) {
        results[i] = { error };
      }
    }
    if (!rows.length) break;
    const inserted = new Map((await insertRegistrations(ctx, rows, now)).map((a) => [a.id, a]));
    const missing = rows.filter((r) => !inserted.has(r.id));
    // Not written: either its key was filed before (by another batch, perhaps at this very
    // moment), or its category changed since it was read.
    const earlier = await appealsOfKeys(tx, missing.flatMap((r) => (r.filing.idempotencyKey ? [r.filing.idempotencyKey] : [])));
    for (const r of rows) {
      const appeal = inserted.get(r.id);
      if (appeal) {
        results[r.i] = { appeal, replayed: false };
        written.push({ filing: r.filing, appeal, category: r.category });
      } else if (r.filing.idempotencyKey && earlier.has(r.filing.idempotencyKey)) results[r.i] = await replay(tx, earlier.get(r.filing.idempotencyKey)!);
    }
    fresh = true;
  }
  for (const [i, r] of results.entries()) if ('pending' in r) results[i] = { error: new Error('appeal category changed while filing; try again') };

  for (const { filing: f, appeal, category } of written) {
    // A known outage at the address (the category's outage kind): one statement, none without a kind or a street.
    await linkKnownOutages({ tx, actor: f.actor, community }, appeal, category.outage_kind);
    // Telegram's chat is looked up when the message is written; SMS and e-mail went with the insert.
    if (appeal.notify_via === 'telegram') await notifyApplicant({ ...ctx, actor: f.actor, followUrl: f.followUrl, rateUrl: f.rateUrl }, appeal, 'registered');
  }
  return results.map((r) => ('sameKeyAs' in r ? sameKey(results[r.sameKeyAs] as FilingResult) : (r as FilingResult)));
}

const sameKey = (first: FilingResult): FilingResult => ('error' in first ? first : { appeal: first.appeal, replayed: true });

/** The appeals that idempotency keys were first filed for. */
async function appealsOfKeys(tx: Tx, keys: string[]): Promise<Map<string, string>> {
  if (!keys.length) return new Map();
  const rows = await tx.selectFrom('idempotency_keys').select(['key', 'result_id']).where('scope', '=', 'appeal').where('key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.key, r.result_id]));
}

const replay = (tx: Tx, id: string): Promise<FilingResult> => getAppeal(tx, id).then((appeal) => ({ appeal, replayed: true }), (error: unknown) => ({ error }));

type Registration = ReturnType<typeof registration>;

/** One appeal's rows, all made in node; its number is given by the insert. The terms depend
 * only on the category and the moment, so a batch works each out once (`dues`). */
function registration(ctx: Pick<AppealsCtx, 'community' | 'secret'>, f: Filing, input: z.output<typeof NewAppeal>, category: IntakeCategory, now: Date, dues: Map<string, { legal: Date | null; service: Date }>) {
  const { community } = ctx;
  const a = input.applicant;
  const anonymous = !(a.name && a.address && (a.phone || a.email));
  const closesAtOnce = input.type === 'consultation' || input.type === 'thanks';
  const legalDays = community.appeals_law === 'ua' && LEGAL_TYPES.has(input.type) && !anonymous ? category.legal_days : null;
  const dueKey = `${category.id}:${legalDays ?? ''}`;
  let due = dues.get(dueKey);
  if (!due) {
    due = { legal: legalDays ? legalDueAt(now, legalDays, 0, community.time_zone) : null, service: serviceDueAt(now, category.service_hours, category.service_mode, workCalendar(community)) };
    dues.set(dueKey, due);
  }
  const status: AppealStatus = closesAtOnce ? 'closed' : 'registered';
  const id = randomUUID();
  const events = [eventRow(f.actor, community.id, id, { kind: 'registered', to: 'registered' })];
  if (closesAtOnce) events.push(eventRow(f.actor, community.id, id, { kind: 'closed', from: 'registered', to: 'closed', note: input.answer ?? null }));
  const appeal = {
    id,
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
    legal_due_at: due.legal,
    service_due_at: due.service,
    created_by: f.actor.type === 'user' ? f.actor.id : null,
    closed_at: closesAtOnce ? now : null,
  } as const;
  const audit = auditRow(f.actor, { action: 'appeal.file', objectType: 'appeal', objectId: id, note: { channel: f.channel, type: input.type } });
  // Telegram's chat is looked up after the insert (notifyApplicant); SMS and e-mail go with it.
  const message = appeal.notify_via === 'telegram' ? null : applicantMessage({ secret: ctx.secret, followUrl: f.followUrl }, { ...appeal, number: NUMBER_MARK }, 'registered');
  return { id, filing: f, category, appeal, events, audit, message };
}

/** The appeals' columns in the order of the insert below, with their types. */
const APPEAL_COLUMNS = [
  ['id', 'uuid'], ['type', 'text'], ['channel', 'text'], ['status', 'text'], ['category_id', 'uuid'], ['description', 'text'], ['address', 'text'],
  ['lat', 'float8'], ['lon', 'float8'], ['street_id', 'uuid'], ['building_id', 'uuid'], ['applicant_name', 'text'], ['applicant_phone', 'text'],
  ['applicant_email', 'text'], ['applicant_address', 'text'], ['notify_via', 'text'], ['lang', 'text'], ['anonymous', 'bool'], ['confidential', 'bool'],
  ['resident_id', 'uuid'], ['executor_org_id', 'uuid'], ['legal_days', 'int2'], ['legal_due_at', 'timestamptz'], ['service_due_at', 'timestamptz'],
  ['created_by', 'uuid'], ['closed_at', 'timestamptz'],
] as const;
const EVENT_COLUMNS = [['appeal_id', 'uuid'], ['kind', 'text'], ['from_status', 'text'], ['to_status', 'text'], ['note', 'text'], ['is_public', 'bool'], ['actor_type', 'text'], ['actor_id', 'uuid'], ['actor_label', 'text']] as const;
const AUDIT_COLUMNS = [['object_id', 'text'], ['actor_type', 'text'], ['actor_id', 'uuid'], ['actor_label', 'text'], ['action', 'text'], ['object_type', 'text'], ['changes', 'jsonb'], ['request_id', 'text'], ['ip', 'text']] as const;
const MESSAGE_COLUMNS = [['appeal_id', 'uuid'], ['channel', 'text'], ['recipient', 'text'], ['subject', 'text'], ['body', 'text'], ['purpose', 'text']] as const;

type Columns = ReadonlyArray<readonly [string, string]>;
/** `unnest($2::uuid[], $3::text[], …) with ordinality as alias(col, …, ord)`, numbered from `first`. */
const unnestOf = (columns: Columns, first: number, alias: string) =>
  `unnest(${columns.map(([, type], i) => `$${first + i}::${type}[]`).join(', ')}) with ordinality as ${alias}(${columns.map(([name]) => name).join(', ')}, ord)`;
const names = (columns: Columns, alias?: string) => columns.map(([name]) => (alias ? `${alias}.${name}` : name)).join(', ');

// The parameters: $1 community, $2 year, then one array per column of each unnest.
const P_APPEALS = 3;
const P_KEYS = P_APPEALS + APPEAL_COLUMNS.length;
const P_EVENTS = P_KEYS + 2;
const P_AUDIT = P_EVENTS + EVENT_COLUMNS.length;
const P_MESSAGES = P_AUDIT + AUDIT_COLUMNS.length;
const MARK = `'${NUMBER_MARK}'`;

/** The one statement of a batch (its text never changes, so PostgreSQL parses it once per
 * connection): each filing is written only if its category still has the version it was read
 * at, and only if its idempotency key was not filed before; the number comes from the
 * community's sequence for the year as its row is written, and goes into its applicant's message. */
const INSERT_REGISTRATIONS = prepared(`with v as (select * from ${unnestOf(APPEAL_COLUMNS, P_APPEALS, 'v0')}),
  k as (select * from unnest($${P_KEYS}::text[], $${P_KEYS + 1}::text[]) with ordinality as k0(key, category_xmin, ord)),
  ok as (select v.*, k.key from v join k using (ord)
    join appeal_categories c on c.id = v.category_id and c.archived_at is null and c.xmin = k.category_xmin::xid),
  ik as (insert into idempotency_keys (community_id, scope, key, result_id)
    select $1, 'appeal', ok.key, ok.id from ok where ok.key is not null on conflict do nothing returning result_id),
  fresh as (select ok.*, row_number() over (order by ok.ord) as rn from ok where ok.key is null or ok.id in (select result_id from ik)),
  num as (select n, rn from appeal_numbers($1, $2, (select count(*)::int from fresh)) with ordinality as t(n, rn)),
  ins as (insert into appeals (community_id, number, ${names(APPEAL_COLUMNS)})
    select $1, $2::text || '-' || lpad(num.n::text, greatest(6, length(num.n::text)), '0'), ${names(APPEAL_COLUMNS, 'f')}
    from fresh f join num using (rn) order by f.ord returning *),
  ev as (insert into appeal_events (community_id, ${names(EVENT_COLUMNS)})
    select $1, ${names(EVENT_COLUMNS, 'e')} from ${unnestOf(EVENT_COLUMNS, P_EVENTS, 'e')} where e.appeal_id in (select id from ins)),
  au as (insert into audit_log (community_id, ${names(AUDIT_COLUMNS)})
    select $1, ${names(AUDIT_COLUMNS, 'a')} from ${unnestOf(AUDIT_COLUMNS, P_AUDIT, 'a')} where a.object_id::uuid in (select id from ins)),
  ob as (insert into outbox_messages (community_id, channel, recipient, subject, body, purpose)
    select $1, m.channel, m.recipient, replace(m.subject, ${MARK}, ins.number), replace(m.body, ${MARK}, ins.number), m.purpose
    from ${unnestOf(MESSAGE_COLUMNS, P_MESSAGES, 'm')} join ins on ins.id = m.appeal_id)
  select * from ins`);

/** Column-wise arrays of `rows`, in the order of `columns`. */
const arrays = <R extends Record<string, unknown>>(columns: Columns, rows: R[]) => columns.map(([name]) => rows.map((r) => r[name] ?? null));

/** Writes the registrations (INSERT_REGISTRATIONS) and returns the appeals written. */
async function insertRegistrations(ctx: Pick<AppealsCtx, 'tx' | 'community'>, rows: Registration[], now: Date): Promise<Appeal[]> {
  const messages = rows.flatMap((r) => (r.message ? [{ appeal_id: r.id, ...r.message }] : []));
  const parameters = [
    ctx.community.id,
    registrationYear(now, ctx.community.time_zone),
    ...arrays(APPEAL_COLUMNS, rows.map((r) => r.appeal)),
    rows.map((r) => r.filing.idempotencyKey ?? null),
    rows.map((r) => r.category.xmin),
    ...arrays(EVENT_COLUMNS, rows.flatMap((r) => r.events)),
    ...arrays(AUDIT_COLUMNS, rows.map((r) => r.audit)),
    ...arrays(MESSAGE_COLUMNS, messages),
  ];
  const r = await ctx.tx.executeQuery<Appeal>(CompiledQuery.raw(INSERT_REGISTRATIONS, parameters));
  return r.rows;
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
