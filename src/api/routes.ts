import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../http/context.ts';
import { actorOf } from '../http/context.ts';
import { forbidden } from '../http/errors.ts';
import { html, raw } from '../http/html.ts';
import { withCommunity, withSystem } from '../db/db.ts';
import { operation, openApiDocument } from './registry.ts';
import { createOrganisation, updateOrganisation, getOrganisation, listOrganisations, NewOrganisation, OrganisationPatch, ORGANISATION_KINDS } from '../modules/identity/organisations.ts';
import { createUser, getUser, listUsers, NewUser, UserPatch, updateUser } from '../modules/identity/users.ts';
import { endUserSessions } from '../modules/identity/sessions.ts';
import { recordAudit, searchAudit } from '../modules/audit/service.ts';
import { listOutbox } from '../modules/outbox/service.ts';
import { createCommunity, NewCommunity } from '../modules/communities/service.ts';
import { ROLES } from '../modules/identity/roles.ts';
import { appealsApi } from './appeals.ts';
import { newsroomApi } from './newsroom.ts';
import { alertsApi } from './alerts.ts';

const Id = z.object({ id: z.string().uuid() });
const TextsOut = z.object({ uk: z.string().optional(), en: z.string().optional(), fa: z.string().optional() });
const Organisation = z.object({ id: z.string().uuid(), kind: z.enum(ORGANISATION_KINDS), names: TextsOut, phone: z.string().nullable(), email: z.string().nullable(), archived_at: z.string().nullable(), created_at: z.string() });
const User = z.object({ id: z.string().uuid(), email: z.string(), display_name: z.string(), organisation_id: z.string().nullable(), lang: z.enum(['uk', 'en', 'fa']), roles: z.array(z.enum(ROLES)), disabled_at: z.string().nullable(), totp_enabled_at: z.string().nullable(), created_at: z.string() });
const AuditEntry = z.object({ id: z.string(), at: z.string(), actor_type: z.string(), actor_id: z.string().nullable(), actor_label: z.string().nullable(), action: z.string(), object_type: z.string(), object_id: z.string().nullable(), changes: z.unknown(), request_id: z.string().nullable(), ip: z.string().nullable() });
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

const userOut = (u: Awaited<ReturnType<typeof getUser>>) => ({
  id: u.id, email: u.email, display_name: u.display_name, organisation_id: u.organisation_id, lang: u.lang, roles: u.roles,
  disabled_at: u.disabled_at, totp_enabled_at: u.totp_enabled_at, created_at: u.created_at,
});

export const apiRoutes = (app: App) => async (r: FastifyInstance) => {
  await r.register(appealsApi(app));
  await r.register(newsroomApi(app));
  await r.register(alertsApi(app));
  const inTx = <T>(communityId: string, fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(app.db, communityId, fn);

  r.get('/openapi.json', async (req) => openApiDocument(`${app.config.publicUrl ?? `${req.protocol}://${req.host}`}${req.base}`));
  r.get('/docs', async (req, reply) => {
    const doc = openApiDocument(`${req.base}`);
    const rows = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([m, op]) => html`<tr><td><code>${m.toUpperCase()}</code></td><td><code>${path}</code></td><td>${(op as { summary: string }).summary}</td></tr>`));
    reply.type('text/html; charset=utf-8');
    return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>CityDesk API</title>
<style>${raw('body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:start}')}</style></head>
<body><main><h1>CityDesk API</h1><p>${doc.info.description}</p><p>Machine-readable description: <a href="${req.base}/api/openapi.json">OpenAPI 3.1 (openapi.json)</a>. Errors always have the shape <code>{"error":{"code","message","details"}}</code>, with the message in the language of <code>?lang=</code> or <code>Accept-Language</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th></tr></thead><tbody>${rows}</tbody></table></main></body></html>`.value;
  });

  operation(r, {
    method: 'GET', path: '/v1/me', tag: 'identity', summary: 'The caller: user, roles and permissions',
    response: z.object({ id: z.string(), display_name: z.string(), email: z.string(), roles: z.array(z.string()), community: z.string(), permissions: z.array(z.string()) }),
    handler: async ({ req, staff }) => ({ id: staff.userId, display_name: staff.name, email: staff.email, roles: staff.roles, community: req.community.slug, permissions: [...staff.permissions] }),
  });

  operation(r, {
    method: 'GET', path: '/v1/organisations', tag: 'organisations', summary: 'Organisations of the community', permission: 'console.use',
    query: z.object({ include_archived: z.enum(['true', 'false']).optional() }).strict(),
    response: list(Organisation),
    handler: async ({ req, query }) => ({ items: await inTx(req.community.id, (tx) => listOrganisations(tx, { includeArchived: query.include_archived === 'true' })) }),
  });
  operation(r, {
    method: 'POST', path: '/v1/organisations', tag: 'organisations', summary: 'Create an organisation', permission: 'organisations.manage', status: 201,
    body: NewOrganisation, response: Organisation,
    handler: async ({ req, body }) => inTx(req.community.id, (tx) => createOrganisation(tx, actorOf(req), req.community.id, body)),
  });
  operation(r, {
    method: 'GET', path: '/v1/organisations/{id}', tag: 'organisations', summary: 'One organisation', permission: 'console.use',
    params: Id, response: Organisation,
    handler: async ({ req, params }) => inTx(req.community.id, (tx) => getOrganisation(tx, params.id)),
  });
  operation(r, {
    method: 'PATCH', path: '/v1/organisations/{id}', tag: 'organisations', summary: 'Change or archive an organisation', permission: 'organisations.manage',
    params: Id, body: OrganisationPatch, response: Organisation,
    handler: async ({ req, params, body }) => inTx(req.community.id, (tx) => updateOrganisation(tx, actorOf(req), params.id, body)),
  });

  operation(r, {
    method: 'GET', path: '/v1/users', tag: 'users', summary: 'Staff accounts of the community', permission: 'users.manage',
    query: z.object({ q: z.string().max(100).optional(), organisation_id: z.string().uuid().optional() }).strict(), response: list(User),
    handler: async ({ req, query }) => ({ items: (await inTx(req.community.id, (tx) => listUsers(tx, { q: query.q, organisationId: query.organisation_id }))).map(userOut) }),
  });
  operation(r, {
    method: 'POST', path: '/v1/users', tag: 'users', summary: 'Create a staff account', permission: 'users.manage', status: 201,
    body: NewUser, response: User,
    handler: async ({ req, body }) => userOut(await inTx(req.community.id, (tx) => createUser(tx, actorOf(req), req.community.id, body))),
  });
  operation(r, {
    method: 'GET', path: '/v1/users/{id}', tag: 'users', summary: 'One staff account', permission: 'users.manage',
    params: Id, response: User,
    handler: async ({ req, params }) => userOut(await inTx(req.community.id, (tx) => getUser(tx, params.id))),
  });
  operation(r, {
    method: 'PATCH', path: '/v1/users/{id}', tag: 'users', summary: 'Change roles, organisation, language; disable or enable', permission: 'users.manage',
    params: Id, body: UserPatch, response: User,
    handler: async ({ req, params, body }) => userOut(await inTx(req.community.id, (tx) => updateUser(tx, actorOf(req), req.community.id, params.id, body))),
  });
  operation(r, {
    method: 'DELETE', path: '/v1/users/{id}/sessions', tag: 'users', summary: 'End every session of a staff account', permission: 'users.manage',
    params: Id, response: z.object({ ended: z.number() }),
    handler: async ({ req, params }) => inTx(req.community.id, async (tx) => {
      await getUser(tx, params.id);
      const ended = await endUserSessions(tx, params.id);
      await recordAudit(tx, actorOf(req), { action: 'user.sessions_ended', objectType: 'user', objectId: params.id, note: { ended } });
      return { ended };
    }),
  });

  operation(r, {
    method: 'GET', path: '/v1/audit', tag: 'audit', summary: 'Search the audit log (newest first)', permission: 'audit.read',
    query: z.object({
      object_type: z.string().max(50).optional(), object_id: z.string().max(100).optional(), action: z.string().max(100).optional(),
      q: z.string().max(100).optional(), before: z.string().regex(/^\d+$/).optional(), limit: z.coerce.number().int().min(1).max(500).default(100),
    }).strict(),
    response: list(AuditEntry),
    handler: async ({ req, query }) => ({
      items: await inTx(req.community.id, (tx) => searchAudit(tx, { objectType: query.object_type, objectId: query.object_id, action: query.action, q: query.q, before: query.before, limit: query.limit })),
    }),
  });

  operation(r, {
    method: 'GET', path: '/v1/outbox', tag: 'outbox', summary: 'Messages sent or held by CityDesk', permission: 'outbox.read',
    query: z.object({ status: z.enum(['pending', 'sent', 'held', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict(),
    response: list(z.object({ id: z.string(), channel: z.string(), recipient: z.string(), subject: z.string().nullable(), body: z.string(), purpose: z.string(), status: z.string(), attempts: z.number(), created_at: z.string() }).passthrough()),
    handler: async ({ req, query }) => ({ items: await inTx(req.community.id, (tx) => listOutbox(tx, query)) }),
  });

  operation(r, {
    method: 'POST', path: '/v1/communities', tag: 'communities', summary: 'Create a community (deployment super-admin only)', status: 201,
    body: NewCommunity, response: z.object({ id: z.string(), slug: z.string() }).passthrough(),
    handler: async ({ req, staff, body }) => {
      if (!staff.isSuperAdmin) throw forbidden();
      const c = await withSystem(app.db, (tx) => createCommunity(tx, { ...actorOf(req), communityId: null }, body));
      app.communities.invalidate();
      return c;
    },
  });
};
