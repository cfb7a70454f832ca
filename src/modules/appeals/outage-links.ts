// Appeals during an outage: an appeal whose category names a kind of outage, filed at an
// address an active notice of that kind covers, is linked to the notice at intake; closing the
// notice may close its linked open appeals with a message, each applicant told once.
// Rules in README.md ("Appeals during an outage").
import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { Texts } from '../../db/types.ts';
import { t } from '../../i18n/i18n.ts';
import { recordAudit } from '../audit/service.ts';
import { invalid } from '../../http/errors.ts';
import { activeOutageIds } from '../outages/match.ts';
import type { OutageKind } from '../outages/tables.ts';
import { addEvent, type Appeal, type AppealsCtx } from './service.ts';
import { notifyApplicant } from './notify.ts';
import { canTransition, OPEN_STATUSES } from './states.ts';

/** The closing message's least length, as for incidents. */
export const MIN_CLOSING_MESSAGE = 5;

/**
 * Links a newly filed appeal to the active notices of its category's outage kind that cover its
 * address, with a public timeline entry ("linked to a known outage": the kind and the area, in
 * the appeal's language) for each. One statement; nothing is asked of the database when the
 * category has no outage kind, the appeal has no street from the register, or it is not open.
 */
export async function linkKnownOutages(
  ctx: Pick<AppealsCtx, 'tx' | 'actor' | 'community'>,
  appeal: Pick<Appeal, 'id' | 'status' | 'street_id' | 'building_id' | 'lat' | 'lon' | 'lang'>,
  kind: OutageKind | null,
): Promise<string[]> {
  if (!kind || !appeal.street_id || !OPEN_STATUSES.includes(appeal.status)) return [];
  const { tx, actor, community } = ctx;
  const place = { kind, streetId: appeal.street_id, buildingId: appeal.building_id, lat: appeal.lat, lon: appeal.lon };
  const area = (l: string) => sql`nullif(o.area_summary->>${l}::text, '')`;
  const r = await sql<{ outage_id: string }>`
    with hit as (${activeOutageIds(place)}),
    linked as (insert into appeal_outage_links (community_id, appeal_id, outage_id)
      select ${community.id}::uuid, ${appeal.id}::uuid, hit.id from hit on conflict do nothing returning outage_id),
    ev as (insert into appeal_events (community_id, appeal_id, kind, note, is_public, actor_type, actor_id, actor_label)
      select ${community.id}::uuid, ${appeal.id}::uuid, 'outage_linked',
        left(${t(appeal.lang, `outages.kind.${kind}`)}::text || coalesce(': ' || coalesce(${area(appeal.lang)}, ${area(community.default_lang)}, ${area('uk')}, ${area('en')}, ${area('fa')}), ''), 2000),
        true, ${actor.type}::text, ${actor.id}::uuid, ${actor.type === 'user' ? actor.label : null}::text
      from linked join outages o on o.id = linked.outage_id)
    select outage_id from linked`.execute(tx);
  return r.rows.map((x) => x.outage_id);
}

export type LinkedOutage = { id: string; kind: OutageKind; emergency: boolean; status: 'open' | 'closed'; area_summary: Texts; starts_at: Date; expected_end_at: Date; actual_end_at: Date | null };

/** The notices an appeal is linked to (the appeal page shows them). */
export async function linkedOutages(tx: Tx, appealId: string): Promise<LinkedOutage[]> {
  return tx.selectFrom('appeal_outage_links as l').innerJoin('outages as o', 'o.id', 'l.outage_id')
    .select(['o.id', 'o.kind', 'o.emergency', 'o.status', 'o.area_summary', 'o.starts_at', 'o.expected_end_at', 'o.actual_end_at'])
    .where('l.appeal_id', '=', appealId).orderBy('l.linked_at').execute() as Promise<LinkedOutage[]>;
}

/** How many appeals are linked to a notice, and how many of them are still open. */
export async function linkedAppealCounts(tx: Tx, outageId: string): Promise<{ open: number; total: number }> {
  const r = await tx.selectFrom('appeal_outage_links as l').innerJoin('appeals as a', 'a.id', 'l.appeal_id')
    .select((eb) => [eb.fn.countAll<string>().as('total'), sql<string>`count(*) filter (where a.status in (${sql.join(OPEN_STATUSES)}))`.as('open')])
    .where('l.outage_id', '=', outageId).executeTakeFirst();
  return { open: Number(r?.open ?? 0), total: Number(r?.total ?? 0) };
}

/** A closing message is required (and checked before anything changes). */
export function checkClosingMessage(message: string | undefined): string {
  const text = (message ?? '').trim();
  if (text.length < MIN_CLOSING_MESSAGE) throw invalid({ appeals_message: 'required' }, 'outages.close.error.message');
  return text.slice(0, 5000);
}

/** Who the applicant is told through: one message per person, whatever number of appeals. */
function contactKey(a: Appeal): string | null {
  const phone = a.applicant_phone?.replace(/\D/g, '').slice(-9) || null;
  const email = a.applicant_email?.toLowerCase() || null;
  switch (a.notify_via) {
    case 'email': return email && `email:${email}`;
    case 'sms': return phone && `sms:${phone}`;
    case 'telegram': return a.resident_id ? `telegram:${a.resident_id}` : (email && `email:${email}`) ?? (phone && `sms:${phone}`);
    default: return null;
  }
}

/**
 * Closes every open appeal linked to the notice (the state machine's `close`: a public timeline
 * entry with the message, an audit row) and tells each applicant once, in the appeal's
 * language, through the outbox, in the caller's transaction. The caller holds the notice's row
 * lock, so two closings do not both run.
 */
export async function closeLinkedAppeals(ctx: AppealsCtx, outageId: string, message: string): Promise<{ closed: number; notified: number }> {
  const text = checkClosingMessage(message);
  const { tx, actor } = ctx;
  const open = await tx.selectFrom('appeals').selectAll()
    .where('id', 'in', (eb) => eb.selectFrom('appeal_outage_links').select('appeal_id').where('outage_id', '=', outageId))
    .where('status', 'in', OPEN_STATUSES)
    .orderBy('created_at', 'desc').forUpdate().execute();
  const told = new Set<string>();
  let closed = 0;
  for (const a of open) {
    if (!canTransition(a.status, 'close')) continue;
    await tx.updateTable('appeals').set({ status: 'closed', closed_at: sql`now()`, updated_at: sql`now()` }).where('id', '=', a.id).execute();
    await addEvent(tx, actor, a.community_id, a.id, { kind: 'close', from: a.status, to: 'closed', note: text });
    await recordAudit(tx, actor, { action: 'appeal.close', objectType: 'appeal', objectId: a.id, before: { status: a.status }, after: { status: 'closed', outage_id: outageId } });
    closed++;
    const key = contactKey(a);
    if (!key || told.has(key)) continue;
    told.add(key);
    await notifyApplicant(ctx, { ...a, status: 'closed' }, 'outage_closed', text);
  }
  return { closed, notified: told.size };
}
