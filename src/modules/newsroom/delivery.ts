import type { Tx } from '../../db/db.ts';
import type { Texts } from '../../db/types.ts';
import { CHANNELS, type ChannelKind, type Publication } from '../channels/types.ts';
import { syncDeliveries } from '../channels/service.ts';
import { publicImages } from './photos.ts';
import { materialUrl, type NewsCtx, type Version } from './service.ts';

const isChannel = (c: string): c is ChannelKind => (CHANNELS as readonly string[]).includes(c);

/** The publication as the channels get it: a snapshot of this revision of the version. */
export async function publicationOf(tx: Tx, v: Version, site: string): Promise<Publication> {
  const m = await tx.selectFrom('materials').select(['id', 'cover_media_id', 'video_url', 'urgent']).where('id', '=', v.material_id).executeTakeFirstOrThrow();
  const tags = await tx.selectFrom('material_tags as mt').innerJoin('news_tags as t', 't.id', 'mt.tag_id').select(['t.slug', 't.names'])
    .where('mt.material_id', '=', m.id).orderBy('t.slug').execute();
  const texts = v.channel_texts as Partial<Record<ChannelKind, string>>;
  return {
    sourceType: 'material', sourceId: v.material_id, version: v.revision, lang: v.lang, title: v.title, lead: v.lead, bodyHtml: v.body_html, bodyText: v.body_text,
    url: materialUrl(site, v.lang, v.slug), images: await publicImages(tx, m, v.lang, site), videoUrl: m.video_url, urgent: m.urgent,
    tags: tags.map((t) => (t.names as Texts)[v.lang] ?? t.slug),
    perChannelText: Object.fromEntries(Object.entries(texts).filter(([k, s]) => isChannel(k) && s.trim())),
  };
}

/**
 * Queues what the version's change means on the channels, in the caller's transaction (with the
 * status change): publish, update after a correction, delete after unpublishing. Updates and
 * deletions go to every channel that carries the material (a publish was sent there), even one
 * unticked since; a channel ticked since gets a publish (channels' syncDeliveries).
 * The website needs none: the portal reads published versions itself.
 */
export async function deliver(ctx: NewsCtx, v: Version, action: 'publish' | 'update' | 'delete', urgent: boolean) {
  const publication = await publicationOf(ctx.tx, v, ctx.site);
  return syncDeliveries(ctx.tx, ctx.queue, { communityId: ctx.community.id, publication, ticked: v.channels.filter(isChannel), action, priority: urgent, actor: ctx.actor });
}
