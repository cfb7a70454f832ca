import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { AppError } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity, type Tx } from '../../db/db.ts';
import { LANGS, t } from '../../i18n/i18n.ts';
import { mediaPath, srcset, storeUpload, storeVideo, videoPath } from '../../modules/media/service.ts';
import { prepareUploadedVideo, preparePhotos, videoRoute } from '../../modules/media/uploads.ts';
import { mb } from '../../modules/media/image.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { textIn } from '../text.ts';
import { PHOTO_CSS } from '../portal/media.ts';

type Form = Record<string, string | undefined>;

/** The library's videos, newest first (the newsroom editor offers them too). */
export const recentVideos = (tx: Tx, limit: number) =>
  tx.selectFrom('media_items').select(['id', 'format', 'width', 'height', 'bytes', 'duration_ms', 'filename', 'credit', 'poster', 'poster_problem', 'variants_at', 'created_at'])
    .where('kind', '=', 'video').where('purpose', '=', 'newsroom').where('archived_at', 'is', null).orderBy('created_at', 'desc').limit(limit).execute();

/** "MP4 · 0:42 · 1280×720 · 12.5 MB": what a video is, as far as known. */
export function videoFacts(v: { format: string; duration_ms: number | null; width: number; height: number; bytes: number }): string {
  const s = v.duration_ms === null ? null : Math.round(v.duration_ms / 1000);
  return [v.format.toUpperCase(), s === null ? null : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`, v.width ? `${v.width}×${v.height}` : null, `${mb(v.bytes)} MB`]
    .filter(Boolean).join(' · ');
}

/** The newsroom's media library: public pictures, newest first, and an upload form.
 * Residents' photos are not listed here: they are seen only on their appeal. */
export const consoleMedia = (app: App) => async (r: FastifyInstance) => {
  async function libraryPage(req: FastifyRequest, reply: FastifyReply, f: Form = {}, msg: { notice?: string; error?: string } = {}, status = 200) {
    requireStaff(req, 'media.manage');
    const lang = consoleLang(req);
    const c = req.community;
    const [items, videos] = await withCommunity(app.db, c.id, async (tx) => [
      await tx.selectFrom('media_items').select(['id', 'width', 'height', 'bytes', 'alt', 'credit', 'variants_at', 'created_at'])
        .where('purpose', '=', 'newsroom').where('kind', '=', 'image').where('archived_at', 'is', null).orderBy('created_at', 'desc').limit(60).execute(),
      await recentVideos(tx, 30),
    ] as const);
    const base = consoleBase(req);
    const body = html`<section class="card" aria-labelledby="upload"><h2 id="upload">${t(lang, 'media.console.upload')}</h2>
<form class="stack" method="post" action="${base}/media" enctype="multipart/form-data">${hidden(req, reply)}
<div><label for="photo">${t(lang, 'media.console.file')}</label><input id="photo" name="photo" type="file" required accept="image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif,.heic,.heif"></div>
${LANGS.map((l) => html`<div><label for="alt_${l}">${t(lang, 'media.console.alt', { lang: t(lang, `lang.${l}`) })}</label><input id="alt_${l}" name="alt_${l}" maxlength="300" value="${f[`alt_${l}`] ?? ''}"></div>`)}
<div><label for="credit">${t(lang, 'media.console.credit')}</label><input id="credit" name="credit" maxlength="200" value="${f.credit ?? ''}"></div>
<div><button type="submit">${t(lang, 'media.console.upload')}</button></div></form></section>
<section class="card" aria-labelledby="upload-video"><h2 id="upload-video">${t(lang, 'media.console.upload_video')}</h2>
<form class="stack" method="post" action="${base}/media/video" enctype="multipart/form-data" data-testid="upload-video">${hidden(req, reply)}
<div><label for="video">${t(lang, 'media.console.video_file')} <span class="hint" id="video-hint">${t(lang, 'media.console.video_hint', { max: mb(app.config.videoMaxBytes) })}</span></label><input id="video" name="video" type="file" required accept="video/mp4,video/webm,.mp4,.m4v,.webm" aria-describedby="video-hint"></div>
<div><label for="video-credit">${t(lang, 'media.console.credit')}</label><input id="video-credit" name="credit" maxlength="200" value="${f.video_credit ?? ''}"></div>
<div><button type="submit">${t(lang, 'media.console.upload_video')}</button></div></form></section>
${PHOTO_CSS}
${items.length ? html`<ul class="photos" data-testid="library">${items.map((m) => html`<li><a href="${mediaPath(req.base, m.id, 'original', 'jpg')}"><img src="${mediaPath(req.base, m.id, 'w320', 'jpg')}" srcset="${srcset(req.base, m, 'jpg')}" sizes="12rem" width="${m.width}" height="${m.height}" loading="lazy" alt="${textIn(m.alt, lang, c.default_lang) || t(lang, 'media.console.no_alt')}"></a>
<small>${m.width}×${m.height} · ${Math.ceil(m.bytes / 1024)} KB · ${when(req, m.created_at)}${m.credit ? html` · © ${m.credit}` : ''}${m.variants_at ? '' : html` · ${t(lang, 'media.console.variants_pending')}`}</small></li>`)}</ul>`
    : html`<p>${t(lang, 'media.console.empty')}</p>`}
<h2>${t(lang, 'media.console.video')}</h2>
${videos.length ? html`<ul class="photos" data-testid="videos">${videos.map((v) => html`<li><a href="${videoPath(req.base, v.id, v.format as 'mp4')}">${v.poster
      ? html`<img src="${mediaPath(req.base, v.id, v.width >= 320 ? 'w320' : 'original', 'jpg')}" width="${v.width}" height="${v.height}" loading="lazy" alt="${t(lang, 'media.console.video')}: ${v.filename ?? v.id}">`
      : html`<span dir="auto">▶ ${v.filename ?? t(lang, 'media.console.video')}</span>`}</a>
<small>${videoFacts(v)} · ${when(req, v.created_at)}${v.credit ? html` · © ${v.credit}` : ''}${v.poster ? '' : html` · <span data-testid="poster-note">${t(lang, !v.variants_at ? 'media.console.poster_pending' : v.poster_problem === 'no_ffmpeg' ? 'media.console.no_poster_ffmpeg' : 'media.console.no_poster_frame')}</span>`}</small></li>`)}</ul>`
    : html`<p>${t(lang, 'media.console.videos_empty')}</p>`}`;
    return sendConsole(req, reply, { title: t(lang, 'media.console.title'), body, active: '/media', ...msg }, status);
  }

  r.get('/media', async (req, reply) => libraryPage(req, reply));

  // The file is streamed to a temp file up to the video limit, checked by its content, then stored.
  r.post('/media/video', videoRoute(app.config.videoMaxBytes), async (req, reply) => {
    requireStaff(req, 'media.manage', true);
    checkCsrf(req);
    const lang = consoleLang(req);
    const f = z.record(z.string(), z.string().max(1000)).catch({}).parse(req.body ?? {});
    const kept = { video_credit: f.credit };
    try {
      const video = await prepareUploadedVideo(req.uploads, app.config.videoMaxBytes);
      if (!video) throw new AppError(400, 'invalid_input', 'media.error.not_video', { video: 'required' }, { name: '—' });
      await withCommunity(app.db, req.community.id, (tx) =>
        storeVideo(tx, app.queue, { communityId: req.community.id, video, actor: actorOf(req), credit: f.credit?.trim().slice(0, 200) || null }),
      );
      return libraryPage(req, reply, {}, { notice: t(lang, 'console.saved') });
    } catch (e) {
      if (e instanceof AppError && e.status < 500) return libraryPage(req, reply, kept, { error: `${t(lang, e.key, e.params)} ${t(lang, 'media.error.choose_again')}` }, e.status);
      throw e;
    }
  });

  r.post('/media', async (req, reply) => {
    requireStaff(req, 'media.manage', true);
    checkCsrf(req);
    const lang = consoleLang(req);
    const f = z.record(z.string(), z.string().max(1000)).catch({}).parse(req.body ?? {});
    try {
      const [img] = await preparePhotos(req.uploads, 'photo', 1);
      if (!img) throw new AppError(400, 'invalid_input', 'media.error.not_image', { photo: 'required' }, { name: '—' });
      const alt = Object.fromEntries(LANGS.map((l) => [l, (f[`alt_${l}`] ?? '').trim().slice(0, 300)]).filter(([, v]) => v));
      await withCommunity(app.db, req.community.id, (tx) =>
        storeUpload(tx, app.queue, { communityId: req.community.id, bytes: img.bytes, prepared: img, purpose: 'newsroom', visibility: 'public', actor: actorOf(req), alt, credit: f.credit?.trim().slice(0, 200) || null }),
      );
      return libraryPage(req, reply, {}, { notice: t(lang, 'console.saved') });
    } catch (e) {
      if (e instanceof AppError && e.status < 500) return libraryPage(req, reply, f, { error: `${t(lang, e.key, e.params)} ${t(lang, 'media.error.choose_again')}` }, e.status);
      throw e;
    }
  });
};
