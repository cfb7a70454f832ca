import { z } from 'zod';
import type { Tx } from '../../db/db.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { Texts } from '../identity/organisations.ts';

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
