import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/db.ts';
import { withCommunity } from '../../db/db.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { AppError, tooManyRequests } from '../../http/errors.ts';
import { hitRateLimit } from '../../http/rate-limit.ts';
import { enqueueMessage } from '../outbox/service.ts';
import type { Queue } from '../../jobs/queue.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import { createSession } from './sessions.ts';
import { newNumericCode } from './login.ts';

/** A resident's contact: an e-mail address or a phone number in international form. */
export const Contact = z
  .string()
  .trim()
  .max(200)
  .transform((v) => (v.includes('@') ? v.toLowerCase() : v.replace(/[\s()-]/g, '')))
  .refine((v) => z.string().email().safeParse(v).success || /^\+?\d{9,15}$/.test(v), { message: 'contact' });

const hash = (residentId: string, code: string) => createHash('sha256').update(`${residentId}:${code}`).digest('hex');
const CODE_MINUTES = 10;

/** Sends a one-time sign-in code by e-mail or SMS (through the outbox); creates the
 * resident on first use. The answer is the same whether or not they existed. */
export async function requestResidentCode(db: Db, queue: Queue, actor: Actor, lang: Lang, contact: string): Promise<void> {
  const communityId = actor.communityId!;
  for (const [key, max] of [[`code:ip:${actor.ip}`, 20], [`code:to:${communityId}:${contact}`, 5]] as const) {
    const wait = await hitRateLimit(db, key, max, 3600);
    if (wait) throw tooManyRequests(wait);
  }
  const isEmail = contact.includes('@');
  await withCommunity(db, communityId, async (tx) => {
    const column = isEmail ? 'email' : 'phone';
    let resident = await tx.selectFrom('residents').select('id').where(column, '=', contact).executeTakeFirst();
    if (!resident) {
      resident = await tx.insertInto('residents').values({ community_id: communityId, [column]: contact, lang }).returning('id').executeTakeFirstOrThrow();
    }
    const code = newNumericCode();
    await tx.updateTable('resident_codes').set({ used_at: sql`now()` }).where('resident_id', '=', resident.id).where('used_at', 'is', null).execute();
    await tx
      .insertInto('resident_codes')
      .values({ community_id: communityId, resident_id: resident.id, code_hash: hash(resident.id, code), expires_at: new Date(Date.now() + CODE_MINUTES * 60_000) })
      .execute();
    await enqueueMessage(tx, queue, communityId, {
      channel: isEmail ? 'email' : 'sms',
      recipient: contact,
      subject: t(lang, 'resident.code_subject'),
      body: t(lang, 'resident.code_body', { code, minutes: CODE_MINUTES }),
      purpose: 'resident_sign_in',
    });
    await recordAudit(tx, { ...actor, type: 'resident', id: resident.id }, { action: 'resident.code_sent', objectType: 'resident', objectId: resident.id });
  });
}

/** Checks a sign-in code (five tries per code) and starts a resident session. */
export async function verifyResidentCode(db: Db, actor: Actor, contact: string, code: string, meta: { userAgent: string | null; maxHours: number }) {
  const communityId = actor.communityId!;
  const wait = await hitRateLimit(db, `code-check:${communityId}:${contact}`, 10, 3600);
  if (wait) throw tooManyRequests(wait);
  const result = await withCommunity(db, communityId, async (tx) => {
    const column = contact.includes('@') ? 'email' : 'phone';
    const resident = await tx.selectFrom('residents').select('id').where(column, '=', contact).executeTakeFirst();
    if (!resident) return null;
    const row = await tx
      .selectFrom('resident_codes')
      .select(['id', 'code_hash', 'attempts'])
      .where('resident_id', '=', resident.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (!row || row.attempts >= 5) return null;
    if (row.code_hash !== hash(resident.id, code.trim())) {
      await tx.updateTable('resident_codes').set({ attempts: sql`attempts + 1` }).where('id', '=', row.id).execute();
      return null;
    }
    await tx.updateTable('resident_codes').set({ used_at: sql`now()` }).where('id', '=', row.id).execute();
    const token = await createSession(tx, communityId, { residentId: resident.id }, { ip: actor.ip, userAgent: meta.userAgent, secondFactor: true, maxHours: meta.maxHours });
    await recordAudit(tx, { ...actor, type: 'resident', id: resident.id }, { action: 'resident.signed_in', objectType: 'resident', objectId: resident.id });
    return token;
  });
  if (!result) throw new AppError(401, 'invalid_code', 'error.invalid_code');
  return result;
}
