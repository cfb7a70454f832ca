import { z } from 'zod';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/db.ts';
import { withCommunity } from '../../db/db.ts';
import type { Queue, JobDef } from '../../jobs/queue.ts';
import type { Mailer } from './mailer.ts';

export const DELIVER = 'outbox.deliver';

export type OutgoingMessage = {
  channel: 'email' | 'sms' | 'telegram';
  recipient: string;
  subject?: string;
  body: string;
  purpose: string;
};

/** Writes the message and its delivery job in the caller's transaction: both or neither. */
export async function enqueueMessage(tx: Tx, queue: Queue, communityId: string, msg: OutgoingMessage): Promise<string> {
  const row = await tx
    .insertInto('outbox_messages')
    .values({ community_id: communityId, channel: msg.channel, recipient: msg.recipient, subject: msg.subject ?? null, body: msg.body, purpose: msg.purpose })
    .returning('id')
    .executeTakeFirstOrThrow();
  await queue.sendInTx(tx, DELIVER, { communityId, messageId: row.id }, { singletonKey: row.id });
  return row.id;
}

export const DeliverJob = z.object({ communityId: z.string().uuid(), messageId: z.string().uuid() });

/** Sends one message through its gateway. A channel with no gateway configured keeps the
 * message as "held": the console's outbox shows it, so the demo works offline. A gateway
 * failure is recorded and thrown, so the queue retries with backoff; nothing is lost. */
export function deliverJob(db: Db, mailer: Mailer | null): JobDef<typeof DeliverJob> {
  return {
    name: DELIVER,
    schema: DeliverJob,
    retryLimit: 8,
    retryDelay: 10,
    run: async ({ communityId, messageId }) => {
      const msg = await withCommunity(db, communityId, (tx) =>
        tx.selectFrom('outbox_messages').selectAll().where('id', '=', messageId).executeTakeFirst(),
      );
      if (!msg || msg.status === 'sent' || msg.status === 'held') return;
      if (msg.channel !== 'email' || !mailer) {
        await withCommunity(db, communityId, (tx) => tx.updateTable('outbox_messages').set({ status: 'held' }).where('id', '=', messageId).execute());
        return;
      }
      try {
        const providerId = await mailer.send({ to: msg.recipient, subject: msg.subject ?? '', text: msg.body, messageId: `<${msg.id}@citydesk>` });
        await withCommunity(db, communityId, (tx) =>
          tx.updateTable('outbox_messages')
            .set({ status: 'sent', sent_at: sql`now()`, provider_id: providerId, attempts: sql`attempts + 1`, last_error: null })
            .where('id', '=', messageId)
            .execute(),
        );
      } catch (err) {
        await withCommunity(db, communityId, (tx) =>
          tx.updateTable('outbox_messages')
            .set({ attempts: sql`attempts + 1`, last_error: String((err as Error).message).slice(0, 500) })
            .where('id', '=', messageId)
            .execute(),
        );
        throw err;
      }
    },
  };
}

export async function listOutbox(tx: Tx, filter: { status?: string; limit: number }) {
  let q = tx.selectFrom('outbox_messages').selectAll().orderBy('created_at', 'desc').limit(filter.limit);
  if (filter.status) q = q.where('status', '=', filter.status as 'pending');
  return q.execute();
}
