import { sql } from 'kysely';
import type { Db } from '../../../db/db.ts';
import { withCommunity } from '../../../db/db.ts';
import type { Queue } from '../../../jobs/queue.ts';
import type { Community } from '../../communities/service.ts';
import { recordAudit, systemActor } from '../../audit/service.ts';
import { AppError, forbidden, invalid } from '../../../http/errors.ts';
import { canAct, canCorrect, isEditor, isWriter, RULES, type Action } from '../workflow.ts';
import { Correction } from '../schema.ts';
import { photosWithoutAlt } from '../photos.ts';
import { deliver } from '../delivery.ts';
import { addRevision, lockVersion, writeText, type NewsCtx, type Version } from '../service.ts';
import type { VersionStatus } from '../tables.ts';

/** A schedule must lie at least a minute ahead and within a year. */
const MAX_AHEAD_MS = 366 * 86400_000;

type Opts = { scheduledAt?: Date | null; note?: string | null };

/**
 * Moves one language version through the workflow. Publishing checks that every photo has
 * alternative text in the version's language, and queues the channel deliveries in the same
 * transaction as the status change; unpublishing queues their removal.
 */
export async function transition(ctx: NewsCtx, versionId: string, action: Action, opts: Opts = {}) {
  const v = await lockVersion(ctx.tx, versionId);
  const m = await ctx.tx.selectFrom('materials').select(['id', 'urgent', 'cover_media_id']).where('id', '=', v.material_id).executeTakeFirstOrThrow();
  if (RULES[action].editorOnly ? !isEditor(ctx.who) : !isWriter(ctx.who)) throw forbidden();
  if (!canAct(ctx.who, action, v.status, m.urgent)) throw new AppError(409, 'invalid_transition', 'newsroom.error.invalid_transition', { from: v.status, action });
  const set: Record<string, unknown> = {};
  if (action === 'schedule') set.scheduled_at = checkSchedule(opts.scheduledAt);
  if (action === 'unschedule' || action === 'return') set.scheduled_at = null;
  if (action === 'publish') {
    await requireAlt(ctx, m, v.lang);
    Object.assign(set, { published_at: sql`now()`, first_published_at: sql`coalesce(first_published_at, now())`, scheduled_at: null });
    // Published before (then unpublished): a new revision, so the channels take it as a new
    // publication rather than the one already sent and deleted.
    if (v.first_published_at) set.revision = v.revision + 1;
  }
  if (action === 'return' && !opts.note?.trim()) throw invalid({ note: 'required' }, 'newsroom.error.reason_required');
  return move(ctx, v, RULES[action].to, action, set, opts.note ?? null, m.urgent);
}

function checkSchedule(at: Date | null | undefined): Date {
  if (!at || Number.isNaN(at.getTime())) throw invalid({ scheduled_at: 'required' }, 'newsroom.error.schedule_required');
  const ahead = at.getTime() - Date.now();
  if (ahead < 60_000 || ahead > MAX_AHEAD_MS) throw invalid({ scheduled_at: 'range' }, 'newsroom.error.schedule_range');
  return at;
}

async function requireAlt(ctx: NewsCtx, m: { id: string; cover_media_id: string | null }, lang: Version['lang']) {
  const missing = await photosWithoutAlt(ctx.tx, m, lang);
  if (missing.length) throw new AppError(400, 'invalid_input', 'newsroom.error.alt_required', { photos: missing }, { count: missing.length });
}

async function move(ctx: NewsCtx, v: Version, to: VersionStatus, action: string, set: Record<string, unknown>, note: string | null, urgent: boolean) {
  const after = await ctx.tx.updateTable('material_versions').set({ ...set, status: to, updated_at: sql`now()` }).where('id', '=', v.id).returningAll().executeTakeFirstOrThrow();
  await addRevision(ctx.tx, ctx.actor, after, note);
  await recordAudit(ctx.tx, ctx.actor, { action: `material.${action}`, objectType: 'material_version', objectId: v.id, before: { status: v.status }, after: { status: to, scheduled_at: after.scheduled_at } });
  if (to === 'published') await deliver(ctx, after, 'publish', urgent);
  if (v.status === 'published' && to !== 'published') await deliver(ctx, after, 'delete', urgent);
  return after;
}

/**
 * A correction after publishing: new text, a visible "updated" note with the time, a new
 * revision in the history, and an update queued to the channels that carried it.
 */
export async function correctVersion(ctx: NewsCtx, versionId: string, raw: Correction) {
  const v = await lockVersion(ctx.tx, versionId);
  if (!canCorrect(ctx.who, v.status)) throw v.status === 'published' ? forbidden() : new AppError(409, 'invalid_transition', 'newsroom.error.invalid_transition');
  const c = Correction.parse(raw);
  const m = await ctx.tx.selectFrom('materials').select(['id', 'urgent', 'cover_media_id']).where('id', '=', v.material_id).executeTakeFirstOrThrow();
  await requireAlt(ctx, m, v.lang);
  const after = await writeText(ctx, v, c, { corrected_at: new Date(), correction_note: c.note }, c.note);
  await deliver(ctx, after, 'update', m.urgent);
  return after;
}

type DueDeps = { db: Db; queue: Queue; site: (c: Community) => string };

/**
 * Publishes every scheduled version whose time has come (also the ones missed while the server
 * was down). Each is locked and re-read: a second worker skips it or finds it published already,
 * so it goes out once.
 */
export async function publishDue(deps: DueDeps, community: Community, now = new Date()): Promise<number> {
  return withCommunity(deps.db, community.id, async (tx) => {
    const due = await tx.selectFrom('material_versions').select('id').where('status', '=', 'scheduled').where('scheduled_at', '<=', now)
      .orderBy('scheduled_at').limit(200).forUpdate().skipLocked().execute();
    const ctx: NewsCtx = {
      tx, queue: deps.queue, actor: systemActor(community.id, 'scheduled publication'), community, site: deps.site(community),
      who: { userId: null, permissions: new Set(['news.publish']) },
    };
    let n = 0;
    for (const { id } of due) {
      // A photo without alt text keeps the version scheduled (and visible as overdue in the calendar).
      try {
        await sql`savepoint publish_due`.execute(tx);
        await transition(ctx, id, 'publish');
        await sql`release savepoint publish_due`.execute(tx);
        n++;
      } catch (e) {
        await sql`rollback to savepoint publish_due`.execute(tx);
        if (!(e instanceof AppError)) throw e;
      }
    }
    return n;
  });
}
