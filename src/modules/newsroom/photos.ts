import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { Lang, Texts } from '../../db/types.ts';
import { recordAudit } from '../audit/service.ts';
import { AppError, forbidden, notFound } from '../../http/errors.ts';
import { getMedia, mediaPath, storeUpload, storeVideo, type MediaItem, type PreparedImage, type PreparedVideo } from '../media/service.ts';
import { PhotoText } from './schema.ts';
import { isEditor, isWriter } from './workflow.ts';
import type { NewsCtx } from './service.ts';

export const MAX_GALLERY = 40;

/** Photos of a material that is out (any version published) change only by an editor's hand. */
async function requirePhotoRights(ctx: NewsCtx, materialId: string) {
  if (!isWriter(ctx.who)) throw forbidden();
  if (isEditor(ctx.who)) return;
  const out = await ctx.tx.selectFrom('material_versions').select('id').where('material_id', '=', materialId).where('status', 'in', ['published', 'scheduled']).executeTakeFirst();
  if (out) throw forbidden();
}

/** The material's photos in order: the cover first (role 'cover'), then the gallery. */
export async function photosOf(tx: Tx, m: { id: string; cover_media_id: string | null }) {
  const gallery = await tx.selectFrom('material_gallery').select('media_id').where('material_id', '=', m.id).orderBy('position').execute();
  const out: Array<{ role: 'cover' | 'gallery'; item: MediaItem }> = [];
  if (m.cover_media_id) out.push({ role: 'cover', item: await getMedia(tx, m.cover_media_id) });
  for (const g of gallery) out.push({ role: 'gallery', item: await getMedia(tx, g.media_id) });
  return out;
}

/** Photos of the material with no alternative text in `lang`: publishing that version waits for them. */
export async function photosWithoutAlt(tx: Tx, m: { id: string; cover_media_id: string | null }, lang: Lang) {
  return (await photosOf(tx, m)).filter((p) => !(p.item.alt as Texts)[lang]?.trim()).map((p) => p.item.id);
}

/** Public addresses of the photos, for the channels (the largest variant that will exist). */
export async function publicImages(tx: Tx, m: { id: string; cover_media_id: string | null }, lang: Lang, origin: string) {
  return (await photosOf(tx, m)).map(({ item }) => ({
    url: `${origin}${mediaPath('', item.id, item.width >= 1280 ? 'w1280' : 'original', 'jpg')}`,
    alt: (item.alt as Texts)[lang] ?? '', width: item.width, height: item.height,
  }));
}

/**
 * Stores an uploaded photo (already checked by the media module) as the cover or at the end of
 * the gallery, with its alt text, caption and credit in the language of the version being edited.
 */
export async function addPhoto(ctx: NewsCtx, materialId: string, img: PreparedImage, o: { lang: Lang; role: 'cover' | 'gallery'; alt: string; caption: string; credit: string }) {
  await requirePhotoRights(ctx, materialId);
  const text = PhotoText.parse(o);
  const m = await ctx.tx.selectFrom('materials').select(['id', 'cover_media_id']).where('id', '=', materialId).forUpdate().executeTakeFirst();
  if (!m) throw notFound();
  const stored = await storeUpload(ctx.tx, ctx.queue, {
    communityId: ctx.community.id, bytes: img.bytes, prepared: img, filename: img.filename, purpose: 'newsroom', visibility: 'public', actor: ctx.actor,
    alt: text.alt ? { [o.lang]: text.alt } : {}, caption: text.caption ? { [o.lang]: text.caption } : {}, credit: text.credit || null,
  });
  if (o.role === 'cover') {
    await ctx.tx.updateTable('materials').set({ cover_media_id: stored.id, updated_at: sql`now()` }).where('id', '=', m.id).execute();
  } else {
    const n = await ctx.tx.selectFrom('material_gallery').select(({ fn }) => fn.countAll<string>().as('n')).where('material_id', '=', m.id).executeTakeFirstOrThrow();
    if (Number(n.n) >= MAX_GALLERY) throw new AppError(400, 'invalid_input', 'newsroom.error.gallery_full', { photos: 'too_many' }, { max: MAX_GALLERY });
    await ctx.tx.insertInto('material_gallery').values({ community_id: ctx.community.id, material_id: m.id, media_id: stored.id, position: Number(n.n) + 1 }).execute();
  }
  await recordAudit(ctx.tx, ctx.actor, { action: 'material.add_photo', objectType: 'material', objectId: m.id, note: { media_id: stored.id, role: o.role } });
  return stored;
}

/**
 * Stores an uploaded video (already checked by the media module) in the library and makes it
 * the material's video; its poster frame is made by the media module's job.
 */
export async function addVideo(ctx: NewsCtx, materialId: string, video: PreparedVideo, o: { credit: string }) {
  await requirePhotoRights(ctx, materialId);
  const m = await ctx.tx.selectFrom('materials').select(['id']).where('id', '=', materialId).forUpdate().executeTakeFirst();
  if (!m) throw notFound();
  const stored = await storeVideo(ctx.tx, ctx.queue, { communityId: ctx.community.id, video, actor: ctx.actor, credit: o.credit.trim().slice(0, 120) || null });
  await ctx.tx.updateTable('materials').set({ video_media_id: stored.id, updated_at: sql`now()` }).where('id', '=', m.id).execute();
  await recordAudit(ctx.tx, ctx.actor, { action: 'material.add_video', objectType: 'material', objectId: m.id, note: { media_id: stored.id } });
  return stored;
}

/** Removes a photo from the material (the media item itself stays in the library). */
export async function removePhoto(ctx: NewsCtx, materialId: string, mediaId: string) {
  await requirePhotoRights(ctx, materialId);
  await ctx.tx.updateTable('materials').set({ cover_media_id: null }).where('id', '=', materialId).where('cover_media_id', '=', mediaId).execute();
  await ctx.tx.deleteFrom('material_gallery').where('material_id', '=', materialId).where('media_id', '=', mediaId).execute();
  await recordAudit(ctx.tx, ctx.actor, { action: 'material.remove_photo', objectType: 'material', objectId: materialId, note: { media_id: mediaId } });
}

/**
 * Sets a photo's alt text and caption in one language (the media module has no per-language
 * text editing yet, so the newsroom writes the media row's text fields, and only for photos
 * that belong to this material).
 */
export async function setPhotoText(ctx: NewsCtx, materialId: string, mediaId: string, lang: Lang, raw: { alt: string; caption?: string }) {
  await requirePhotoRights(ctx, materialId);
  const text = PhotoText.parse(raw);
  const m = await ctx.tx.selectFrom('materials').select(['id', 'cover_media_id']).where('id', '=', materialId).executeTakeFirst();
  if (!m) throw notFound();
  const ours = (await photosOf(ctx.tx, m)).some((p) => p.item.id === mediaId);
  if (!ours) throw notFound();
  await ctx.tx.updateTable('media_items').set({
    alt: sql`alt || jsonb_build_object(${lang}::text, ${text.alt}::text)`,
    caption: sql`caption || jsonb_build_object(${lang}::text, ${text.caption}::text)`,
  }).where('id', '=', mediaId).execute();
}
