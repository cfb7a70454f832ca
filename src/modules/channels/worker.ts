// The delivery worker: takes a queued delivery, sends it through its adapter, records the
// outcome. Rules (README): a delivery is sent only while its worker holds an advisory lock
// on it, so a crashed worker is recognised at once; "sending" without a lock holder means
// the outcome is unknown, and it is read back from the channel where the API allows, else
// shown to the editor as "unknown" and never re-sent blindly.
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { withCommunity, withSystem, type Db } from '../../db/db.ts';
import type { Queue } from '../../jobs/queue.ts';
import { adapterFor } from './adapters/index.ts';
import { claim, getDelivery, lastPosted, progressOf, publishInFlight, setStatus, type Delivery, type DeliveryError } from './deliveries.ts';
import { httpClient } from './http.ts';
import { backoffSeconds, LIMITS, RETRY } from './limits.ts';
import { isConnected, loadSettings, type ChannelSetting } from './settings.ts';
import { ChannelError, type AdapterCtx, type Sent } from './types.ts';

export const DELIVER_JOB = 'channels.deliver';
export type WorkerDeps = { db: Db; readonly queue: Queue; origin: () => string; log: Logger };

const num = (v: unknown, dflt: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : dflt);

/** Asks a worker to look at these deliveries now or at `startAfter`. Jobs only wake workers:
 * the deliveries table is the truth, so an extra or a lost job changes nothing. */
export async function nudge(queue: Queue, communityId: string, ids: string[], opts: { priority?: boolean; at?: Date } = {}) {
  await queue.boss.send(DELIVER_JOB, { communityId, ids }, { priority: opts.priority ? 10 : 0, ...(opts.at ? { startAfter: opts.at } : {}) });
}

/** Sends one delivery if it is due. Returns what happened, for the drain loop. */
export async function processDelivery(deps: WorkerDeps, communityId: string, id: string): Promise<'done' | 'busy' | 'later' | 'skip'> {
  return deps.db.connection().execute(async (conn) => {
    const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(7271, hashtext(${id})) as ok`.execute(conn);
    if (!got.rows[0].ok) return 'busy';
    try {
      return await underLock(deps, conn, communityId, id);
    } finally {
      await sql`select pg_advisory_unlock(7271, hashtext(${id}))`.execute(conn);
    }
  });
}

async function underLock(deps: WorkerDeps, conn: Db, communityId: string, id: string): Promise<'done' | 'busy' | 'later' | 'skip'> {
  const inTx = <T>(fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(conn, communityId, fn);
  const d0 = await inTx((tx) => getDelivery(tx, id));
  if (!d0) return 'skip';
  const setting = (await inTx((tx) => loadSettings(tx))).get(d0.channel);
  if (d0.status === 'sending') return reconcile(deps, conn, d0, setting);
  if (d0.status !== 'queued') return 'skip';
  if (d0.next_attempt_at.getTime() > Date.now() + 200) return 'later';
  if (!isConnected(setting)) {
    await inTx((tx) => setStatus(tx, id, 'skipped', { error: { key: 'channels.error.not_connected' }, from: ['queued'] }));
    return 'done';
  }
  const slot = await takeSlot(conn, d0, setting!);
  if (slot) {
    await inTx((tx) => tx.updateTable('channel_deliveries').set({ next_attempt_at: slot }).where('id', '=', id).execute());
    await nudge(deps.queue, communityId, [id], { priority: d0.priority, at: slot });
    return 'later';
  }
  const d = await inTx((tx) => claim(tx, id));
  if (!d) return 'skip';
  const ctx = adapterCtx(deps, conn, d, setting!);
  try {
    const sent = await send(ctx, conn, d);
    await inTx((tx) => (sent ? setStatus(tx, id, 'sent', { sent, error: null }) : setStatus(tx, id, 'skipped', { error: { key: d.action === 'publish' ? 'channels.skip.unsupported' : 'channels.skip.edit_by_hand' } })));
  } catch (e) {
    await recordFailure(deps, conn, d, setting!, e);
  }
  return 'done';
}

function adapterCtx(deps: WorkerDeps, conn: Db, d: Delivery, s: ChannelSetting): AdapterCtx {
  return { config: s.config, http: httpClient(num(s.config.timeout_seconds, 20) * 1000), communityId: d.community_id, deliveryId: d.id, origin: deps.origin(), db: conn };
}

async function send(ctx: AdapterCtx, conn: Db, d: Delivery): Promise<Sent | null> {
  const adapter = adapterFor(d.channel);
  if (d.action === 'publish') {
    const save = (progress: Record<string, unknown>) => withCommunity(conn, d.community_id, (tx) => setStatus(tx, d.id, 'sending', { progress })).then(() => {});
    return adapter.publish(ctx, d.payload, { progress: progressOf(d), save });
  }
  const prev = await withCommunity(conn, d.community_id, (tx) => lastPosted(tx, d));
  if (!prev) {
    // The publish is still on its way: this change follows it (retried with backoff).
    if (await withCommunity(conn, d.community_id, (tx) => publishInFlight(tx, d))) throw new ChannelError('transient', 'the post is still being sent; this change follows it');
    throw new ChannelError('permanent', 'never posted on this channel, nothing to change');
  }
  if (d.action === 'update') return adapter.update ? adapter.update(ctx, d.payload, prev) : null;
  if (!adapter.remove) return null;
  await adapter.remove(ctx, prev);
  return prev;
}

/** The channel's rate gate: null when this send may start now, else when to try again. */
async function takeSlot(conn: Db, d: Delivery, s: ChannelSetting): Promise<Date | null> {
  const perMinute = num(s.config.rate_per_minute, LIMITS[d.channel].perMinute);
  return withCommunity(conn, d.community_id, async (tx) => {
    const r = await tx.updateTable('channel_settings').set({ next_slot_at: sql`now() + ${60 / perMinute} * interval '1 second'` })
      .where('kind', '=', d.channel).where((eb) => eb.or([eb('next_slot_at', 'is', null), eb('next_slot_at', '<=', sql<Date>`now()`)]))
      .returning('kind').executeTakeFirst();
    if (r) return null;
    const row = await tx.selectFrom('channel_settings').select('next_slot_at').where('kind', '=', d.channel).executeTakeFirst();
    return row?.next_slot_at ?? new Date(Date.now() + 1000);
  });
}

async function recordFailure(deps: WorkerDeps, conn: Db, d: Delivery, s: ChannelSetting, e: unknown) {
  const ce = e instanceof ChannelError ? e : new ChannelError('transient', (e as Error).message ?? String(e));
  const inTx = <T>(fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(conn, d.community_id, fn);
  const maxAttempts = num(s.config.max_attempts, RETRY.maxAttempts);
  if (ce.kind === 'unknown') {
    await inTx((tx) => setStatus(tx, d.id, 'unknown', { error: { key: 'channels.error.unknown_outcome', detail: ce.message } }));
    return;
  }
  if (ce.kind === 'permanent' || d.attempts >= maxAttempts) {
    const error: DeliveryError = ce.kind === 'permanent'
      ? { key: 'channels.error.refused', detail: ce.message }
      : { key: 'channels.error.gave_up', params: { count: d.attempts }, detail: ce.message };
    await inTx((tx) => setStatus(tx, d.id, 'failed', { error }));
    deps.log.warn({ delivery: d.id, channel: d.channel, error: ce.message }, 'channel delivery failed');
    return;
  }
  const wait = ce.kind === 'rate_limited' ? Math.max(1, ce.retryAfterSeconds ?? 30) : backoffSeconds(d.attempts, num(s.config.retry_base_seconds, RETRY.baseSeconds));
  const next = new Date(Date.now() + wait * 1000);
  const error: DeliveryError = ce.kind === 'rate_limited' ? { key: 'channels.error.rate_limited', params: { seconds: Math.ceil(wait) }, detail: ce.message } : { key: 'channels.error.retrying', params: { seconds: Math.ceil(wait) }, detail: ce.message };
  await inTx(async (tx) => {
    await setStatus(tx, d.id, 'queued', { error, next });
    // retry_after holds for the whole channel, not only this post.
    if (ce.kind === 'rate_limited') await tx.updateTable('channel_settings').set({ next_slot_at: sql`greatest(coalesce(next_slot_at, now()), ${next})` }).where('kind', '=', d.channel).execute();
  });
  await nudge(deps.queue, d.community_id, [d.id], { priority: d.priority, at: next });
}

/** A "sending" delivery whose worker is gone: read it back where the channel allows. */
async function reconcile(deps: WorkerDeps, conn: Db, d: Delivery, s: ChannelSetting | undefined): Promise<'done' | 'skip'> {
  const inTx = <T>(fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(conn, d.community_id, fn);
  const adapter = adapterFor(d.channel);
  if (d.action === 'publish' && adapter.lookup && s && isConnected(s)) {
    try {
      const found = await adapter.lookup(adapterCtx(deps, conn, d, s), d.payload);
      if (found) await inTx((tx) => setStatus(tx, d.id, 'sent', { sent: found, error: null, from: ['sending'] }));
      else {
        // Not on the channel: the request never arrived, so sending it is safe.
        await inTx((tx) => setStatus(tx, d.id, 'queued', { error: { key: 'channels.error.recovered' }, next: new Date(), from: ['sending'] }));
        await nudge(deps.queue, d.community_id, [d.id], { priority: d.priority });
      }
      return 'done';
    } catch (e) {
      deps.log.warn({ delivery: d.id, error: (e as Error).message }, 'read-back after a crash failed; will try again');
      return 'skip';
    }
  }
  await inTx((tx) => setStatus(tx, d.id, 'unknown', { error: { key: 'channels.error.interrupted' }, from: ['sending'] }));
  return 'done';
}

/** Works through a job's deliveries, then whatever else of the community is due (bounded). */
export async function drain(deps: WorkerDeps, communityId: string, ids: string[], budgetMs = 30_000) {
  const seen = new Set<string>();
  const end = Date.now() + budgetMs;
  let batch = ids;
  for (let round = 0; round < 50 && batch.length && Date.now() < end; round++) {
    batch.forEach((id) => seen.add(id));
    await Promise.all(batch.map((id) => processDelivery(deps, communityId, id).catch((e: Error) => deps.log.error({ err: e, delivery: id }, 'delivery crashed'))));
    const due = await withCommunity(deps.db, communityId, (tx) =>
      tx.selectFrom('channel_deliveries').select('id').where('status', '=', 'queued').where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('priority', 'desc').orderBy('next_attempt_at').limit(8 + seen.size).execute());
    batch = due.map((r) => r.id).filter((id) => !seen.has(id)).slice(0, 8);
  }
}

/** Finds deliveries left behind by a crashed worker or a lost job, in every community. */
export async function sweep(deps: WorkerDeps, queuedAgeSeconds = 20): Promise<number> {
  const rows = await withSystem(deps.db, (tx) =>
    tx.selectFrom('channel_deliveries').select(['id', 'community_id'])
      .where((eb) => eb.or([
        eb.and([eb('status', '=', 'sending'), eb('sending_since', '<', sql<Date>`now() - interval '1 second'`)]),
        eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<', sql<Date>`now() - ${queuedAgeSeconds} * interval '1 second'`)]),
      ])).orderBy('priority', 'desc').limit(500).execute());
  for (const r of rows) await processDelivery(deps, r.community_id, r.id).catch((e: Error) => deps.log.error({ err: e }, 'sweep failed'));
  return rows.length;
}
