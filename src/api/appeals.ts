import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../http/context.ts';
import { forbidden, notFound } from '../http/errors.ts';
import { withCommunity } from '../db/db.ts';
import { operation } from './registry.ts';
import { getAppeal, listAppeals, timeline, type Appeal } from '../modules/appeals/service.ts';
import * as act from '../modules/appeals/actions.ts';
import { APPEAL_CHANNELS, APPEAL_TYPES, NewAppeal } from '../modules/appeals/schema.ts';
import { appealsActor, appealsCtx } from '../web/appeals-context.ts';
import { IntakeBatcher } from '../modules/appeals/intake-batch.ts';

const Id = z.object({ id: z.string().uuid() });
const AppealOut = z.object({
  id: z.string(), number: z.string(), type: z.enum(APPEAL_TYPES), channel: z.enum(APPEAL_CHANNELS), status: z.string(), category_id: z.string(),
  description: z.string(), address: z.string().nullable(), executor_org_id: z.string(), anonymous: z.boolean(), confidential: z.boolean(),
  legal_due_at: z.string().nullable(), service_due_at: z.string(), on_control: z.boolean(), reopen_count: z.number(), rating: z.number().nullable(),
  created_at: z.string(),
  applicant: z.object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable(), address: z.string().nullable() }),
});
const out = (a: Appeal) => ({
  id: a.id, number: a.number, type: a.type, channel: a.channel, status: a.status, category_id: a.category_id, description: a.description,
  address: a.address, executor_org_id: a.executor_org_id, anonymous: a.anonymous, confidential: a.confidential, legal_due_at: a.legal_due_at,
  service_due_at: a.service_due_at, on_control: a.on_control, reopen_count: a.reopen_count, rating: a.rating, created_at: a.created_at,
  applicant: { name: a.applicant_name, phone: a.applicant_phone, email: a.applicant_email, address: a.applicant_address },
});

const IdempotencyKey = z.string().min(8).max(200).optional();

export const appealsApi = (app: App) => async (r: FastifyInstance) => {
  // Filings that arrive together are written together (intake-batch.ts).
  const intake = new IntakeBatcher({ db: app.db, queue: app.queue, secret: app.secret });
  const inTx = <T>(req: FastifyRequest, fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(app.db, req.community.id, fn);

  operation(r, {
    method: 'POST', path: '/v1/appeals', tag: 'appeals', permission: 'appeals.use', status: 201,
    summary: 'Register an appeal (any channel). Send an Idempotency-Key header: a retry with the same key returns the same appeal.',
    body: NewAppeal.extend({ channel: z.enum(APPEAL_CHANNELS).default('phone') }),
    response: AppealOut,
    handler: async ({ req, staff, body }) => {
      if (!act.isOperator(staff)) throw forbidden();
      const key = IdempotencyKey.parse(req.headers['idempotency-key']);
      const { channel, ...input } = body;
      // The body was checked against NewAppeal (the operation's schema): fileAppeals takes it as it is.
      const { appeal } = await intake.file(req.community, { raw: input, input, channel, lang: req.community.default_lang, idempotencyKey: key ?? null, ...appealsActor(app, req) });
      return out(appeal);
    },
  });

  operation(r, {
    method: 'GET', path: '/v1/appeals', tag: 'appeals', permission: 'appeals.use', summary: 'Appeals, newest first (executors: their organisation only)',
    query: z.object({ status: z.enum(['open', 'registered', 'in_progress', 'reported', 'reopened', 'resolved', 'closed']).optional(), on_control: z.enum(['true']).optional(), q: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict(),
    response: z.object({ items: z.array(z.object({ id: z.string(), number: z.string(), status: z.string(), description: z.string(), created_at: z.string() }).passthrough()) }),
    handler: async ({ req, staff, query }) => {
      const own = !act.seesAllAppeals(staff);
      const items = await inTx(req, (tx) => listAppeals(tx, { status: query.status, onControl: query.on_control === 'true', q: query.q, limit: query.limit, executorOrgId: own ? (staff.organisationId ?? '00000000-0000-0000-0000-000000000000') : undefined }));
      return { items: items.map(({ applicant_name: _n, ...rest }) => rest) };
    },
  });

  operation(r, {
    method: 'GET', path: '/v1/appeals/{id}', tag: 'appeals', permission: 'appeals.use', summary: 'One appeal with its timeline',
    params: Id, response: AppealOut.extend({ timeline: z.array(z.object({ kind: z.string(), at: z.string(), note: z.string().nullable() }).passthrough()) }),
    handler: async ({ req, staff, params }) => inTx(req, async (tx) => {
      const a = await getAppeal(tx, params.id);
      if (!act.canView(staff, a)) throw notFound();
      return { ...out(a), timeline: await timeline(tx, a.id, false) };
    }),
  });

  const Action = z.discriminatedUnion('action', [
    z.object({ action: z.literal('accept') }),
    z.object({ action: z.literal('report'), report: z.string().max(5000) }),
    z.object({ action: z.literal('note'), note: z.string().max(5000), public: z.boolean().default(false) }),
    z.object({ action: z.literal('reassign'), organisation_id: z.string().uuid(), reason: z.string().max(2000).default('') }),
    z.object({ action: z.literal('return'), reason: z.string().max(2000).default('') }),
    z.object({ action: z.literal('extend'), days: z.number().int(), reason: z.string().max(2000) }),
    z.object({ action: z.literal('close'), reason: z.string().max(2000).default('') }),
    z.object({ action: z.literal('control'), on: z.boolean() }),
    z.object({ action: z.literal('rating'), rating: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() }),
  ]);
  operation(r, {
    method: 'POST', path: '/v1/appeals/{id}/actions', tag: 'appeals', permission: 'appeals.use',
    summary: 'Act on an appeal: accept, report, note, reassign, return, extend, close, control, rating (by phone)',
    params: Id, body: Action, response: AppealOut,
    handler: async ({ req, staff, params, body }) => inTx(req, async (tx) => {
      const ctx = appealsCtx(app, req, tx);
      const h = staff;
      const id = params.id;
      switch (body.action) {
        case 'accept': await act.acceptAppeal(ctx, h, id); break;
        case 'report': await act.reportExecution(ctx, h, id, body.report); break;
        case 'note': await act.addNote(ctx, h, id, body.note, body.public); break;
        case 'reassign': await act.reassignAppeal(ctx, h, id, body.organisation_id, body.reason); break;
        case 'return': await act.returnToExecutor(ctx, h, id, body.reason); break;
        case 'extend': await act.extendTerm(ctx, h, id, body.days, body.reason); break;
        case 'close': await act.closeAppeal(ctx, h, id, body.reason); break;
        case 'control': await act.setOnControl(ctx, h, id, body.on); break;
        case 'rating': {
          const a = await getAppeal(tx, id);
          if (!act.isOperator(staff) || !act.canView(h, a)) throw notFound();
          await act.rateAppeal(ctx, id, body.rating, body.comment ?? null);
        }
      }
      return out(await getAppeal(tx, id));
    }),
  });
};
