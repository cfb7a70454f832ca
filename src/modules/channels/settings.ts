// Per-community channel settings: tokens, ids, base URLs. Secrets are never shown back in full.
import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import { recordAudit, type Actor } from '../../modules/audit/service.ts';
import { invalid } from '../../http/errors.ts';
import { adapterFor } from './adapters/index.ts';
import { CHANNELS, type ChannelKind } from './types.ts';

export type ChannelSetting = { kind: ChannelKind; config: Record<string, unknown>; enabled: boolean; connected_at: Date | null };

export async function loadSettings(tx: Tx): Promise<Map<ChannelKind, ChannelSetting>> {
  const rows = await tx.selectFrom('channel_settings').select(['kind', 'config', 'enabled', 'connected_at']).execute();
  return new Map(rows.map((r) => [r.kind as ChannelKind, { ...r, kind: r.kind as ChannelKind, config: r.config as Record<string, unknown> }]));
}

/** Connected: switched on, and its settings pass the adapter's checks. */
export function isConnected(s: ChannelSetting | undefined): boolean {
  if (!s || !s.enabled || !s.connected_at) return false;
  return adapterFor(s.kind).config.safeParse(s.config).success;
}

export async function channelStatus(tx: Tx): Promise<Record<ChannelKind, 'connected' | 'not_connected'>> {
  const all = await loadSettings(tx);
  return Object.fromEntries(CHANNELS.map((k) => [k, isConnected(all.get(k)) ? 'connected' : 'not_connected'])) as Record<ChannelKind, 'connected' | 'not_connected'>;
}

/** A secret as the console shows it: the last four characters only. */
export const mask = (v: unknown) => (typeof v === 'string' && v ? `••••${v.slice(-4)}` : '');

/** Saves a channel's settings. A secret field left empty keeps the stored value. Settings
 * the adapter rejects are refused with field errors, and nothing changes. */
export async function saveSettings(tx: Tx, actor: Actor, kind: ChannelKind, input: Record<string, string | undefined>, enabled: boolean): Promise<void> {
  const adapter = adapterFor(kind);
  const before = (await loadSettings(tx)).get(kind);
  const config: Record<string, unknown> = {};
  for (const f of adapter.fields) {
    const v = input[f.name]?.trim();
    if (v) config[f.name] = v;
    else if (f.secret && before?.config[f.name]) config[f.name] = before.config[f.name];
  }
  // Extra tuning kept as it was (rate per minute, retry policy), set through the API only.
  for (const k of ['rate_per_minute', 'retry_base_seconds', 'max_attempts', 'timeout_seconds']) if (before?.config[k] !== undefined) config[k] = before.config[k];
  const parsed = adapter.config.safeParse(config);
  if (enabled && !parsed.success) throw invalid(parsed.error.issues.map((i) => ({ field: String(i.path[0]), key: 'channels.error.field' })), 'channels.error.settings');
  await tx.insertInto('channel_settings')
    .values({ community_id: actor.communityId!, kind, config: JSON.stringify(config), enabled, connected_at: enabled ? sql`now()` : null, updated_at: sql`now()` })
    .onConflict((oc) => oc.columns(['community_id', 'kind']).doUpdateSet({ config: JSON.stringify(config), enabled, connected_at: enabled ? sql`now()` : null, updated_at: sql`now()` }))
    .execute();
  const shown = (c: Record<string, unknown> | undefined) =>
    c ? Object.fromEntries(Object.entries(c).map(([k, v]) => [k, adapter.fields.find((f) => f.name === k)?.secret ? mask(v) : v])) : null;
  await recordAudit(tx, actor, { action: 'channels.settings', objectType: 'channel', objectId: kind, before: { enabled: before?.enabled ?? false, ...shown(before?.config) }, after: { enabled, ...shown(config) } });
}

/** Tuning for tests and busy deployments, kept beside the channel's settings. */
export async function tuneChannel(tx: Tx, kind: ChannelKind, tuning: { rate_per_minute?: number; retry_base_seconds?: number; max_attempts?: number; timeout_seconds?: number }) {
  await tx.updateTable('channel_settings').set({ config: sql`config || ${JSON.stringify(tuning)}::jsonb` }).where('kind', '=', kind).execute();
}
