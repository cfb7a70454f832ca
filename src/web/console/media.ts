import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { AppError } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { LANGS, t } from '../../i18n/i18n.ts';
import { mediaPath, srcset, storeUpload } from '../../modules/media/service.ts';
import { preparePhotos } from '../../modules/media/uploads.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { textIn } from '../text.ts';
import { PHOTO_CSS } from '../portal/media.ts';

type Form = Record<string, string | undefined>;

/** The newsroom's media library: public pictures, newest first, and an upload form.
 * Residents' photos are not listed here: they are seen only on their appeal. */
export const consoleMedia = (app: App) => async (r: FastifyInstance) => {
  async function libraryPage(req: FastifyRequest, reply: FastifyReply, f: Form = {}, msg: { notice?: string; error?: string } = {}, status = 200) {
    requireStaff(req, 'media.manage');
    const lang = consoleLang(req);
    const c = req.community;
    const items = await withCommunity(app.db, c.id, (tx) =>
      tx.selectFrom('media_items').select(['id', 'width', 'height', 'bytes', 'alt', 'credit', 'variants_at', 'created_at'])
        .where('purpose', '=', 'newsroom').where('archived_at', 'is', null).orderBy('created_at', 'desc').limit(60).execute(),
    );
    const base = consoleBase(req);
    const body = html`<section class="card" aria-labelledby="upload"><h2 id="upload">${t(lang, 'media.console.upload')}</h2>
<form class="stack" method="post" action="${base}/media" enctype="multipart/form-data">${hidden(req, reply)}
<div><label for="photo">${t(lang, 'media.console.file')}</label><input id="photo" name="photo" type="file" required accept="image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif,.heic,.heif"></div>
${LANGS.map((l) => html`<div><label for="alt_${l}">${t(lang, 'media.console.alt', { lang: t(lang, `lang.${l}`) })}</label><input id="alt_${l}" name="alt_${l}" maxlength="300" value="${f[`alt_${l}`] ?? ''}"></div>`)}
<div><label for="credit">${t(lang, 'media.console.credit')}</label><input id="credit" name="credit" maxlength="200" value="${f.credit ?? ''}"></div>
<div><button type="submit">${t(lang, 'media.console.upload')}</button></div></form></section>
${PHOTO_CSS}
${items.length ? html`<ul class="photos" data-testid="library">${items.map((m) => html`<li><a href="${mediaPath(req.base, m.id, 'original', 'jpg')}"><img src="${mediaPath(req.base, m.id, 'w320', 'jpg')}" srcset="${srcset(req.base, m, 'jpg')}" sizes="12rem" width="${m.width}" height="${m.height}" loading="lazy" alt="${textIn(m.alt, lang, c.default_lang) || t(lang, 'media.console.no_alt')}"></a>
<small>${m.width}×${m.height} · ${Math.ceil(m.bytes / 1024)} KB · ${when(req, m.created_at)}${m.credit ? html` · © ${m.credit}` : ''}${m.variants_at ? '' : html` · ${t(lang, 'media.console.variants_pending')}`}</small></li>`)}</ul>`
    : html`<p>${t(lang, 'media.console.empty')}</p>`}`;
    return sendConsole(req, reply, { title: t(lang, 'media.console.title'), body, active: '/media', ...msg }, status);
  }

  r.get('/media', async (req, reply) => libraryPage(req, reply));

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
