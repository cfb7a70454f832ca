import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';

export type SessionLimits = { idleMinutes: number; maxHours: number };
export type SessionSubject = { userId: string } | { residentId: string };

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
export const newSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Starts a session and returns the cookie value; only its hash is stored. */
export async function createSession(
  tx: Tx,
  communityId: string,
  subject: SessionSubject,
  meta: { ip: string | null; userAgent: string | null; secondFactor: boolean; maxHours: number },
): Promise<string> {
  const token = newSecret();
  await tx
    .insertInto('sessions')
    .values({
      id: sha256(token),
      community_id: communityId,
      user_id: 'userId' in subject ? subject.userId : null,
      resident_id: 'residentId' in subject ? subject.residentId : null,
      csrf_token: newSecret(24),
      second_factor_at: meta.secondFactor ? new Date() : null,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
      expires_at: new Date(Date.now() + meta.maxHours * 3600_000),
    })
    .execute();
  return token;
}

export type LiveSession = {
  id: string;
  user_id: string | null;
  resident_id: string | null;
  csrf_token: string;
  second_factor_at: Date | null;
  created_at: Date;
};

/** The live session behind a cookie, or null when it is unknown, ended, idle too long or
 * past its absolute end. Touches last_seen_at at most once a minute. */
export async function findSession(tx: Tx, token: string, limits: SessionLimits): Promise<LiveSession | null> {
  const id = sha256(token);
  const row = await tx
    .selectFrom('sessions')
    .select(['id', 'user_id', 'resident_id', 'csrf_token', 'second_factor_at', 'created_at', 'last_seen_at', 'expires_at'])
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const now = Date.now();
  if (row.expires_at.getTime() <= now || row.last_seen_at.getTime() + limits.idleMinutes * 60_000 <= now) return null;
  if (now - row.last_seen_at.getTime() > 60_000) {
    await tx.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id', '=', id).execute();
  }
  return row;
}

export async function markSecondFactor(tx: Tx, sessionId: string): Promise<void> {
  await tx.updateTable('sessions').set({ second_factor_at: sql`now()` }).where('id', '=', sessionId).execute();
}

export async function endSession(tx: Tx, sessionId: string): Promise<void> {
  await tx.updateTable('sessions').set({ ended_at: sql`now()` }).where('id', '=', sessionId).where('ended_at', 'is', null).execute();
}

/** Ends every live session of a user (when disabled, or on request), optionally but one. */
export async function endUserSessions(tx: Tx, userId: string, exceptId?: string): Promise<number> {
  let q = tx.updateTable('sessions').set({ ended_at: sql`now()` }).where('user_id', '=', userId).where('ended_at', 'is', null);
  if (exceptId) q = q.where('id', '<>', exceptId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function listUserSessions(tx: Tx, userId: string) {
  return tx
    .selectFrom('sessions')
    .select(['id', 'ip', 'user_agent', 'created_at', 'last_seen_at', 'expires_at', 'second_factor_at'])
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', new Date())
    .orderBy('last_seen_at', 'desc')
    .execute();
}
