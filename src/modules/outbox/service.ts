import { sql } from 'kysely';
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

/** Where a shared text (outbox_texts) takes each message's own part. */
export const FILL = '{fill}';

/** A message's subject and body as sent: its own, or its shared text with its fill put in.
 * SQL over `outbox_messages` as `m`. */
export const messageText = {
  subject: sql<string | null>`coalesce(m.subject, (select t.subject from outbox_texts t where t.id = m.text_id))`,
  body: sql<string | null>`coalesce(m.body, (select replace(t.body, ${FILL}, coalesce(m.fill, '')) from outbox_texts t where t.id = m.text_id))`,
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
  let q = tx.selectFrom('outbox_messages as m').selectAll('m').select([messageText.subject.as('subject'), messageText.body.as('body')]).orderBy('m.created_at', 'desc').limit(filter.limit);
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
