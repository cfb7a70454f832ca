import { z } from 'zod';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/db.ts';
import { withCommunity } from '../../db/db.ts';
import type { Queue, JobDef } from '../../jobs/queue.ts';
import { GatewayError, type Gateways } from './gateways.ts';

export const DELIVER = 'outbox.deliver';

export type OutgoingMessage = {
  channel: 'email' | 'sms' | 'telegram';
  recipient: string;
  subject?: string;
  body: string;
  purpose: string;
};

/** Writes the message and its delivery job in the caller's transaction: both or neither. */
export async function enqueueMessage(tx: Tx, queue: Queue, communityId: string, msg: OutgoingMessage, opts: { startAfter?: Date } = {}): Promise<string> {
  const row = await tx
    .insertInto('outbox_messages')
    .values({ community_id: communityId, channel: msg.channel, recipient: msg.recipient, subject: msg.subject ?? null, body: msg.body, purpose: msg.purpose })
    .returning('id')
    .executeTakeFirstOrThrow();
  await queue.sendInTx(tx, DELIVER, { communityId, messageId: row.id }, { singletonKey: row.id, ...(opts.startAfter ? { startAfter: opts.startAfter } : {}) });
  return row.id;
}

export const DeliverJob = z.object({ communityId: z.string().uuid(), messageId: z.string().uuid() });

/** Sends one message through its gateway. A channel with no gateway configured keeps the
 * message as "held": the console's outbox shows it, so the demo works offline. A transient
 * failure is recorded and thrown, so the queue retries with backoff; a provider's rate limit
 * schedules the next try after its `retry_after`; a permanent refusal (a blocked bot) is
 * marked failed. Nothing is lost. */
export function deliverJob(db: Db, gateways: Gateways, queue: () => Queue): JobDef<typeof DeliverJob> {
  const record = (communityId: string, messageId: string, set: Record<string, unknown>) =>
    withCommunity(db, communityId, (tx) => tx.updateTable('outbox_messages').set(set).where('id', '=', messageId).execute());
  return {
    name: DELIVER,
    schema: DeliverJob,
    retryLimit: 8,
    retryDelay: 10,
    run: async (data) => {
      const { communityId, messageId } = data;
      const msg = await withCommunity(db, communityId, (tx) => tx.selectFrom('outbox_messages').selectAll().where('id', '=', messageId).executeTakeFirst());
      if (!msg || msg.status === 'sent' || msg.status === 'held' || msg.status === 'failed') return;
      const gateway = gateways[msg.channel];
      if (!gateway) return void (await record(communityId, messageId, { status: 'held' }));
      try {
        const providerId = await gateway.send({ id: msg.id, recipient: msg.recipient, subject: msg.subject, body: msg.body });
        await record(communityId, messageId, { status: 'sent', sent_at: sql`now()`, provider_id: providerId, attempts: sql`attempts + 1`, last_error: null });
      } catch (err) {
        const e = err instanceof GatewayError ? err : new GatewayError(String((err as Error).message));
        const lastError = e.message.slice(0, 500);
        if (e.opts.permanent) return void (await record(communityId, messageId, { status: 'failed', attempts: sql`attempts + 1`, last_error: lastError }));
        await record(communityId, messageId, { attempts: sql`attempts + 1`, last_error: lastError });
        if (e.opts.retryAfter === undefined) throw e;
        // The provider said when to come back: a new job then, not the queue's own back-off.
        await queue().boss.send(DELIVER, data, { startAfter: Math.ceil(e.opts.retryAfter), singletonKey: `${messageId}:${msg.attempts + 1}` });
      }
    },
  };
}

export async function listOutbox(tx: Tx, filter: { status?: string; limit: number }) {
  let q = tx.selectFrom('outbox_messages').selectAll().orderBy('created_at', 'desc').limit(filter.limit);
  if (filter.status) q = q.where('status', '=', filter.status as 'pending');
  return q.execute();
}
