import { z } from 'zod';
import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { AppError, conflict, invalid, notFound } from '../../http/errors.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { ROLES } from './roles.ts';
import { endUserSessions } from './sessions.ts';
import { tokenCache } from './token-cache.ts';

/** A staff account that may act (not disabled), with its roles: what a session or an API token
 * stands for. Null for a missing or disabled account. */
export async function activeAccount(tx: Tx, userId: string) {
  const user = await tx
    .selectFrom('users')
    .select(['id', 'display_name', 'email', 'lang', 'organisation_id', 'is_super_admin', 'totp_enabled_at'])
    .where('id', '=', userId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!user) return null;
  const roles = (await tx.selectFrom('user_roles').select('role').where('user_id', '=', user.id).execute()).map((r) => r.role);
  return { user, roles };
}
export type ActiveAccount = NonNullable<Awaited<ReturnType<typeof activeAccount>>>;

export const NewUser = z
  .object({
    email: z.string().trim().toLowerCase().email().max(200),
    display_name: z.string().trim().min(2).max(120),
    password: z.string().min(1).max(200),
    organisation_id: z.string().uuid().nullish(),
    roles: z.array(z.enum(ROLES)).max(ROLES.length).default([]),
    lang: z.enum(['uk', 'en', 'fa']).default('uk'),
  })
  .strict();
export type NewUser = z.input<typeof NewUser>;

export const UserPatch = z
  .object({
    display_name: z.string().trim().min(2).max(120).optional(),
    organisation_id: z.string().uuid().nullable().optional(),
    roles: z.array(z.enum(ROLES)).max(ROLES.length).optional(),
    lang: z.enum(['uk', 'en', 'fa']).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
export type UserPatch = z.infer<typeof UserPatch>;

const COLUMNS = ['id', 'email', 'display_name', 'organisation_id', 'lang', 'disabled_at', 'totp_enabled_at', 'is_super_admin', 'created_at'] as const;

async function rolesOf(tx: Tx, userIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (userIds.length === 0) return out;
  const rows = await tx.selectFrom('user_roles').select(['user_id', 'role']).where('user_id', 'in', userIds).orderBy('role').execute();
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.role]);
  return out;
}

export async function listUsers(tx: Tx, filter: { q?: string; organisationId?: string } = {}) {
  let q = tx.selectFrom('users').select(COLUMNS).orderBy('display_name');
  if (filter.organisationId) q = q.where('organisation_id', '=', filter.organisationId);
  if (filter.q) {
    const like = `%${filter.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('display_name', 'ilike', like), eb('email', 'ilike', like)]));
  }
  const users = await q.limit(500).execute();
  const roles = await rolesOf(tx, users.map((u) => u.id));
  return users.map((u) => ({ ...u, roles: roles.get(u.id) ?? [] }));
}

export async function getUser(tx: Tx, id: string) {
  if (!z.string().uuid().safeParse(id).success) throw notFound();
  const user = await tx.selectFrom('users').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!user) throw notFound();
  return { ...user, roles: (await rolesOf(tx, [id])).get(id) ?? [] };
}

async function checkOrganisation(tx: Tx, organisationId: string | null | undefined) {
  if (!organisationId) return;
  const found = await tx.selectFrom('organisations').select('id').where('id', '=', organisationId).executeTakeFirst();
  if (!found) throw invalid({ organisation_id: 'unknown' }, 'error.unknown_organisation');
}

function checkExecutorHasOrganisation(roles: readonly string[], organisationId: string | null | undefined) {
  if (roles.includes('executor') && !organisationId) throw invalid({ organisation_id: 'required' }, 'error.executor_needs_organisation');
}

export async function createUser(tx: Tx, actor: Actor, communityId: string, raw: NewUser) {
  const input = NewUser.parse(raw);
  const problem = passwordProblem(input.password, [input.email.split('@')[0], input.display_name]);
  if (problem) throw invalid({ password: problem }, problem);
  await checkOrganisation(tx, input.organisation_id);
  checkExecutorHasOrganisation(input.roles, input.organisation_id);
  const exists = await tx.selectFrom('users').select('id').where('email', '=', input.email).executeTakeFirst();
  if (exists) throw conflict('error.email_taken');
  const user = await tx
    .insertInto('users')
    .values({
      community_id: communityId,
      email: input.email,
      display_name: input.display_name,
      password_hash: await hashPassword(input.password),
      organisation_id: input.organisation_id ?? null,
      lang: input.lang,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  if (input.roles.length) {
    await tx.insertInto('user_roles').values(input.roles.map((role) => ({ community_id: communityId, user_id: user.id, role }))).execute();
  }
  const after = { email: user.email, display_name: user.display_name, organisation_id: user.organisation_id, roles: input.roles };
  await recordAudit(tx, actor, { action: 'user.create', objectType: 'user', objectId: user.id, before: null, after });
  return { ...user, roles: input.roles };
}

export async function updateUser(tx: Tx, actor: Actor, communityId: string, id: string, patch: UserPatch) {
  const before = await getUser(tx, id);
  if (patch.organisation_id !== undefined) await checkOrganisation(tx, patch.organisation_id);
  const roles = patch.roles ?? before.roles;
  checkExecutorHasOrganisation(roles, patch.organisation_id !== undefined ? patch.organisation_id : before.organisation_id);
  if (actor.id === id && patch.disabled) throw invalid({ disabled: 'self' }, 'error.cannot_disable_self');
  await tx
    .updateTable('users')
    .set({
      updated_at: sql`now()`,
      ...(patch.display_name ? { display_name: patch.display_name } : {}),
      ...(patch.organisation_id !== undefined ? { organisation_id: patch.organisation_id } : {}),
      ...(patch.lang ? { lang: patch.lang } : {}),
      ...(patch.disabled !== undefined ? { disabled_at: patch.disabled ? (before.disabled_at ?? new Date()) : null } : {}),
    })
    .where('id', '=', id)
    .execute();
  if (patch.roles) {
    await tx.deleteFrom('user_roles').where('user_id', '=', id).execute();
    if (patch.roles.length) {
      await tx.insertInto('user_roles').values(patch.roles.map((role) => ({ community_id: communityId, user_id: id, role }))).execute();
    }
  }
  if (patch.disabled) await endUserSessions(tx, id);
  tokenCache.forget(); // the account's API tokens answer with its new roles or state at once
  const after = await getUser(tx, id);
  await recordAudit(tx, actor, { action: 'user.update', objectType: 'user', objectId: id, before: auditable(before), after: auditable(after) });
  return after;
}

const auditable = (u: Awaited<ReturnType<typeof getUser>>) => ({
  display_name: u.display_name, organisation_id: u.organisation_id, lang: u.lang, disabled_at: u.disabled_at, roles: u.roles,
});

export async function changePassword(tx: Tx, actor: Actor, userId: string, current: string, next: string) {
  const row = await tx.selectFrom('users').select(['password_hash', 'email', 'display_name']).where('id', '=', userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(row.password_hash, current))) throw new AppError(400, 'wrong_password', 'error.wrong_password');
  const problem = passwordProblem(next, [row.email.split('@')[0], row.display_name]);
  if (problem) throw invalid({ password: problem }, problem);
  await tx.updateTable('users').set({ password_hash: await hashPassword(next), updated_at: sql`now()` }).where('id', '=', userId).execute();
  await recordAudit(tx, actor, { action: 'user.password_change', objectType: 'user', objectId: userId });
}
