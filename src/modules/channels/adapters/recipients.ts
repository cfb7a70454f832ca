// Multi-recipient channels (press e-mail, web push): one row per recipient, written before
// and after each send, so a retry skips everyone already reached and a crash in the middle
// of a send leaves that one recipient "unknown" instead of mailing them twice.
import { sql } from 'kysely';
import { withCommunity } from '../../../db/db.ts';
import { ChannelError, type AdapterCtx } from '../types.ts';

export type RecipientOutcome = 'sent' | 'failed';

export async function eachRecipient(ctx: AdapterCtx, ids: string[], send: (id: string) => Promise<RecipientOutcome>) {
  const inTx = <T>(fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(ctx.db, ctx.communityId, fn);
  const done = new Map((await inTx((tx) => tx.selectFrom('channel_recipient_sends').select(['recipient_id', 'status']).where('delivery_id', '=', ctx.deliveryId).execute())).map((r) => [r.recipient_id, r.status]));
  const counts = { sent: 0, failed: 0, unknown: 0 };
  for (const id of ids) {
    const before = done.get(id);
    if (before === 'sending') {
      // A send to this recipient was cut off by a crash: it may have arrived.
      await inTx((tx) => tx.updateTable('channel_recipient_sends').set({ status: 'unknown' }).where('delivery_id', '=', ctx.deliveryId).where('recipient_id', '=', id).execute());
    }
    if (before) {
      counts[before === 'sending' ? 'unknown' : before]++;
      continue;
    }
    await inTx((tx) => tx.insertInto('channel_recipient_sends').values({ community_id: ctx.communityId, delivery_id: ctx.deliveryId, recipient_id: id, status: 'sending', error: null }).execute());
    let outcome: RecipientOutcome;
    try {
      outcome = await send(id);
    } catch (e) {
      const ce = e instanceof ChannelError ? e : new ChannelError('transient', (e as Error).message);
      // Nothing reached this recipient: forget the row so the retry sends to them.
      if (ce.kind !== 'unknown') await inTx((tx) => tx.deleteFrom('channel_recipient_sends').where('delivery_id', '=', ctx.deliveryId).where('recipient_id', '=', id).execute());
      else await inTx((tx) => tx.updateTable('channel_recipient_sends').set({ status: 'unknown', error: ce.message.slice(0, 300) }).where('delivery_id', '=', ctx.deliveryId).where('recipient_id', '=', id).execute());
      if (ce.kind === 'unknown') { counts.unknown++; continue; }
      throw ce;
    }
    counts[outcome]++;
    await inTx((tx) => tx.updateTable('channel_recipient_sends').set({ status: outcome, at: sql`now()` }).where('delivery_id', '=', ctx.deliveryId).where('recipient_id', '=', id).execute());
  }
  return counts;
}
