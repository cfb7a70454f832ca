// SQL on the deliveries table; nothing else touches it.
import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import type { DeliveryStatus } from './tables.ts';
import type { ChannelKind, Publication, Sent } from './types.ts';

export type Delivery = {
  id: string;
  community_id: string;
  source_type: 'material' | 'alert';
  source_id: string;
  lang: Publication['lang'];
  channel: ChannelKind;
  action: 'publish' | 'update' | 'delete';
  version: number;
  payload: Publication;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  sending_since: Date | null;
  external_id: string | null;
  external_url: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  priority: boolean;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
};

/** An error kept for the editor: a message key and its parameters, plus the channel's own words. */
export type DeliveryError = { key: MessageKey; params?: Record<string, string | number>; detail?: string };
export const errorText = (e: DeliveryError | null) => (e ? JSON.stringify(e) : null);
export function parseError(s: string | null): DeliveryError | null {
  if (!s) return null;
  try {
    return JSON.parse(s) as DeliveryError;
  } catch {
    return { key: 'channels.error.refused', detail: s };
  }
}

export async function getDelivery(tx: Tx, id: string): Promise<Delivery | undefined> {
  return (await tx.selectFrom('channel_deliveries').selectAll().where('id', '=', id).executeTakeFirst()) as Delivery | undefined;
}

export async function findDeliveries(tx: Tx, f: { sourceType?: string; sourceId?: string; status?: string; limit?: number }): Promise<Delivery[]> {
  let q = tx.selectFrom('channel_deliveries').selectAll().orderBy('created_at', 'desc').orderBy('channel').limit(Math.min(f.limit ?? 200, 1000));
  if (f.sourceType) q = q.where('source_type', '=', f.sourceType as 'material');
  if (f.sourceId) q = q.where('source_id', '=', f.sourceId);
  if (f.status) q = q.where('status', '=', f.status as DeliveryStatus);
  return (await q.execute()) as Delivery[];
}

/** The last successful post of this publication on this channel: what an edit or deletion acts on. */
export async function lastPosted(tx: Tx, d: Pick<Delivery, 'source_type' | 'source_id' | 'lang' | 'channel'>): Promise<Sent | null> {
  const row = await tx.selectFrom('channel_deliveries').select(['external_id', 'external_url', 'result'])
    .where('source_type', '=', d.source_type).where('source_id', '=', d.source_id).where('lang', '=', d.lang).where('channel', '=', d.channel)
    .where('status', '=', 'sent').where('action', 'in', ['publish', 'update']).where('external_id', 'is not', null)
    .orderBy('sent_at', 'desc').limit(1).executeTakeFirst();
  return row ? { externalId: row.external_id!, externalUrl: row.external_url, result: (row.result ?? {}) as Record<string, unknown> } : null;
}

/** Whether a publish of this publication on this channel is still on its way (an edit or a
 * deletion queued meanwhile waits for it). */
export async function publishInFlight(tx: Tx, d: Pick<Delivery, 'source_type' | 'source_id' | 'lang' | 'channel'>): Promise<boolean> {
  const row = await tx.selectFrom('channel_deliveries').select('id')
    .where('source_type', '=', d.source_type).where('source_id', '=', d.source_id).where('lang', '=', d.lang).where('channel', '=', d.channel)
    .where('action', '=', 'publish').where('status', 'in', ['queued', 'sending']).limit(1).executeTakeFirst();
  return !!row;
}

export async function setStatus(tx: Tx, id: string, status: DeliveryStatus, fields: { error?: DeliveryError | null; next?: Date; sent?: Sent; progress?: Record<string, unknown>; resetAttempts?: boolean; from?: DeliveryStatus[] } = {}) {
  let q = tx.updateTable('channel_deliveries').set({
    status,
    updated_at: sql`now()`,
    ...(fields.error !== undefined ? { error: errorText(fields.error) } : {}),
    ...(fields.next ? { next_attempt_at: fields.next } : {}),
    ...(fields.sent ? { external_id: fields.sent.externalId, external_url: fields.sent.externalUrl, result: JSON.stringify(fields.sent.result), sent_at: sql`now()` } : {}),
    ...(fields.progress ? { result: JSON.stringify({ progress: fields.progress }) } : {}),
    ...(fields.resetAttempts ? { attempts: 0 } : {}),
    ...(status !== 'sending' ? { sending_since: null } : {}),
  }).where('id', '=', id);
  if (fields.from) q = q.where('status', 'in', fields.from);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

export async function claim(tx: Tx, id: string): Promise<Delivery | undefined> {
  return (await tx.updateTable('channel_deliveries')
    .set({ status: 'sending', attempts: sql`attempts + 1`, sending_since: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', id).where('status', '=', 'queued').where('next_attempt_at', '<=', sql<Date>`now() + interval '200 milliseconds'`)
    .returningAll().executeTakeFirst()) as Delivery | undefined;
}

export const progressOf = (d: Delivery): Record<string, unknown> => ((d.result as { progress?: Record<string, unknown> } | null)?.progress ?? {});
