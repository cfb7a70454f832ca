import type { Tx } from '../../db/db.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { Actor } from '../audit/service.ts';
import { storeUpload, type PreparedImage } from './service.ts';

/** Photos per submission: the filing form, one addition by the resident, one note or report. */
export const MAX_APPEAL_PHOTOS = 5;

/**
 * Stores checked photos as private media and links them to an appeal, in the caller's
 * transaction (the filing, the note or the report commits with its photos or not at all).
 * `eventId` null: filed with the appeal; otherwise the timeline event they belong to.
 */
export async function attachAppealPhotos(
  tx: Tx,
  queue: Queue,
  o: { communityId: string; appealId: string; eventId: string | null; addedBy: 'applicant' | 'staff'; actor: Actor; photos: PreparedImage[] },
): Promise<string[]> {
  const ids: string[] = [];
  for (const p of o.photos) {
    const m = await storeUpload(tx, queue, { communityId: o.communityId, bytes: p.bytes, prepared: p, purpose: 'appeal', visibility: 'private', actor: o.actor });
    await tx.insertInto('appeal_photos').values({ community_id: o.communityId, appeal_id: o.appealId, media_id: m.id, event_id: o.eventId, added_by_type: o.addedBy }).execute();
    ids.push(m.id);
  }
  return ids;
}

/** The event the caller's transaction just added to the appeal (its row is locked by the action). */
export async function latestEventId(tx: Tx, appealId: string): Promise<string | null> {
  const e = await tx.selectFrom('appeal_events').select('id').where('appeal_id', '=', appealId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return e?.id ?? null;
}

/**
 * An appeal's photos, oldest first. `applicantView`: only those filed with the appeal or
 * belonging to a public event (an executor's internal note keeps its photos internal).
 */
export async function appealPhotos(tx: Tx, appealId: string, applicantView: boolean) {
  let q = tx
    .selectFrom('appeal_photos as p')
    .innerJoin('media_items as m', 'm.id', 'p.media_id')
    .leftJoin('appeal_events as e', 'e.id', 'p.event_id')
    .select(['m.id', 'm.width', 'm.height', 'm.format', 'p.event_id', 'p.added_by_type', 'p.created_at'])
    .where('p.appeal_id', '=', appealId)
    .where('m.archived_at', 'is', null)
    .orderBy('p.created_at')
    .orderBy('m.id');
  if (applicantView) q = q.where((eb) => eb.or([eb('p.event_id', 'is', null), eb('e.is_public', '=', true)]));
  return q.execute();
}
export type AppealPhoto = Awaited<ReturnType<typeof appealPhotos>>[number];
