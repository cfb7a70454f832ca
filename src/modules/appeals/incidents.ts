import { sql } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../db/db.ts';
import { recordAudit } from '../audit/service.ts';
import { AppError, forbidden, invalid, notFound } from '../../http/errors.ts';
import { addEvent, getAppeal, type Appeal, type AppealsCtx } from './service.ts';
import { isController, isOperator, seesAllAppeals, type Handler } from './actions.ts';
import { notifyApplicant } from './notify.ts';
import { OPEN_STATUSES } from './states.ts';

// Incidents (A9): operators group appeals about one thing; controllers also split appeals out
// and close the incident, which closes its open appeals and tells every applicant once.

const optional = (max: number) => z.string().trim().max(max).optional().transform((v) => (v ? v : null));

export const NewIncident = z
  .object({
    category_id: z.string().uuid(),
    title: z.string().trim().min(3).max(200),
    description: z.string().trim().max(5000).default(''),
    location: optional(300),
    lat: z.coerce.number().min(-90).max(90).optional(),
    lon: z.coerce.number().min(-180).max(180).optional(),
    appeal_ids: z.array(z.string().uuid()).max(500).default([]),
  })
  .strict();
export type NewIncident = z.input<typeof NewIncident>;

export type Incident = Awaited<ReturnType<typeof getIncident>>;

export async function getIncident(tx: Tx, id: string, forUpdate = false) {
  if (!z.string().uuid().safeParse(id).success) throw notFound();
  let q = tx.selectFrom('appeal_incidents').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** Incidents, newest first. Executors see only incidents holding their organisation's appeals. */
export async function listIncidents(tx: Tx, h: Handler, f: { status: 'open' | 'closed'; limit: number }) {
  return tx
    .selectFrom('appeal_incidents as i')
    .innerJoin('appeal_categories as c', 'c.id', 'i.category_id')
    .select(['i.id', 'i.title', 'i.status', 'i.location', 'i.created_at', 'i.closed_at', 'c.names as category_names', 'c.icon'])
    .select((eb) => eb.selectFrom('appeals as a').select(eb.fn.countAll<string>().as('n')).whereRef('a.incident_id', '=', 'i.id').as('appeals'))
    .where('i.status', '=', f.status)
    .$if(!seesAllAppeals(h), (q) => q.where((eb) => eb.exists(eb.selectFrom('appeals as x').select('x.id')
      .whereRef('x.incident_id', '=', 'i.id').where('x.executor_org_id', '=', h.organisationId ?? '00000000-0000-0000-0000-000000000000'))))
    .orderBy('i.created_at', 'desc')
    .limit(f.limit)
    .execute();
}

/** The incident's appeals (an executor sees only its own organisation's). */
export async function incidentAppeals(tx: Tx, h: Handler, incidentId: string) {
  return tx
    .selectFrom('appeals')
    .select(['id', 'number', 'status', 'description', 'address', 'created_at', 'executor_org_id', 'applicant_name', 'confidential'])
    .where('incident_id', '=', incidentId)
    .$if(!seesAllAppeals(h), (q) => q.where('executor_org_id', '=', h.organisationId ?? '00000000-0000-0000-0000-000000000000'))
    .orderBy('created_at')
    .execute();
}

async function lockAppeal(tx: Tx, id: string): Promise<Appeal> {
  if (!z.string().uuid().safeParse(id).success) throw notFound();
  const a = await tx.selectFrom('appeals').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!a) throw notFound();
  return a;
}

async function link(ctx: AppealsCtx, incident: Incident, appealId: string) {
  const a = await lockAppeal(ctx.tx, appealId);
  if (a.incident_id === incident.id) return a;
  if (!OPEN_STATUSES.includes(a.status)) throw new AppError(409, 'appeal_not_open', 'appeals.incident.error.appeal_not_open', undefined, { number: a.number });
  if (a.category_id !== incident.category_id) throw invalid({ appeal: 'category' }, 'appeals.incident.error.other_category');
  if (a.incident_id) throw new AppError(409, 'appeal_in_incident', 'appeals.incident.error.already_linked', undefined, { number: a.number });
  await ctx.tx.updateTable('appeals').set({ incident_id: incident.id, updated_at: sql`now()` }).where('id', '=', a.id).execute();
  await addEvent(ctx.tx, ctx.actor, a.community_id, a.id, { kind: 'incident_linked', note: incident.title, isPublic: false });
  await recordAudit(ctx.tx, ctx.actor, { action: 'appeal.incident_link', objectType: 'appeal', objectId: a.id, before: { incident_id: null }, after: { incident_id: incident.id } });
  return a;
}

/** Groups appeals (possibly none yet) into a new open incident of their category. */
export async function createIncident(ctx: AppealsCtx, h: Handler, raw: NewIncident) {
  if (!isOperator(h)) throw forbidden();
  const input = NewIncident.parse(raw);
  const category = await ctx.tx.selectFrom('appeal_categories').select('id').where('id', '=', input.category_id).where('archived_at', 'is', null).executeTakeFirst();
  if (!category) throw invalid({ category_id: 'unknown' }, 'appeals.error.unknown_category');
  const incident = await ctx.tx
    .insertInto('appeal_incidents')
    .values({
      community_id: ctx.community.id, category_id: input.category_id, title: input.title, description: input.description,
      location: input.location, lat: input.lat ?? null, lon: input.lon ?? null, created_by: ctx.actor.type === 'user' ? ctx.actor.id : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(ctx.tx, ctx.actor, { action: 'appeal_incident.create', objectType: 'appeal_incident', objectId: incident.id, before: null, after: { title: input.title, category_id: input.category_id } });
  for (const id of [...new Set(input.appeal_ids)]) await link(ctx, incident, id);
  return incident;
}

/** Adds an open appeal of the same category to an open incident ("merge into an incident"). */
export async function addToIncident(ctx: AppealsCtx, h: Handler, incidentId: string, appealId: string) {
  if (!isOperator(h)) throw forbidden();
  const incident = await getIncident(ctx.tx, incidentId, true);
  if (incident.status !== 'open') throw new AppError(409, 'incident_closed', 'appeals.incident.error.closed');
  return link(ctx, incident, appealId);
}

/** Finds an appeal by its registration number, for "add by number" forms. */
export async function appealIdByNumber(tx: Tx, number: string): Promise<string> {
  const row = await tx.selectFrom('appeals').select('id').where('number', '=', number.trim()).executeTakeFirst();
  if (!row) throw invalid({ number: 'unknown' }, 'appeals.incident.error.unknown_number');
  return row.id;
}

/** Takes an appeal out of its incident ("split"): it is handled on its own again. */
export async function splitFromIncident(ctx: AppealsCtx, h: Handler, appealId: string) {
  if (!isController(h)) throw forbidden();
  // The incident is locked before the appeal, in the same order as closing and adding do.
  if (!z.string().uuid().safeParse(appealId).success) throw notFound();
  const seen = await getAppeal(ctx.tx, appealId);
  if (!seen.incident_id) throw new AppError(409, 'not_in_incident', 'appeals.incident.error.not_linked');
  const incident = await getIncident(ctx.tx, seen.incident_id, true);
  const a = await lockAppeal(ctx.tx, appealId);
  if (a.incident_id !== incident.id) throw new AppError(409, 'not_in_incident', 'appeals.incident.error.not_linked');
  if (incident.status !== 'open') throw new AppError(409, 'incident_closed', 'appeals.incident.error.closed');
  await ctx.tx.updateTable('appeals').set({ incident_id: null, updated_at: sql`now()` }).where('id', '=', a.id).execute();
  await addEvent(ctx.tx, ctx.actor, a.community_id, a.id, { kind: 'incident_split', note: incident.title, isPublic: false });
  await recordAudit(ctx.tx, ctx.actor, { action: 'appeal.incident_split', objectType: 'appeal', objectId: a.id, before: { incident_id: incident.id }, after: { incident_id: null } });
  return a;
}

/**
 * Closes the incident with a message to the applicants: every open appeal in it is closed
 * (a public timeline entry with the message) and each applicant is told once, in their own
 * language, through the outbox, in this transaction. Someone who reported the same thing in
 * several appeals (same contact) gets one message, about the latest. The incident row is
 * locked first, so a second close waits and then finds it closed.
 */
export async function closeIncident(ctx: AppealsCtx, h: Handler, incidentId: string, message: string) {
  if (!isController(h)) throw forbidden();
  const incident = await getIncident(ctx.tx, incidentId, true);
  if (incident.status !== 'open') throw new AppError(409, 'incident_closed', 'appeals.incident.error.closed');
  const text = message.trim();
  if (text.length < 5) throw invalid({ message: 'required' }, 'appeals.incident.error.message_required');
  const open = await ctx.tx.selectFrom('appeals').selectAll().where('incident_id', '=', incident.id).where('status', 'in', OPEN_STATUSES)
    .orderBy('created_at', 'desc').forUpdate().execute();
  await ctx.tx.updateTable('appeal_incidents')
    .set({ status: 'closed', closed_at: sql`now()`, closed_by: ctx.actor.type === 'user' ? ctx.actor.id : null, closing_message: text.slice(0, 5000) })
    .where('id', '=', incident.id).execute();
  await recordAudit(ctx.tx, ctx.actor, { action: 'appeal_incident.close', objectType: 'appeal_incident', objectId: incident.id, before: { status: 'open' }, after: { status: 'closed', appeals: open.length } });
  const told = new Set<string>();
  for (const a of open) {
    await ctx.tx.updateTable('appeals').set({ status: 'closed', closed_at: sql`now()`, updated_at: sql`now()` }).where('id', '=', a.id).execute();
    await addEvent(ctx.tx, ctx.actor, a.community_id, a.id, { kind: 'close', from: a.status, to: 'closed', note: text.slice(0, 5000) });
    await recordAudit(ctx.tx, ctx.actor, { action: 'appeal.close', objectType: 'appeal', objectId: a.id, before: { status: a.status }, after: { status: 'closed', incident_id: incident.id } });
    const contact = a.notify_via === 'email' ? a.applicant_email?.toLowerCase() : a.notify_via === 'sms' ? a.applicant_phone?.replace(/\D/g, '').slice(-9) : null;
    if (!contact || told.has(`${a.notify_via}:${contact}`)) continue;
    told.add(`${a.notify_via}:${contact}`);
    await notifyApplicant(ctx, await getAppeal(ctx.tx, a.id), 'incident_closed', text);
  }
  return { incident: await getIncident(ctx.tx, incident.id), closed: open.length, notified: told.size };
}
