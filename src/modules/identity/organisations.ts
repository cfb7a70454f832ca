import { z } from 'zod';
import type { Tx } from '../../db/db.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { notFound } from '../../http/errors.ts';

export const ORGANISATION_KINDS = ['department', 'communal_enterprise', 'private_enterprise', 'press_service', 'leadership', 'council'] as const;

export const Texts = z
  .object({ uk: z.string().trim().max(300).optional(), en: z.string().trim().max(300).optional(), fa: z.string().trim().max(300).optional() })
  .strict()
  .refine((t) => Object.values(t).some((v) => v), { message: 'at least one language' });

export const NewOrganisation = z
  .object({
    kind: z.enum(ORGANISATION_KINDS),
    names: Texts,
    phone: z.string().trim().max(40).nullish(),
    email: z.string().trim().toLowerCase().email().max(200).nullish(),
  })
  .strict();
export type NewOrganisation = z.infer<typeof NewOrganisation>;

export const OrganisationPatch = NewOrganisation.partial().extend({ archived: z.boolean().optional() }).strict();
export type OrganisationPatch = z.infer<typeof OrganisationPatch>;

const COLUMNS = ['id', 'kind', 'names', 'phone', 'email', 'archived_at', 'created_at'] as const;

export async function listOrganisations(tx: Tx, opts: { includeArchived?: boolean } = {}) {
  let q = tx.selectFrom('organisations').select(COLUMNS).orderBy('kind').orderBy('created_at');
  if (!opts.includeArchived) q = q.where('archived_at', 'is', null);
  return q.execute();
}

export async function getOrganisation(tx: Tx, id: string) {
  const row = await tx.selectFrom('organisations').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function createOrganisation(tx: Tx, actor: Actor, communityId: string, input: NewOrganisation) {
  const row = await tx
    .insertInto('organisations')
    .values({ community_id: communityId, kind: input.kind, names: JSON.stringify(input.names), phone: input.phone ?? null, email: input.email ?? null })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  await recordAudit(tx, actor, { action: 'organisation.create', objectType: 'organisation', objectId: row.id, before: null, after: plain(row) });
  return row;
}

export async function updateOrganisation(tx: Tx, actor: Actor, id: string, patch: OrganisationPatch) {
  const before = await getOrganisation(tx, id);
  const row = await tx
    .updateTable('organisations')
    .set({
      ...(patch.kind ? { kind: patch.kind } : {}),
      ...(patch.names ? { names: JSON.stringify(patch.names) } : {}),
      ...(patch.phone !== undefined ? { phone: patch.phone ?? null } : {}),
      ...(patch.email !== undefined ? { email: patch.email ?? null } : {}),
      ...(patch.archived !== undefined ? { archived_at: patch.archived ? (before.archived_at ?? new Date()) : null } : {}),
    })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  await recordAudit(tx, actor, { action: 'organisation.update', objectType: 'organisation', objectId: id, before: plain(before), after: plain(row) });
  return row;
}

const plain = (r: { kind: string; names: unknown; phone: string | null; email: string | null; archived_at: Date | null }) => ({
  kind: r.kind, names: r.names, phone: r.phone, email: r.email, archived_at: r.archived_at,
});
