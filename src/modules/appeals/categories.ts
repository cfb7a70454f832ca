import { z } from 'zod';
import type { Tx } from '../../db/db.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { Texts } from '../identity/organisations.ts';
import { OUTAGE_KINDS } from '../outages/tables.ts';

export const NewCategory = z
  .object({
    code: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9_-]{1,40}$/),
    names: Texts,
    keywords: z.object({ uk: z.string().max(500).optional(), en: z.string().max(500).optional(), fa: z.string().max(500).optional() }).strict().default({}),
    icon: z.string().trim().min(1).max(8).default('📌'),
    executor_org_id: z.string().uuid(),
    service_hours: z.number().int().min(1).max(2160),
    service_mode: z.enum(['working', 'calendar']).default('working'),
    legal_days: z.union([z.literal(15), z.literal(30)]).default(15),
    is_public: z.boolean().default(false),
    /** Appeals of the category at an address an active outage of this kind covers are linked to it. */
    outage_kind: z.enum(OUTAGE_KINDS).nullable().default(null),
  })
  .strict();
export type NewCategory = z.input<typeof NewCategory>;

export async function listCategories(tx: Tx) {
  return tx.selectFrom('appeal_categories').selectAll().where('archived_at', 'is', null).orderBy('code').execute();
}

export async function createCategory(tx: Tx, actor: Actor, communityId: string, raw: NewCategory) {
  const c = NewCategory.parse(raw);
  const row = await tx
    .insertInto('appeal_categories')
    .values({ ...c, community_id: communityId, names: JSON.stringify(c.names), keywords: JSON.stringify(c.keywords) })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(tx, actor, { action: 'appeal_category.create', objectType: 'appeal_category', objectId: row.id, before: null, after: { code: c.code, names: c.names, executor_org_id: c.executor_org_id } });
  return row;
}

export const CategoryPatch = NewCategory.omit({ code: true }).partial().extend({ archived: z.boolean().optional() }).strict();
export type CategoryPatch = z.input<typeof CategoryPatch>;

/** The admin changes a category; appeals already filed keep their terms (they were computed then). */
export async function updateCategory(tx: Tx, actor: Actor, id: string, raw: CategoryPatch) {
  const p = CategoryPatch.parse(raw);
  const before = await tx.selectFrom('appeal_categories').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!before) return null;
  const { archived, names, keywords, ...rest } = p;
  const row = await tx.updateTable('appeal_categories').set({
    ...rest,
    ...(names ? { names: JSON.stringify(names) } : {}),
    ...(keywords ? { keywords: JSON.stringify(keywords) } : {}),
    ...(archived === undefined ? {} : { archived_at: archived ? new Date() : null }),
  }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  await recordAudit(tx, actor, { action: 'appeal_category.update', objectType: 'appeal_category', objectId: id, before: { names: before.names, executor_org_id: before.executor_org_id, service_hours: before.service_hours, legal_days: before.legal_days, is_public: before.is_public, outage_kind: before.outage_kind }, after: { ...p } });
  return row;
}

export const allCategories = (tx: Tx) => tx.selectFrom('appeal_categories').selectAll().orderBy('archived_at', 'desc').orderBy('code').execute();
