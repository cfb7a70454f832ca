import type { Tx } from '../../db/db.ts';
import type { Queue } from '../../jobs/queue.ts';

// Every message that leaves CityDesk for one person is a row of outbox_messages first,
// written in the transaction of whatever caused it. The lanes (lanes.ts) send them.

export type OutboxChannel = 'email' | 'sms' | 'telegram' | 'webpush';

export type OutgoingMessage = {
  channel: OutboxChannel;
  recipient: string;
  subject?: string;
  body: string;
  purpose: string;
};

/** Writes the message in the caller's transaction: it is sent only if the transaction commits.
 * `startAfter` holds it back (quiet hours); `priority` puts it ahead in its lane. */
export async function enqueueMessage(tx: Tx, _queue: Queue | null, communityId: string, msg: OutgoingMessage, opts: { startAfter?: Date; priority?: number } = {}): Promise<string> {
  const row = await tx
    .insertInto('outbox_messages')
    .values({
      community_id: communityId, channel: msg.channel, recipient: msg.recipient, subject: msg.subject ?? null, body: msg.body, purpose: msg.purpose,
      ...(opts.startAfter ? { next_attempt_at: opts.startAfter } : {}), ...(opts.priority ? { priority: opts.priority } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listOutbox(tx: Tx, filter: { status?: string; limit: number }) {
  let q = tx.selectFrom('outbox_messages').selectAll().orderBy('created_at', 'desc').limit(filter.limit);
  if (filter.status) q = q.where('status', '=', filter.status as 'pending');
  return q.execute();
}

/** Sends again messages whose delivery a crash left unknown (all of the community's, or the
 * given ones); returns how many. */
export async function resendUnknown(tx: Tx, ids?: string[]): Promise<number> {
  let q = tx.updateTable('outbox_messages').set({ status: 'pending', next_attempt_at: new Date(), last_error: null }).where('status', '=', 'unknown');
  if (ids) q = q.where('id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function countUnknown(tx: Tx): Promise<number> {
  const r = await tx.selectFrom('outbox_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'unknown').executeTakeFirstOrThrow();
  return Number(r.n);
}
