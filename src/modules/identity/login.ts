import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/db.ts';
import { withCommunity } from '../../db/db.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { AppError, tooManyRequests } from '../../http/errors.ts';
import { hitRateLimit } from '../../http/rate-limit.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import { hashCode, newRecoveryCodes, newTotpSecret, verifyTotp } from './totp.ts';
import { createSession, endSession, markSecondFactor } from './sessions.ts';
import { needsSecondFactor } from './roles.ts';

const WINDOW = 15 * 60;
const badLogin = () => new AppError(401, 'invalid_credentials', 'error.invalid_credentials');

async function limit(db: Db, keys: Array<[string, number]>) {
  for (const [key, max] of keys) {
    const wait = await hitRateLimit(db, key, max, WINDOW);
    if (wait) throw tooManyRequests(wait);
  }
}

/** Password step of the staff sign-in. Always starts a new session (the old one, if any,
 * is ended by the caller), so a session id never survives a change of privilege. */
export async function passwordLogin(
  db: Db,
  ctx: { communityId: string; ip: string; userAgent: string | null; maxHours: number; requestId: string },
  email: string,
  password: string,
) {
  const normal = email.trim().toLowerCase();
  await limit(db, [[`login:ip:${ctx.ip}`, 50], [`login:acct:${ctx.communityId}:${normal}`, 10]]);
  const result = await withCommunity(db, ctx.communityId, async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'password_hash', 'display_name', 'disabled_at', 'totp_enabled_at', 'is_super_admin'])
      .where('email', '=', normal)
      .executeTakeFirst();
    const ok = await verifyPassword(user?.password_hash ?? DUMMY_HASH, password);
    const actor: Actor = { type: 'anonymous', id: null, label: normal, communityId: ctx.communityId, requestId: ctx.requestId, ip: ctx.ip };
    if (!user || !ok || user.disabled_at) {
      // Committed with the transaction; the caller is told after.
      await recordAudit(tx, actor, { action: 'session.login_failed', objectType: 'user', objectId: user?.id ?? null });
      return null;
    }
    const roles = (await tx.selectFrom('user_roles').select('role').where('user_id', '=', user.id).execute()).map((r) => r.role);
    const token = await createSession(tx, ctx.communityId, { userId: user.id }, { ip: ctx.ip, userAgent: ctx.userAgent, secondFactor: false, maxHours: ctx.maxHours });
    await recordAudit(tx, { ...actor, type: 'user', id: user.id, label: user.display_name }, { action: 'session.password_ok', objectType: 'user', objectId: user.id });
    return {
      token,
      hasTotp: user.totp_enabled_at !== null,
      mustEnrol: user.totp_enabled_at === null && needsSecondFactor(roles, user.is_super_admin),
    };
  });
  if (!result) throw badLogin();
  return result;
}

/** Second step: a TOTP code or one unused recovery code. */
export async function verifySecondFactor(db: Db, actor: Actor, sessionId: string, userId: string, code: string): Promise<void> {
  await limit(db, [[`2fa:${userId}`, 10], [`2fa:ip:${actor.ip}`, 50]]);
  const ok = await withCommunity(db, actor.communityId!, async (tx) => {
    const user = await tx.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', userId).executeTakeFirstOrThrow();
    let how = 'totp';
    let valid = !!user.totp_enabled_at && !!user.totp_secret && verifyTotp(user.totp_secret, code);
    if (!valid) {
      const used = await tx
        .updateTable('recovery_codes')
        .set({ used_at: sql`now()` })
        .where('user_id', '=', userId)
        .where('code_hash', '=', hashCode(code))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      valid = Number(used.numUpdatedRows) === 1;
      how = 'recovery_code';
    }
    if (!valid) {
      // The failure is audited and committed; only then is the caller told.
      await recordAudit(tx, actor, { action: 'session.second_factor_failed', objectType: 'user', objectId: userId });
      return false;
    }
    await markSecondFactor(tx, sessionId);
    await recordAudit(tx, actor, { action: 'session.second_factor_ok', objectType: 'user', objectId: userId, note: { how } });
    return true;
  });
  if (!ok) throw new AppError(401, 'invalid_code', 'error.invalid_code');
}

/** Starts TOTP enrolment: a secret that is not active until a code from it is confirmed.
 * Reloading the page keeps the pending secret, so a code already scanned stays valid. */
export async function startTotpEnrolment(tx: Tx, userId: string): Promise<string> {
  await tx
    .updateTable('users')
    .set({ totp_secret: newTotpSecret() })
    .where('id', '=', userId)
    .where('totp_enabled_at', 'is', null)
    .where('totp_secret', 'is', null)
    .execute();
  const row = await tx.selectFrom('users').select('totp_secret').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.totp_secret!;
}

/** Confirms enrolment with a code from the app; returns fresh recovery codes, shown once. */
export async function confirmTotpEnrolment(tx: Tx, actor: Actor, sessionId: string, userId: string, code: string): Promise<string[]> {
  const user = await tx.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', userId).executeTakeFirstOrThrow();
  if (user.totp_enabled_at || !user.totp_secret || !verifyTotp(user.totp_secret, code)) {
    throw new AppError(400, 'invalid_code', 'error.invalid_code');
  }
  await tx.updateTable('users').set({ totp_enabled_at: sql`now()` }).where('id', '=', userId).execute();
  const codes = await replaceRecoveryCodes(tx, actor.communityId!, userId);
  await markSecondFactor(tx, sessionId);
  await recordAudit(tx, actor, { action: 'user.totp_enabled', objectType: 'user', objectId: userId });
  return codes;
}

export async function replaceRecoveryCodes(tx: Tx, communityId: string, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await tx.insertInto('recovery_codes').values(codes.map((c) => ({ community_id: communityId, user_id: userId, code_hash: hashCode(c) }))).execute();
  return codes;
}

export async function logout(tx: Tx, actor: Actor, sessionId: string): Promise<void> {
  await endSession(tx, sessionId);
  await recordAudit(tx, actor, { action: 'session.logout', objectType: 'session', objectId: null });
}

export const newNumericCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');
