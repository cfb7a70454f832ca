import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../db/db.ts';
import type { AppealStatus } from '../../db/types.ts';
import { recordAudit } from '../audit/service.ts';
import { AppError, forbidden, invalid, notFound } from '../../http/errors.ts';
import { canTransition, TRANSITIONS, type Transition } from './states.ts';
import { addEvent, getAppeal, type Appeal, type AppealsCtx } from './service.ts';
import { notifyApplicant, type Notice } from './notify.ts';
import { legalDueAt, MAX_LEGAL_DAYS } from './deadlines.ts';

/** Who may act on an appeal. Executors act only on their own organisation's appeals. */
export type Handler = { userId: string; roles: string[]; organisationId: string | null };
type Roles = { roles: string[] };
export const isController = (h: Roles) => h.roles.includes('appeals_controller') || h.roles.includes('community_admin');
/** Operators (and controllers) register appeals and record ratings given by phone. */
export const isOperator = (h: Roles) => h.roles.includes('appeals_operator') || isController(h);
/** Leadership and the desk see every appeal and the dashboard; executors only their own. */
export const seesAllAppeals = (h: Roles) => isOperator(h) || h.roles.includes('leadership');
export const isExecutorOf = (h: Handler, a: Pick<Appeal, 'executor_org_id'>) => h.roles.includes('executor') && h.organisationId === a.executor_org_id;

/** Staff who may see the appeal at all (others get "not found", not "forbidden"). */
export function canView(h: Handler, a: Pick<Appeal, 'executor_org_id'>): boolean {
  return seesAllAppeals(h) || isExecutorOf(h, a);
}

async function load(ctx: AppealsCtx, h: Handler | null, id: string): Promise<Appeal> {
  if (!z.string().uuid().safeParse(id).success) throw notFound();
  const a = await ctx.tx.selectFrom('appeals').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!a || (h && !canView(h, a))) throw notFound();
  return a;
}

async function move(ctx: AppealsCtx, a: Appeal, t: Transition, note: string | null, extra: Record<string, unknown> = {}, notice?: Notice) {
  if (!canTransition(a.status, t)) throw new AppError(409, 'invalid_transition', 'appeals.error.invalid_transition', { from: a.status, action: t });
  const to: AppealStatus = TRANSITIONS[t].to;
  await ctx.tx.updateTable('appeals').set({ status: to, updated_at: sql`now()`, ...extra }).where('id', '=', a.id).execute();
  await addEvent(ctx.tx, ctx.actor, a.community_id, a.id, { kind: t, from: a.status, to, note });
  await recordAudit(ctx.tx, ctx.actor, { action: `appeal.${t}`, objectType: 'appeal', objectId: a.id, before: { status: a.status }, after: { status: to, ...extra } });
  const after = await getAppeal(ctx.tx, a.id);
  await notifyApplicant(ctx, after, notice ?? (to as Notice));
  return after;
}

export async function acceptAppeal(ctx: AppealsCtx, h: Handler, id: string) {
  const a = await load(ctx, h, id);
  if (!isExecutorOf(h, a) && !isController(h)) throw forbidden();
  return move(ctx, a, 'accept', null, { accepted_at: new Date() });
}

export async function reportExecution(ctx: AppealsCtx, h: Handler, id: string, report: string) {
  const a = await load(ctx, h, id);
  if (!isExecutorOf(h, a) && !isController(h)) throw forbidden();
  if (report.trim().length < 5) throw invalid({ report: 'required' }, 'appeals.error.report_required');
  return move(ctx, a, 'report', report.trim(), { reported_at: new Date(), reassign_requested: false });
}

export async function addNote(ctx: AppealsCtx, h: Handler | null, id: string, note: string, isPublic: boolean) {
  const a = await load(ctx, h, id);
  if (!note.trim()) throw invalid({ note: 'required' }, 'error.field.required');
  await addEvent(ctx.tx, ctx.actor, a.community_id, a.id, { kind: 'note', note: note.trim().slice(0, 5000), isPublic });
  return a;
}

export async function requestReassignment(ctx: AppealsCtx, h: Handler, id: string, reason: string) {
  const a = await load(ctx, h, id);
  if (!isExecutorOf(h, a)) throw forbidden();
  await ctx.tx.updateTable('appeals').set({ reassign_requested: true }).where('id', '=', a.id).execute();
  await addEvent(ctx.tx, ctx.actor, a.community_id, a.id, { kind: 'reassign_requested', note: reason.trim().slice(0, 2000), isPublic: false });
  return a;
}

export async function reassignAppeal(ctx: AppealsCtx, h: Handler, id: string, organisationId: string, reason: string) {
  if (!isController(h)) throw forbidden();
  const a = await load(ctx, h, id);
  const org = await ctx.tx.selectFrom('organisations').select('id').where('id', '=', organisationId).where('archived_at', 'is', null).executeTakeFirst();
  if (!org) throw invalid({ organisation_id: 'unknown' }, 'error.unknown_organisation');
  return move(ctx, a, 'reassign', reason || null, { executor_org_id: organisationId, reassign_requested: false, accepted_at: null }, 'reassigned');
}

export async function returnToExecutor(ctx: AppealsCtx, h: Handler, id: string, reason: string) {
  if (!isController(h)) throw forbidden();
  return move(ctx, await load(ctx, h, id), 'return', reason || null, {}, 'in_progress');
}

export async function closeAppeal(ctx: AppealsCtx, h: Handler, id: string, reason: string) {
  if (!isController(h)) throw forbidden();
  return move(ctx, await load(ctx, h, id), 'close', reason || null, { closed_at: new Date() });
}

/** Extends the legal term with a reason; the total never passes 45 days. The applicant is told. */
export async function extendTerm(ctx: AppealsCtx, h: Handler, id: string, days: number, reason: string) {
  if (!isController(h)) throw forbidden();
  const a = await load(ctx, h, id);
  if (!a.legal_days) throw new AppError(409, 'no_legal_term', 'appeals.error.no_legal_term');
  const total = a.legal_days + a.legal_extension_days + days;
  if (!Number.isInteger(days) || days < 1 || total > MAX_LEGAL_DAYS) throw invalid({ days: 'range' }, 'appeals.error.extension_too_long');
  if (reason.trim().length < 5) throw invalid({ reason: 'required' }, 'appeals.error.reason_required');
  const extension = a.legal_extension_days + days;
  const due = legalDueAt(a.created_at, a.legal_days, extension, ctx.community.time_zone);
  await ctx.tx.updateTable('appeals').set({ legal_extension_days: extension, legal_due_at: due }).where('id', '=', a.id).execute();
  await addEvent(ctx.tx, ctx.actor, a.community_id, a.id, { kind: 'extended', note: reason.trim() });
  await recordAudit(ctx.tx, ctx.actor, { action: 'appeal.extend', objectType: 'appeal', objectId: a.id, before: { legal_due_at: a.legal_due_at }, after: { legal_due_at: due } });
  const after = await getAppeal(ctx.tx, a.id);
  await notifyApplicant(ctx, after, 'extended');
  return after;
}

export async function setOnControl(ctx: AppealsCtx, h: Handler, id: string, on: boolean) {
  if (!isController(h) && !h.roles.includes('leadership')) throw forbidden();
  const a = await load(ctx, h, id);
  await ctx.tx.updateTable('appeals').set({ on_control: on }).where('id', '=', a.id).execute();
  await addEvent(ctx.tx, ctx.actor, a.community_id, a.id, { kind: on ? 'control_on' : 'control_off', isPublic: false });
  return a;
}

/** The resident's rating (by the link in the message, or told to an operator on the phone).
 * 1–2 reopens the appeal for another review with the comment; 3–5 resolves it. */
export async function rateAppeal(ctx: AppealsCtx, id: string, rating: number, comment: string | null) {
  const a = await load(ctx, null, id);
  const good = rating >= 3;
  const extra = good ? { rating, resolved_at: new Date() } : { rating, reopen_count: a.reopen_count + 1, reported_at: null };
  const note = [`★ ${rating}`, comment].filter(Boolean).join(' — ');
  return move(ctx, a, good ? 'rate_good' : 'rate_bad', note, extra);
}

export async function rateByToken(ctx: AppealsCtx, token: string, rating: number, comment: string | null) {
  const hash = createHash('sha256').update(token).digest('hex');
  const req = await ctx.tx.selectFrom('appeal_rating_requests').select(['id', 'appeal_id', 'used_at']).where('token_hash', '=', hash).forUpdate().executeTakeFirst();
  if (!req || req.used_at) throw notFound();
  await ctx.tx.updateTable('appeal_rating_requests').set({ used_at: sql`now()` }).where('id', '=', req.id).execute();
  return rateAppeal(ctx, req.appeal_id, rating, comment);
}

export async function appealByRatingToken(tx: Tx, token: string) {
  const hash = createHash('sha256').update(token).digest('hex');
  const req = await tx.selectFrom('appeal_rating_requests').select(['appeal_id', 'used_at']).where('token_hash', '=', hash).executeTakeFirst();
  if (!req) throw notFound();
  return { appeal: await getAppeal(tx, req.appeal_id), used: req.used_at !== null };
}
