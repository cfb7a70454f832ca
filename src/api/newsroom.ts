import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../http/context.ts';
import { withCommunity, type Tx } from '../db/db.ts';
import { operation } from './registry.ts';
import { addVersion, correctVersion, createMaterial, getMaterial, listMaterials, saveVersion, transition, versionHistory, type MaterialFull } from '../modules/newsroom/service.ts';
import { Correction, MaterialFields, NewMaterial, VersionFields } from '../modules/newsroom/schema.ts';
import { MATERIAL_TYPES, VERSION_STATUSES } from '../modules/newsroom/tables.ts';
import { ACTIONS } from '../modules/newsroom/workflow.ts';
import { newsCtx } from '../web/console/newsroom-form.ts';

const Id = z.object({ id: z.string().uuid() });
const Lang = z.enum(['uk', 'en', 'fa']);
const VersionOut = z.object({
  id: z.string(), lang: Lang, slug: z.string(), title: z.string(), lead: z.string(), body_html: z.string(), status: z.enum(VERSION_STATUSES),
  revision: z.number(), scheduled_at: z.string().nullable(), published_at: z.string().nullable(), corrected_at: z.string().nullable(),
  correction_note: z.string().nullable(), channels: z.array(z.string()), channel_texts: z.record(z.string(), z.string()),
});
const MaterialOut = z.object({
  id: z.string(), type: z.enum(MATERIAL_TYPES), category_id: z.string().nullable(), rubric_id: z.string().nullable(), campaign_id: z.string().nullable(),
  place: z.string().nullable(), author_id: z.string().nullable(), urgent: z.boolean(), cover_media_id: z.string().nullable(), video_url: z.string().nullable(),
  tags: z.array(z.string()), gallery: z.array(z.string()), versions: z.array(VersionOut), created_at: z.string(), updated_at: z.string(),
});

type V = MaterialFull['versions'][number];
const version = (v: V) => ({
  id: v.id, lang: v.lang, slug: v.slug, title: v.title, lead: v.lead, body_html: v.body_html, status: v.status, revision: v.revision,
  scheduled_at: v.scheduled_at, published_at: v.published_at, corrected_at: v.corrected_at, correction_note: v.correction_note, channels: v.channels, channel_texts: v.channel_texts,
});
const out = (m: MaterialFull) => ({
  id: m.id, type: m.type, category_id: m.category_id, rubric_id: m.rubric_id, campaign_id: m.campaign_id, place: m.place, author_id: m.author_id, urgent: m.urgent,
  cover_media_id: m.cover_media_id, video_url: m.video_url, tags: m.tags.map((x) => x.slug), gallery: m.gallery.map((g) => g.media_id),
  versions: m.versions.map(version), created_at: m.created_at, updated_at: m.updated_at,
});

export const newsroomApi = (app: App) => async (r: FastifyInstance) => {
  const inTx = <T>(req: FastifyRequest, fn: (tx: Tx) => Promise<T>) => withCommunity(app.db, req.community.id, fn);
  const materialOf = async (tx: Tx, versionId: string) => {
    const v = await tx.selectFrom('material_versions').select('material_id').where('id', '=', versionId).executeTakeFirstOrThrow();
    return out(await getMaterial(tx, v.material_id));
  };

  operation(r, {
    method: 'GET', path: '/v1/news/materials', tag: 'newsroom', permission: 'news.write', summary: 'Language versions of materials, last changed first',
    query: z.object({ status: z.enum(VERSION_STATUSES).optional(), type: z.enum(MATERIAL_TYPES).optional(), lang: Lang.optional(), limit: z.coerce.number().int().min(1).max(500).default(100), offset: z.coerce.number().int().min(0).max(100_000).default(0) }).strict(),
    response: z.object({ items: z.array(z.object({ id: z.string(), material_id: z.string(), lang: Lang, title: z.string(), status: z.string() }).passthrough()) }),
    handler: async ({ req, query }) => ({ items: await inTx(req, (tx) => listMaterials(tx, query)) }),
  });

  operation(r, {
    method: 'GET', path: '/v1/news/materials/{id}', tag: 'newsroom', permission: 'news.write', summary: 'One material with all its language versions',
    params: Id, response: MaterialOut, handler: async ({ req, params }) => inTx(req, async (tx) => out(await getMaterial(tx, params.id))),
  });

  operation(r, {
    method: 'POST', path: '/v1/news/materials', tag: 'newsroom', permission: 'news.write', status: 201,
    summary: 'Create a material with its first language version, as a draft (the body is sanitised)',
    body: NewMaterial, response: MaterialOut,
    handler: async ({ req, body }) => inTx(req, async (tx) => out(await getMaterial(tx, (await createMaterial(newsCtx(app, req, tx), body)).materialId))),
  });

  operation(r, {
    method: 'POST', path: '/v1/news/materials/{id}/versions', tag: 'newsroom', permission: 'news.write', status: 201,
    summary: 'Add a language version (a translation), as its own draft', params: Id, body: VersionFields.extend({ lang: Lang }), response: MaterialOut,
    handler: async ({ req, params, body }) => inTx(req, async (tx) => {
      const { lang, ...fields } = body;
      await addVersion(newsCtx(app, req, tx), params.id, lang, fields);
      return out(await getMaterial(tx, params.id));
    }),
  });

  operation(r, {
    method: 'PATCH', path: '/v1/news/versions/{id}', tag: 'newsroom', permission: 'news.write',
    summary: 'Save a version before publication (authors: drafts only); the shared fields of the material with it',
    params: Id, body: z.object({ material: MaterialFields, version: VersionFields }), response: MaterialOut,
    handler: async ({ req, params, body }) => inTx(req, async (tx) => {
      await saveVersion(newsCtx(app, req, tx), params.id, body);
      return materialOf(tx, params.id);
    }),
  });

  operation(r, {
    method: 'POST', path: '/v1/news/versions/{id}/transitions', tag: 'newsroom', permission: 'news.write',
    summary: 'Workflow step: submit, return, approve, schedule (scheduled_at), unschedule, publish, unpublish, archive',
    params: Id, body: z.object({ action: z.enum(ACTIONS), scheduled_at: z.string().datetime({ offset: true }).optional(), note: z.string().max(2000).optional() }), response: MaterialOut,
    handler: async ({ req, params, body }) => inTx(req, async (tx) => {
      await transition(newsCtx(app, req, tx), params.id, body.action, { scheduledAt: body.scheduled_at ? new Date(body.scheduled_at) : null, note: body.note ?? null });
      return materialOf(tx, params.id);
    }),
  });

  operation(r, {
    method: 'POST', path: '/v1/news/versions/{id}/corrections', tag: 'newsroom', permission: 'news.publish',
    summary: 'Correct a published version: new text with a note shown to readers; the channels get an update',
    params: Id, body: Correction, response: MaterialOut,
    handler: async ({ req, params, body }) => inTx(req, async (tx) => {
      await correctVersion(newsCtx(app, req, tx), params.id, body);
      return materialOf(tx, params.id);
    }),
  });

  operation(r, {
    method: 'GET', path: '/v1/news/versions/{id}/history', tag: 'newsroom', permission: 'news.write', summary: 'Every saved state of a version, newest first',
    params: Id, response: z.object({ items: z.array(z.object({ revision: z.number(), status: z.string(), title: z.string(), note: z.string().nullable(), at: z.string() }).passthrough()) }),
    handler: async ({ req, params }) => ({ items: await inTx(req, (tx) => versionHistory(tx, params.id)) }),
  });
};
