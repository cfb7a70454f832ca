// Binding a resident to a Telegram chat of the city's bot, by a one-time deep link.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/db.ts';
import { withSystem } from '../../db/db.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import type { Lang } from '../../i18n/i18n.ts';

const LINK_MINUTES = 30;
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** A one-time token for `t.me/<bot>?start=<token>` (Telegram allows 64 characters of A-Za-z0-9_-). */
export async function createTelegramLink(tx: Tx, communityId: string, residentId: string): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await tx.insertInto('telegram_links').values({ token_hash: digest(token), community_id: communityId, resident_id: residentId, expires_at: new Date(Date.now() + LINK_MINUTES * 60_000) }).execute();
  return token;
}

/** The bot's `/start <token>`: the chat is bound to the resident who asked for the link.
 * Runs as the system: the bot does not know the community until the token names it. */
export async function bindTelegramChat(db: Db, token: string, chatId: string): Promise<{ communityId: string; residentId: string; lang: Lang } | null> {
  return withSystem(db, async (tx) => {
    const link = await tx.updateTable('telegram_links').set({ used_at: sql`now()` })
      .where('token_hash', '=', digest(token)).where('used_at', 'is', null).where('expires_at', '>', new Date())
      .returning(['community_id', 'resident_id']).executeTakeFirst();
    if (!link) return null;
    // One chat follows one resident per community: a chat bound before is moved here.
    await tx.updateTable('residents').set({ telegram_chat_id: null, telegram_linked_at: null })
      .where('community_id', '=', link.community_id).where('telegram_chat_id', '=', chatId).execute();
    const resident = await tx.updateTable('residents').set({ telegram_chat_id: chatId, telegram_linked_at: sql`now()` })
      .where('id', '=', link.resident_id).returning('lang').executeTakeFirstOrThrow();
    const actor: Actor = { type: 'resident', id: link.resident_id, label: null, communityId: link.community_id, requestId: null, ip: null };
    await recordAudit(tx, actor, { action: 'resident.telegram_linked', objectType: 'resident', objectId: link.resident_id });
    return { communityId: link.community_id, residentId: link.resident_id, lang: resident.lang };
  });
}

/** The bot's `/stop`: the chat no longer receives anything, in any community. */
export async function unbindTelegramChat(db: Db, chatId: string): Promise<number> {
  return withSystem(db, async (tx) => {
    const rows = await tx.updateTable('residents').set({ telegram_chat_id: null, telegram_linked_at: null }).where('telegram_chat_id', '=', chatId).returning(['id', 'community_id']).execute();
    for (const r of rows) await recordAudit(tx, { type: 'resident', id: r.id, label: null, communityId: r.community_id, requestId: null, ip: null }, { action: 'resident.telegram_unlinked', objectType: 'resident', objectId: r.id });
    return rows.length;
  });
}

export async function unlinkTelegram(tx: Tx, actor: Actor, residentId: string): Promise<void> {
  await tx.updateTable('residents').set({ telegram_chat_id: null, telegram_linked_at: null }).where('id', '=', residentId).execute();
  await recordAudit(tx, actor, { action: 'resident.telegram_unlinked', objectType: 'resident', objectId: residentId });
}

export async function telegramChatOf(tx: Tx, residentId: string | null): Promise<string | null> {
  if (!residentId) return null;
  const r = await tx.selectFrom('residents').select('telegram_chat_id').where('id', '=', residentId).executeTakeFirst();
  return r?.telegram_chat_id ?? null;
}
