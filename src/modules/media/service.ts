import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Tx } from '../../db/db.ts';
import type { Texts } from '../../db/types.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { Config } from '../../config.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { notFound } from '../../http/errors.ts';
import { DEFAULT_MAX_PIXELS, prepareImage, type ImageLimits, type PreparedImage } from './image.ts';
import { LocalDiskStorage, type Storage } from './storage.ts';
import { VIDEO_TYPES, type PreparedVideo, type VideoContainer } from './video.ts';

export { prepareImage, type PreparedImage } from './image.ts';
export { prepareVideo, VIDEO_TYPES, type PreparedVideo } from './video.ts';

export const VARIANT_WIDTHS = [320, 640, 1280, 1920] as const;
export type VariantName = 'w320' | 'w640' | 'w1280' | 'w1920' | 'original';
export type VariantExt = 'jpg' | 'webp' | 'avif';
export const VARIANT_TYPES: Record<VariantExt, string> = { jpg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif' };

/** One storage and one set of limits per process, set from the config at start (by the jobs
 * and the portal route, whichever comes first); tests point it at their own folder. */
type MediaSettings = { storage: Storage; limits: ImageLimits; video: { maxBytes: number; ffmpeg: string } };
let settings: MediaSettings | null = null;

export function configureMedia(c: Pick<Config, 'mediaDir' | 'uploadMaxBytes'> & Partial<Pick<Config, 'videoMaxBytes' | 'ffmpeg'>>, storage?: Storage): MediaSettings {
  settings = {
    storage: storage ?? new LocalDiskStorage(c.mediaDir),
    limits: { maxBytes: c.uploadMaxBytes, maxPixels: DEFAULT_MAX_PIXELS },
    video: { maxBytes: c.videoMaxBytes ?? 200 * 1024 * 1024, ffmpeg: c.ffmpeg ?? 'ffmpeg' },
  };
  return settings;
}

export function mediaSettings() {
  if (!settings) throw new Error('media storage is not configured (configureMedia)');
  return settings;
}

/** The picture the variants are made from: a photo's normalised original, a video's poster frame. */
export const originalKey = (communityId: string, id: string, format: 'jpeg' | 'png' | VideoContainer) =>
  format === 'mp4' || format === 'webm' ? `${communityId}/${id}/poster.jpg` : `${communityId}/${id}/original.${format === 'png' ? 'png' : 'jpg'}`;
export const videoKey = (communityId: string, id: string, format: VideoContainer) => `${communityId}/${id}/video.${format}`;
export const variantKey = (communityId: string, id: string, width: number, ext: VariantExt) => `${communityId}/${id}/w${width}.${ext}`;

/** Variant widths an item of this width gets (never wider than the original). */
export const plannedWidths = (width: number) => VARIANT_WIDTHS.filter((w) => w <= width);

export type StoreInput = {
  communityId: string;
  bytes: Buffer;
  /** Already checked with prepareImage (when a form checks every photo before its transaction). */
  prepared?: PreparedImage;
  filename?: string | null;
  purpose: 'appeal' | 'newsroom';
  visibility: 'public' | 'private';
  actor: Actor;
  alt?: Texts;
  caption?: Texts;
  credit?: string | null;
};

/**
 * Checks an upload by content, stores its normalised original and queues its variants in the
 * caller's transaction. The file is written before the row commits; if the transaction rolls
 * back the file has no row, no URL reaches it, and the daily sweep removes it.
 */
export async function storeUpload(tx: Tx, queue: Queue, input: StoreInput): Promise<{ id: string; width: number; height: number; format: string }> {
  const { storage, limits } = mediaSettings();
  const img = input.prepared ?? (await prepareImage(input.bytes, input.filename, limits));
  const row = await tx
    .insertInto('media_items')
    .values({
      community_id: input.communityId,
      purpose: input.purpose,
      visibility: input.visibility,
      format: img.format,
      source_format: img.sourceFormat,
      width: img.width,
      height: img.height,
      bytes: img.bytes.length,
      sha256: img.sha256,
      // A resident's file name can carry their name; only the newsroom keeps it.
      filename: input.purpose === 'newsroom' ? img.filename : null,
      ...described(input),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await storage.put(originalKey(input.communityId, row.id, img.format), img.bytes, img.format === 'png' ? 'image/png' : 'image/jpeg');
  await recordAudit(tx, input.actor, { action: 'media.upload', objectType: 'media', objectId: row.id, note: { purpose: input.purpose, width: img.width, height: img.height } });
  await queue.sendInTx(tx, 'media.variants', { communityId: input.communityId, id: row.id });
  return { id: row.id, width: img.width, height: img.height, format: img.format };
}

/** The describing columns a photo and a video share: alt text, caption, credit, who uploaded. */
const described = (input: Pick<StoreInput, 'alt' | 'caption' | 'credit' | 'actor'>) => ({
  alt: JSON.stringify(input.alt ?? {}),
  caption: JSON.stringify(input.caption ?? {}),
  credit: input.credit ?? null,
  created_by_type: input.actor.type,
  created_by: input.actor.id,
});

export type StoreVideoInput = Omit<StoreInput, 'bytes' | 'prepared' | 'purpose' | 'visibility' | 'filename'> & { video: PreparedVideo };

/**
 * Stores a checked video (prepareVideo) of the newsroom's library in the caller's transaction and
 * queues its poster frame (`media.poster`). Like a photo, the file is written before the row
 * commits; the sweep removes it if the transaction rolls back.
 */
export async function storeVideo(tx: Tx, queue: Queue, input: StoreVideoInput): Promise<{ id: string; format: VideoContainer }> {
  const { storage } = mediaSettings();
  const v = input.video;
  const row = await tx
    .insertInto('media_items')
    .values({
      community_id: input.communityId,
      kind: 'video',
      purpose: 'newsroom',
      visibility: 'public',
      format: v.container,
      source_format: v.sourceFormat,
      width: v.width,
      height: v.height,
      duration_ms: v.durationMs,
      bytes: v.size,
      sha256: v.sha256,
      filename: v.filename,
      ...described(input),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await storage.putFile(videoKey(input.communityId, row.id, v.container), v.path, VIDEO_TYPES[v.container]);
  await recordAudit(tx, input.actor, { action: 'media.upload', objectType: 'media', objectId: row.id, note: { purpose: 'newsroom', kind: 'video', format: v.sourceFormat, bytes: v.size } });
  await queue.sendInTx(tx, 'media.poster', { communityId: input.communityId, id: row.id });
  return { id: row.id, format: v.container };
}

/** `/media/{id}/video.mp4` — the file itself (served with HTTP ranges). */
export const videoPath = (base: string, id: string, format: VideoContainer) => `${base}/media/${id}/video.${format}`;

export async function getMedia(tx: Tx, id: string) {
  const row = await tx.selectFrom('media_items').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}
export type MediaItem = Awaited<ReturnType<typeof getMedia>>;

/** Private media carry this in their URL: an HMAC of the id with the deployment secret. */
export const signMedia = (secret: string, id: string) => createHmac('sha256', secret).update(`media:${id}`).digest('base64url').slice(0, 22);

export function checkMediaSig(secret: string, id: string, sig: string | undefined): boolean {
  if (!sig) return false;
  const want = Buffer.from(signMedia(secret, id));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}

export function mediaPath(base: string, id: string, variant: VariantName, ext: VariantExt, sig?: string): string {
  return `${base}/media/${id}/${variant}.${ext}${sig ? `?sig=${sig}` : ''}`;
}

/** `srcset` for an <img>/<source>: every planned width (the route serves the original until the
 * variant exists), or the original alone for a small image. */
export function srcset(base: string, item: Pick<MediaItem, 'id' | 'width'>, ext: VariantExt, sig?: string): string {
  const widths = plannedWidths(item.width);
  if (!widths.length) return `${mediaPath(base, item.id, 'original', ext, sig)} ${item.width}w`;
  return widths.map((w) => `${mediaPath(base, item.id, `w${w}` as VariantName, ext, sig)} ${w}w`).join(', ');
}
