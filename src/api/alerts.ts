// Emergency alerts over the JSON API: what the console's duty officers do, for a regional
// warning system or a city's own tools. The same rules (alerts/service.ts): a second person's
// approval where the community asks for it, CAP Update and Cancel messages, the fan-out.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App, StaffAuth } from '../http/context.ts';
import { actorOf } from '../http/context.ts';
import { forbidden } from '../http/errors.ts';
import { withCommunity, type Tx } from '../db/db.ts';
import { operation } from './registry.ts';
import { alertMessages, approveAlert, cancelAlert, createAlert, getAlert, issueAlert, listAlerts, updateAlert, type Alert, type AlertsCtx } from '../modules/alerts/service.ts';
import { AlertInput, CERTAINTIES, EVENTS, SEVERITIES, URGENCIES } from '../modules/alerts/schema.ts';

const STATUSES = ['draft', 'pending_approval', 'active', 'cancelled'] as const;
const Id = z.object({ id: z.string().uuid() });
const LangTextOut = z.object({ headline: z.string(), description: z.string(), instruction: z.string() });
const AlertOut = z.object({
  id: z.string(), status: z.enum(STATUSES), event: z.enum(EVENTS), cap_category: z.string(), severity: z.enum(SEVERITIES), urgency: z.enum(URGENCIES), certainty: z.enum(CERTAINTIES),
  texts: z.object({ uk: LangTextOut.optional(), en: LangTextOut.optional(), fa: LangTextOut.optional() }),
  area_desc: z.object({ uk: z.string().optional(), en: z.string().optional(), fa: z.string().optional() }),
  polygons: z.array(z.array(z.tuple([z.number(), z.number()]))), districts: z.array(z.string()),
  expires_at: z.string(), issued_at: z.string().nullable(), cancelled_at: z.string().nullable(), version: z.number(),
  cap_url: z.string().nullable().describe('The latest CAP 1.2 message, once issued'),
});
const MessageOut = z.object({ msg_type: z.enum(['Alert', 'Update', 'Cancel']), identifier: z.string(), sent_at: z.string(), cap_url: z.string() });

export const alertsApi = (app: App) => async (r: FastifyInstance) => {
  const origin = (req: FastifyRequest) => app.config.publicUrl ?? `${req.protocol}://${req.host}`;
  const inTx = <T>(req: FastifyRequest, fn: (ctx: AlertsCtx) => Promise<T>) =>
    withCommunity(app.db, req.community.id, (tx: Tx) => fn({ tx, queue: app.queue, actor: actorOf(req), community: req.community, origin: origin(req), base: req.base }));
  const capUrl = (req: FastifyRequest, id: string) => `${origin(req)}${req.base}/cap/alerts/${id}.xml`;
  const out = (req: FastifyRequest, a: Alert) => ({
    id: a.id, status: a.status as (typeof STATUSES)[number], event: a.event as (typeof EVENTS)[number], cap_category: a.cap_category,
    severity: a.severity as (typeof SEVERITIES)[number], urgency: a.urgency as (typeof URGENCIES)[number], certainty: a.certainty as (typeof CERTAINTIES)[number],
    texts: a.texts, area_desc: a.area_desc, polygons: a.polygons as [number, number][][], districts: a.district_codes,
    expires_at: new Date(a.expires_at).toISOString(), issued_at: a.issued_at ? new Date(a.issued_at).toISOString() : null,
    cancelled_at: a.cancelled_at ? new Date(a.cancelled_at).toISOString() : null, version: a.version,
    cap_url: a.version > 0 ? capUrl(req, a.id) : null,
  });
  /** Those who see alerts in the console: duty officers, approvers, the admin who configures them. */
  const mayRead = (staff: StaffAuth) => {
    if (!(['alerts.issue', 'alerts.approve', 'alerts.configure'] as const).some((p) => staff.permissions.has(p))) throw forbidden();
  };
  const may = (staff: StaffAuth, p: 'alerts.issue' | 'alerts.approve') => {
    if (!staff.permissions.has(p)) throw forbidden();
  };

  operation(r, {
    method: 'GET', path: '/v1/alerts', tag: 'alerts', permission: 'console.use', summary: 'Alerts, newest first (duty officers, approvers, admins)',
    query: z.object({ status: z.enum(STATUSES).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
    response: z.object({ items: z.array(AlertOut) }),
    handler: async ({ req, staff, query }) => {
      mayRead(staff);
      return { items: (await inTx(req, (c) => listAlerts(c.tx, query))).map((a) => out(req, a)) };
    },
  });

  operation(r, {
    method: 'GET', path: '/v1/alerts/{id}', tag: 'alerts', permission: 'console.use', summary: 'One alert with its CAP messages',
    params: Id, response: AlertOut.extend({ messages: z.array(MessageOut) }),
    handler: async ({ req, staff, params }) => {
      mayRead(staff);
      return inTx(req, async (c) => ({
        ...out(req, await getAlert(c.tx, params.id)),
        messages: (await alertMessages(c.tx, params.id)).map((m) => ({ msg_type: m.msg_type as 'Alert', identifier: m.identifier, sent_at: new Date(m.sent_at).toISOString(), cap_url: capUrl(req, m.id) })),
      }));
    },
  });

  operation(r, {
    method: 'POST', path: '/v1/alerts', tag: 'alerts', permission: 'alerts.issue', status: 201,
    summary: 'Compose an alert; with "issue": true it goes out at once (or waits for a second person where the community asks for one)',
    body: AlertInput.extend({ issue: z.boolean().default(false) }), response: AlertOut,
    handler: async ({ req, body }) => {
      const { issue, ...input } = body;
      return inTx(req, async (c) => {
        const id = await createAlert(c, input);
        if (issue) await issueAlert(c, id);
        return out(req, await getAlert(c.tx, id));
      });
    },
  });

  const Action = z.discriminatedUnion('action', [
    z.object({ action: z.literal('issue') }),
    z.object({ action: z.literal('approve') }),
    z.object({ action: z.literal('cancel') }),
    z.object({ action: z.literal('update'), alert: AlertInput }),
  ]);
  operation(r, {
    method: 'POST', path: '/v1/alerts/{id}/actions', tag: 'alerts', permission: 'console.use',
    summary: 'Act on an alert: issue a draft, approve (another person), update (a CAP Update), cancel (a CAP Cancel)',
    params: Id, body: Action, response: AlertOut,
    handler: async ({ req, staff, params, body }) => {
      may(staff, body.action === 'approve' ? 'alerts.approve' : 'alerts.issue');
      return inTx(req, async (c) => {
        if (body.action === 'issue') await issueAlert(c, params.id);
        else if (body.action === 'approve') await approveAlert(c, params.id);
        else if (body.action === 'cancel') await cancelAlert(c, params.id);
        else await updateAlert(c, params.id, body.alert);
        return out(req, await getAlert(c.tx, params.id));
      });
    },
  });
};
