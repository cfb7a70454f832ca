import type { Tx } from '../../db/db.ts';

/** Who is acting, for which community, from which request. Built once per request. */
export type Actor = {
  type: 'user' | 'resident' | 'token' | 'system' | 'anonymous';
  id: string | null;
  label: string | null;
  communityId: string | null;
  requestId: string | null;
  ip: string | null;
};

export const systemActor = (communityId: string | null, label = 'system'): Actor => ({
  type: 'system', id: null, label, communityId, requestId: null, ip: null,
});

type Fields = Record<string, unknown>;

/** Fields that must never be copied into the audit trail. */
const SECRET_FIELDS = new Set(['password_hash', 'totp_secret', 'token_hash', 'code_hash', 'csrf_token']);

/** Before/after of the fields that changed; secrets are named but never copied. */
export function diff(before: Fields | null, after: Fields | null): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    const from = before?.[k] ?? null;
    const to = after?.[k] ?? null;
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    out[k] = SECRET_FIELDS.has(k) ? { from: from === null ? null : '***', to: to === null ? null : '***' } : { from, to };
  }
  return out;
}

type AuditEntry = { action: string; objectType: string; objectId: string | null; before?: Fields | null; after?: Fields | null; note?: Fields };

/** The audit_log row of an entry (for a statement that writes it together with the change). */
export function auditRow(actor: Actor, entry: AuditEntry) {
  const changes = entry.before !== undefined || entry.after !== undefined ? diff(entry.before ?? null, entry.after ?? null) : null;
  const payload = entry.note ? { ...(changes ?? {}), _note: entry.note } : changes;
  return {
    community_id: actor.communityId,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_label: actor.label,
    action: entry.action,
    object_type: entry.objectType,
    object_id: entry.objectId,
    changes: payload ? JSON.stringify(payload) : null,
    request_id: actor.requestId,
    ip: actor.ip,
  };
}

/** Appends one audit entry in the caller's transaction, so it commits or rolls back with the change. */
export async function recordAudit(tx: Tx, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.insertInto('audit_log').values(auditRow(actor, entry)).execute();
}

export type AuditQuery = { objectType?: string; objectId?: string; action?: string; actorId?: string; q?: string; before?: string; limit: number };

/** The community's audit log, newest first, filtered; RLS keeps it to the transaction's community. */
export async function searchAudit(tx: Tx, query: AuditQuery) {
  let q = tx.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(query.limit);
  if (query.objectType) q = q.where('object_type', '=', query.objectType);
  if (query.objectId) q = q.where('object_id', '=', query.objectId);
  if (query.action) q = q.where('action', 'like', `${query.action}%`);
  if (query.actorId) q = q.where('actor_id', '=', query.actorId);
  if (query.before) q = q.where('id', '<', query.before);
  if (query.q) {
    const like = `%${query.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('actor_label', 'ilike', like), eb('action', 'ilike', like), eb('object_id', 'ilike', like)]));
  }
  return q.execute();
}
