import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import { notFound } from '../../http/errors.ts';
import { withCommunity } from '../../db/db.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import {
  checkMediaSig, configureMedia, mediaPath, mediaSettings, originalKey, signMedia, srcset, variantKey, videoKey, VARIANT_TYPES, VIDEO_TYPES, type VariantExt, type VariantName,
} from '../../modules/media/service.ts';
import { MAX_APPEAL_PHOTOS, type AppealPhoto } from '../../modules/media/appeal-photos.ts';

const File = z.object({ id: z.string().uuid(), file: z.string().regex(/^((w320|w640|w1280|w1920|original)\.(jpg|webp|avif)|video\.(mp4|webm))$/) });
const YEAR = 365 * 24 * 3600;

/**
 * The byte range asked for by a `Range` header, for a file of `size` bytes: one range
 * (inclusive), 'unsatisfiable' (416), or null (send the whole file: no header, several ranges,
 * or a header we do not understand — HTTP allows ignoring it).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  let start: number;
  let end: number;
  if (!m[1]) {
    // "bytes=-500": the last 500 bytes.
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    if (m[2] && Number(m[2]) < start) return null;
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

/** `/media/:id/:variant.:ext` — public media for anyone, private media only with `?sig=`. */
export const portalMedia = (app: App) => async (r: FastifyInstance) => {
  configureMedia(app.config);

  r.get('/media/:id/:file', async (req, reply) => {
    const p = File.safeParse(req.params);
    if (!p.success) throw notFound();
    if (p.data.file.startsWith('video.')) return sendVideo(req, reply, p.data.id, p.data.file.slice(6) as 'mp4' | 'webm');
    const [variant, ext] = p.data.file.split('.') as [VariantName, VariantExt];
    const { sig } = z.object({ sig: z.string().max(40).optional() }).catch({}).parse(req.query ?? {});
    const item = await withCommunity(app.db, req.community.id, (tx) =>
      tx.selectFrom('media_items').select(['id', 'community_id', 'visibility', 'format', 'variant_widths', 'variants_at', 'archived_at']).where('id', '=', p.data.id).executeTakeFirst(),
    );
    // A wrong signature looks exactly like a missing photo.
    if (!item || item.archived_at || (item.visibility === 'private' && !checkMediaSig(app.secret, item.id, sig))) throw notFound();
    const width = variant === 'original' ? 0 : Number(variant.slice(1));
    const ready = width > 0 && item.variant_widths.includes(width);
    // Until the variants job has run (or when the original is narrower), the original answers.
    const key = ready ? variantKey(item.community_id, item.id, width, ext) : originalKey(item.community_id, item.id, item.format);
    const file = await mediaSettings().storage.stream(key);
    if (!file) throw notFound();
    // Once the job has run, the answer for this URL never changes (ids are never reused).
    const final = ready || variant === 'original' || item.variants_at !== null;
    const scope = item.visibility === 'private' ? 'private' : 'public';
    reply
      .header('content-type', ready ? VARIANT_TYPES[ext] : item.format === 'png' ? 'image/png' : 'image/jpeg')
      .header('content-length', String(file.size))
      .header('cache-control', final ? `${scope}, max-age=${YEAR}, immutable` : `${scope}, max-age=60`)
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', 'inline');
    if (item.visibility === 'private') reply.header('referrer-policy', 'no-referrer').header('x-robots-tag', 'noindex');
    return reply.send(file.body);
  });

  /** A video file with HTTP ranges: players (Safari, old phones) ask for parts and get 206. */
  async function sendVideo(req: FastifyRequest, reply: FastifyReply, id: string, ext: 'mp4' | 'webm') {
    const item = await withCommunity(app.db, req.community.id, (tx) =>
      tx.selectFrom('media_items').select(['id', 'community_id', 'kind', 'visibility', 'format', 'sha256', 'archived_at']).where('id', '=', id).executeTakeFirst(),
    );
    // Videos are the newsroom's, public; a private or archived one is as missing as none.
    if (!item || item.kind !== 'video' || item.format !== ext || item.visibility !== 'public' || item.archived_at) throw notFound();
    const key = videoKey(item.community_id, item.id, ext);
    const { storage } = mediaSettings();
    const whole = await storage.stream(key);
    if (!whole) throw notFound();
    const size = whole.size;
    const etag = `"${item.sha256.slice(0, 32)}"`;
    reply
      .header('content-type', VIDEO_TYPES[ext])
      .header('accept-ranges', 'bytes')
      .header('etag', etag)
      .header('cache-control', `public, max-age=${YEAR}, immutable`)
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', 'inline');
    // If-Range with another validator: the file changed since, send all of it.
    const ifRange = req.headers['if-range'];
    const range = req.headers['if-none-match'] === etag || (ifRange && ifRange !== etag) ? null : parseRange(req.headers.range, size);
    if (!range) {
      if (req.headers['if-none-match'] === etag) {
        whole.body.destroy();
        return reply.code(304).send();
      }
      return reply.header('content-length', String(size)).send(whole.body);
    }
    whole.body.destroy();
    if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${size}`).send();
    const part = await storage.stream(key, range);
    if (!part) throw notFound();
    return reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', String(range.end - range.start + 1)).send(part.body);
  }
};

type Photo = { id: string; width: number; height: number };

/** Thumbnails linking to the large picture; AVIF and WebP for browsers that take them. */
export function photoGallery(req: FastifyRequest, lang: Lang, secret: string, photos: Photo[], startAt = 1): Html | '' {
  if (!photos.length) return '';
  const sizes = '(max-width: 40rem) 45vw, 12rem';
  return html`<ul class="photos" data-testid="photos">${photos.map((p, i) => {
    const sig = signMedia(secret, p.id);
    return html`<li><a href="${mediaPath(req.base, p.id, 'w1920', 'jpg', sig)}"><picture>
<source type="image/avif" srcset="${srcset(req.base, p, 'avif', sig)}" sizes="${sizes}"><source type="image/webp" srcset="${srcset(req.base, p, 'webp', sig)}" sizes="${sizes}">
<img src="${mediaPath(req.base, p.id, 'w640', 'jpg', sig)}" srcset="${srcset(req.base, p, 'jpg', sig)}" sizes="${sizes}" width="${p.width}" height="${p.height}" alt="${t(lang, 'media.photos.open', { n: startAt + i })}" loading="lazy" decoding="async"></picture></a></li>`;
  })}</ul>`;
}

/** The file input of a form that takes photos (the form needs enctype="multipart/form-data"). */
export function photoInput(app: App, lang: Lang, error?: string, id = 'photos'): Html {
  const size = Math.round(app.config.uploadMaxBytes / 1024 / 1024);
  return html`<div><label for="${id}">${t(lang, 'media.photos.label')} <span class="hint" id="${id}-hint">${t(lang, 'media.photos.hint', { max: MAX_APPEAL_PHOTOS, size })}</span></label>${error ? html`<p class="error" id="${id}-error">${error}</p>` : ''}
<input id="${id}" name="photos" type="file" multiple accept="image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif,.heic,.heif" aria-describedby="${id}-hint${error ? ` ${id}-error` : ''}"${error ? html` aria-invalid="true"` : ''}></div>`;
}

/** Styles of the gallery: a grid that fits two thumbnails across a phone. */
export const PHOTO_CSS = html`<style>.photos{display:grid;grid-template-columns:repeat(auto-fill,minmax(8.5rem,1fr));gap:.5rem;list-style:none;padding:0;margin-block:.5rem}
.photos img{display:block;inline-size:100%;block-size:auto;aspect-ratio:4/3;object-fit:cover;border-radius:.25rem;background:#eee}
.photos a{display:block}.photos a:focus-visible{outline:3px solid currentColor;outline-offset:2px}</style>`;

/** An appeal's photos on its page: those filed with it (under a heading), and those of each event. */
export function appealPhotoGroups(req: FastifyRequest, lang: Lang, secret: string, all: AppealPhoto[]) {
  const n = new Map(all.map((p, i) => [p.id, i + 1]));
  const group = (list: AppealPhoto[]) => (list.length ? photoGallery(req, lang, secret, list, n.get(list[0].id)) : '');
  const filed = all.filter((p) => p.event_id === null);
  return {
    filed: filed.length ? html`<h2>${t(lang, 'media.photos.title')}</h2>${PHOTO_CSS}${group(filed)}` : all.length ? PHOTO_CSS : '',
    of: (eventId: string) => group(all.filter((p) => p.event_id === eventId)),
  };
}
