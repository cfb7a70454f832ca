// The channels module's operations. Other modules call only this file.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { withCommunity, type Db, type Tx } from '../../db/db.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { conflict, invalid, notFound } from '../../http/errors.ts';
import { adapterFor } from './adapters/index.ts';
import { findDeliveries, getDelivery, setStatus, type Delivery } from './deliveries.ts';
import { isConnected, loadSettings, saveSettings } from './settings.ts';
import { httpClient } from './http.ts';
import { newVapidKeys } from './adapters/webpush.ts';
export { signedPush } from './adapters/webpush.ts';
import { DELIVER_JOB } from './worker.ts';
import type { ChannelKind, Publication } from './types.ts';

export { CHANNELS, type ChannelKind, type Publication } from './types.ts';
export { channelStatus, saveSettings, loadSettings, mask, isConnected } from './settings.ts';
export { parseError, getDelivery } from './deliveries.ts';
export { adapterFor } from './adapters/index.ts';
export type { Delivery } from './deliveries.ts';
export { PushSubscription, PUSH_TOPICS, savePushSubscription, deletePushSubscription, pushTarget, type PushTopic } from './push-subscriptions.ts';

/** Writes one delivery per channel in the caller's transaction, and the job that sends them:
 * both commit or neither. Queueing the same (publication, version, action) again changes
 * nothing. A channel that is not connected gets a "skipped" delivery the console shows. */
export async function queueDeliveries(
  tx: Tx,
  queue: Queue,
  input: { communityId: string; publication: Publication; channels: ChannelKind[]; action: 'publish' | 'update' | 'delete'; priority?: boolean; actor: Actor },
): Promise<{ queued: number; skipped: ChannelKind[] }> {
  const p = input.publication;
  const settings = await loadSettings(tx);
  const ids: string[] = [];
  const skipped: ChannelKind[] = [];
  for (const channel of [...new Set(input.channels)]) {
    const connected = isConnected(settings.get(channel));
    const row = await tx.insertInto('channel_deliveries').values({
      community_id: input.communityId, source_type: p.sourceType, source_id: p.sourceId, lang: p.lang, channel, action: input.action,
      version: p.version, payload: JSON.stringify(p), status: connected ? 'queued' : 'skipped', priority: input.priority ?? false,
      error: connected ? null : JSON.stringify({ key: 'channels.error.not_connected' }), created_by: input.actor.label, next_attempt_at: sql`now()`, updated_at: sql`now()`,
    }).onConflict((oc) => oc.columns(['community_id', 'source_type', 'source_id', 'lang', 'channel', 'action', 'version']).doNothing()).returning('id').executeTakeFirst();
    if (!connected) skipped.push(channel);
    else if (row) ids.push(row.id);
  }
  if (ids.length) await queue.sendInTx(tx, DELIVER_JOB, { communityId: input.communityId, ids }, { priority: input.priority ? 10 : 0 });
  await recordAudit(tx, input.actor, { action: `channels.${input.action}`, objectType: p.sourceType, objectId: p.sourceId, note: { lang: p.lang, version: p.version, channels: input.channels, skipped } });
  return { queued: ids.length, skipped };
}

type Action = 'publish' | 'update' | 'delete';
type Row = { id: string; channel: ChannelKind; action: Action; status: string; external_id: string | null; version: number; created_at: Date; sent_at: Date | null };

/** Where a publication (one language version) stands on each channel, from its deliveries:
 * `carried` — a publish went out (sent, with its external id) and no deletion went out after
 * it; `pending` — otherwise, its newest publish that has not gone out (queued, sending,
 * failed, skipped or unknown). */
export async function channelStates(tx: Tx, p: Pick<Publication, 'sourceType' | 'sourceId' | 'lang'>) {
  const rows = (await tx.selectFrom('channel_deliveries').select(['id', 'channel', 'action', 'status', 'external_id', 'version', 'created_at', 'sent_at'])
    .where('source_type', '=', p.sourceType).where('source_id', '=', p.sourceId).where('lang', '=', p.lang)
    .orderBy('created_at').orderBy('id').execute()) as Row[];
  const states = new Map<ChannelKind, { carried: boolean; pending: Row | null; rows: Row[] }>();
  for (const r of rows) {
    const st = states.get(r.channel) ?? { carried: false, pending: null, rows: [] };
    st.rows.push(r);
    states.set(r.channel, st);
  }
  for (const st of states.values()) {
    const events = st.rows.filter((r) => r.status === 'sent' && r.sent_at && ((r.action === 'publish' && r.external_id) || r.action === 'delete'))
      .sort((a, b) => a.sent_at!.getTime() - b.sent_at!.getTime());
    st.carried = events.at(-1)?.action === 'publish';
    st.pending = st.carried ? null : (st.rows.filter((r) => r.action === 'publish' && r.status !== 'sent').at(-1) ?? null);
  }
  return states;
}

/** Gives a publish that has not gone out the newest text (and its version, when free). Publishing
 * again also sends a failed or skipped one again, when the channel is connected. False when it
 * has left in the meantime. */
async function refresh(tx: Tx, pending: Row, p: Publication, rows: Row[], again: boolean): Promise<boolean> {
  if (!['queued', 'failed', 'skipped'].includes(pending.status)) return false;
  const free = !rows.some((r) => r.action === pending.action && r.version === p.version && r.id !== pending.id);
  const r = await tx.updateTable('channel_deliveries').set({
    payload: JSON.stringify(p), updated_at: sql`now()`, ...(free ? { version: p.version } : {}),
    ...(again ? { status: 'queued', error: null, attempts: 0, next_attempt_at: sql`now()` } : {}),
  }).where('id', '=', pending.id).where('status', 'in', ['queued', 'failed', 'skipped']).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * What a change of a publication's state means on every channel it concerns, queued in the
 * caller's transaction. Edits and deletions go where it was actually published, whatever is
 * ticked now; only ticked channels get it for the first time:
 * - publish/update: a channel carrying it gets an update (ticked or not); a ticked channel
 *   not carrying it gets a publish, unless a publish of it is still on its way there (that
 *   one is given the new text if it has not left yet, else the update follows it);
 * - delete: a channel carrying it gets a deletion (ticked or not); a publish that has not
 *   left yet is called off, one that is leaving or of unknown outcome is followed by a deletion.
 */
export async function syncDeliveries(
  tx: Tx,
  queue: Queue,
  input: { communityId: string; publication: Publication; ticked: ChannelKind[]; action: Action; priority?: boolean; actor: Actor },
): Promise<{ queued: number; skipped: ChannelKind[]; refreshed: ChannelKind[]; cancelled: ChannelKind[] }> {
  const p = input.publication;
  const states = await channelStates(tx, p);
  const plan: Record<Action, ChannelKind[]> = { publish: [], update: [], delete: [] };
  const refreshed: ChannelKind[] = [];
  const cancelled: ChannelKind[] = [];
  const ticked = new Set(input.ticked);
  const settings = await loadSettings(tx);
  const again: string[] = [];
  // Publishing again sends a failed or skipped publish again (with the newest text) where it can go now.
  const sendAgain = (r: Row) => input.action === 'publish' && r.status !== 'queued' && isConnected(settings.get(r.channel));
  for (const channel of new Set([...ticked, ...states.keys()])) {
    const st = states.get(channel);
    const pending = st?.pending ?? null;
    if (input.action === 'delete') {
      if (st?.carried) plan.delete.push(channel);
      else if (pending?.status === 'queued') {
        if (await setStatus(tx, pending.id, 'skipped', { error: { key: 'channels.skip.unpublished' }, from: ['queued'] })) cancelled.push(channel);
        else plan.delete.push(channel);
      } else if (pending?.status === 'sending' || pending?.status === 'unknown') plan.delete.push(channel);
    } else if (st?.carried) plan.update.push(channel);
    else if (!ticked.has(channel)) continue;
    else if (pending && (await refresh(tx, pending, p, st!.rows, sendAgain(pending)))) {
      refreshed.push(channel);
      if (sendAgain(pending)) again.push(pending.id);
    } else if (pending) {
      if (input.action === 'update') plan.update.push(channel);
    } else plan.publish.push(channel);
  }
  if (again.length) await queue.sendInTx(tx, DELIVER_JOB, { communityId: input.communityId, ids: again }, { priority: input.priority ? 10 : 0 });
  let queued = 0;
  const skipped: ChannelKind[] = [];
  for (const action of ['publish', 'update', 'delete'] as const) {
    if (!plan[action].length) continue;
    const r = await queueDeliveries(tx, queue, { communityId: input.communityId, publication: p, channels: plan[action], action, priority: input.priority, actor: input.actor });
    queued += r.queued;
    skipped.push(...r.skipped);
  }
  if (refreshed.length || cancelled.length) {
    await recordAudit(tx, input.actor, { action: 'channels.sync', objectType: p.sourceType, objectId: p.sourceId, note: { lang: p.lang, version: p.version, refreshed, cancelled } });
  }
  return { queued, skipped, refreshed, cancelled };
}

export const listDeliveries = (tx: Tx, filter: { sourceType?: string; sourceId?: string; status?: string; limit?: number }): Promise<Delivery[]> => findDeliveries(tx, filter);

/** What the channel will receive after its limits are applied, with what had to give way. */
export function previewFor(kind: ChannelKind, p: Publication): { parts: string[]; warnings: MessageKey[] } {
  return adapterFor(kind).render(p);
}

/** Sends a failed (or not-yet-connected) delivery again. Steps that already reached the
 * channel (the first parts of a long Telegram text, say) are not repeated. */
export async function retryDelivery(tx: Tx, queue: Queue, id: string, actor: Actor): Promise<void> {
  const d = await getDelivery(tx, id);
  if (!d) throw notFound();
  if (d.status !== 'failed' && d.status !== 'skipped') throw conflict('channels.error.not_retryable');
  if (!isConnected((await loadSettings(tx)).get(d.channel))) throw invalid(undefined, 'channels.error.not_connected');
  await setStatus(tx, id, 'queued', { error: null, next: new Date(), resetAttempts: true, from: ['failed', 'skipped'] });
  await queue.sendInTx(tx, DELIVER_JOB, { communityId: d.community_id, ids: [id] }, { priority: d.priority ? 10 : 0 });
  await recordAudit(tx, actor, { action: 'channels.retry', objectType: 'delivery', objectId: id, before: { status: d.status }, after: { status: 'queued' } });
}

/** The editor checked the channel for a delivery whose outcome was unknown: it was posted
 * (optionally with its link), or it was not and is sent again. */
export async function resolveUnknown(tx: Tx, queue: Queue, id: string, answer: { posted: boolean; externalUrl?: string }, actor: Actor): Promise<void> {
  const d = await getDelivery(tx, id);
  if (!d) throw notFound();
  if (d.status !== 'unknown') throw conflict('channels.error.not_unknown');
  const url = answer.externalUrl?.trim() || null;
  if (url && !/^https?:\/\/\S+$/.test(url)) throw invalid([{ field: 'external_url', key: 'channels.error.link' }], 'channels.error.link');
  if (answer.posted) {
    await setStatus(tx, id, 'sent', { error: null, from: ['unknown'], sent: { externalId: d.external_id ?? 'manual', externalUrl: url, result: { ...(d.result ?? {}), resolved_by_editor: true } } });
  } else {
    await setStatus(tx, id, 'queued', { error: null, next: new Date(), from: ['unknown'] });
    await queue.sendInTx(tx, DELIVER_JOB, { communityId: d.community_id, ids: [id] }, { priority: d.priority ? 10 : 0 });
  }
  await recordAudit(tx, actor, { action: 'channels.resolve', objectType: 'delivery', objectId: id, before: { status: 'unknown' }, after: { status: answer.posted ? 'sent' : 'queued', external_url: url } });
}

/** "Test connection": asks the channel who we are with the stored settings. */
export async function testChannel(db: Db, communityId: string, kind: ChannelKind, origin: string): Promise<{ ok: true; name: string } | { ok: false; detail: string }> {
  const s = (await withCommunity(db, communityId, (tx) => loadSettings(tx))).get(kind);
  const adapter = adapterFor(kind);
  const parsed = adapter.config.safeParse(s?.config ?? {});
  if (!parsed.success) return { ok: false, detail: parsed.error.issues.map((i) => String(i.path[0])).join(', ') };
  if (!adapter.test) return { ok: true, name: kind };
  try {
    return { ok: true, name: await adapter.test({ config: s!.config, http: httpClient(10_000), communityId, deliveryId: '', origin, db }) };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

/** Web push needs a VAPID key pair per community: made once, when the channel is first switched
 * on, and kept when it is switched off and on again (browsers subscribed with its public key). */
export async function ensureVapid(tx: Tx, actor: Actor, subject: string): Promise<void> {
  const s = (await loadSettings(tx)).get('webpush');
  const c = s?.config ?? {};
  if (s?.enabled && c.vapid_public && c.vapid_private) return;
  const keys = c.vapid_public && c.vapid_private ? { publicKey: String(c.vapid_public), privateKey: String(c.vapid_private) } : newVapidKeys();
  await saveSettings(tx, actor, 'webpush', { vapid_public: keys.publicKey, vapid_private: keys.privateKey, subject: String(c.subject ?? subject) }, true);
}

/** Switches web push off, keeping its keys for the day it is switched on again. */
export async function disableWebPush(tx: Tx, actor: Actor): Promise<void> {
  const r = await tx.updateTable('channel_settings').set({ enabled: false, connected_at: null, updated_at: sql`now()` }).where('kind', '=', 'webpush').where('enabled', '=', true).executeTakeFirst();
  if (Number(r.numUpdatedRows)) await recordAudit(tx, actor, { action: 'channels.settings', objectType: 'channel', objectId: 'webpush', before: { enabled: true }, after: { enabled: false } });
}

export async function addPressContact(tx: Tx, actor: Actor, input: { name?: string; email?: string; outlet?: string; lang?: string }): Promise<void> {
  const c = PressContact.parse(input);
  const taken = await tx.selectFrom('press_contacts').select('id').where('email', '=', c.email).executeTakeFirst();
  if (taken) throw conflict('channels.press.duplicate');
  const row = await tx.insertInto('press_contacts').values({ community_id: actor.communityId!, name: c.name, email: c.email, outlet: c.outlet || null, lang: c.lang, unsubscribe_token: randomBytes(18).toString('base64url') }).returning('id').executeTakeFirstOrThrow();
  await recordAudit(tx, actor, { action: 'channels.press.add', objectType: 'press_contact', objectId: row.id });
}

export const PressContact = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.string().trim().toLowerCase().email().max(200),
  outlet: z.string().trim().max(200).optional(),
  lang: z.enum(['uk', 'en', 'fa']).default('uk'),
});

export const listPress = (tx: Tx) => tx.selectFrom('press_contacts').select(['id', 'name', 'email', 'outlet', 'lang', 'unsubscribed_at']).orderBy('name').limit(2000).execute();

/** The unsubscribe link of a press release: works without signing in, once or many times. */
export async function unsubscribePress(tx: Tx, token: string): Promise<boolean> {
  if (!/^[\w-]{10,60}$/.test(token)) return false;
  const r = await tx.updateTable('press_contacts').set({ unsubscribed_at: sql`coalesce(unsubscribed_at, now())` }).where('unsubscribe_token', '=', token).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
