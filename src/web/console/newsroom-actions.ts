// The editor's routes: open a material, save or correct a version, workflow steps, translations, photos.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { withCommunity } from '../../db/db.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { prepareUploadedVideo, preparePhotos, videoRoute } from '../../modules/media/uploads.ts';
import { addVersion, correctVersion, getMaterial, saveVersion, transition, updateMaterialFields } from '../../modules/newsroom/service.ts';
import { addPhoto, addVideo, removePhoto, setPhotoText } from '../../modules/newsroom/photos.ts';
import { ACTIONS } from '../../modules/newsroom/workflow.ts';
import { consoleBase, consoleLang, hidden, sendConsole } from './layout.ts';
import { materialInput, newsCtx, one, userError, versionInput, type Form } from './newsroom-form.ts';
import { NEWSROOM_CSS } from './newsroom-form.ts';
import { versionFields } from './newsroom-fields.ts';
import { editorPage } from './newsroom-editor.ts';
import { channelStatus } from '../../modules/channels/service.ts';
import { forgetNewsPages } from '../portal/news-cache.ts';
import { localInstant } from './datetime.ts';

const Ids = z.object({ id: z.string().uuid(), vid: z.string().uuid() });
const LangEnum = z.enum(['uk', 'en', 'fa']);

export const editorRoutes = (app: App) => async (r: FastifyInstance) => {
  const tx = <T>(req: FastifyRequest, fn: (ctx: ReturnType<typeof newsCtx>) => Promise<T>) => withCommunity(app.db, req.community.id, (x) => fn(newsCtx(app, req, x)));
  const materialId = (req: FastifyRequest) => {
    const p = z.object({ id: z.string().uuid() }).safeParse(req.params);
    if (!p.success) throw notFound();
    return p.data.id;
  };

  r.get('/newsroom/materials/:id', async (req, reply) => {
    requireStaff(req, 'news.write');
    return editorPage(app, req, reply, materialId(req));
  });

  /** Runs a change; on a refusal shows the editor again with the message and what was typed. */
  async function change(req: FastifyRequest, reply: FastifyReply, id: string, v: string | null, fn: () => Promise<unknown>, form?: Form) {
    const lang = consoleLang(req);
    try {
      await fn();
    } catch (e) {
      const u = userError(lang, e);
      if (!u) throw e;
      if (v) (req.query as Record<string, string>).v = v;
      return editorPage(app, req, reply, id, { form, errors: u.errors, error: u.message }, u.status);
    }
    return reply.redirect(`${consoleBase(req)}/newsroom/materials/${id}${v ? `?v=${v}` : ''}`, 303);
  }

  const versionLang = async (req: FastifyRequest, id: string, vid: string) => {
    const m = await withCommunity(app.db, req.community.id, (x) => getMaterial(x, id));
    const v = m.versions.find((x) => x.id === vid);
    if (!v) throw notFound();
    return v.lang;
  };

  r.post('/newsroom/materials/:id/versions/:vid/:action', async (req, reply) => {
    requireStaff(req, 'news.write');
    checkCsrf(req);
    const p = Ids.extend({ action: z.enum([...ACTIONS, 'save', 'correct']) }).safeParse(req.params);
    if (!p.success) throw notFound();
    const { id, vid, action } = p.data;
    const f = (req.body ?? {}) as Form;
    const vl = await versionLang(req, id, vid);
    const tz = req.community.time_zone;
    return change(req, reply, id, vl, () => tx(req, async (ctx) => {
      if (action === 'save') return saveVersion(ctx, vid, { material: materialInput(f) as never, version: versionInput(f) });
      if (action === 'correct') {
        // The shared fields first, so the update sent to the channels carries them too.
        await updateMaterialFields(ctx, id, materialInput(f) as never, vl);
        const corrected = await correctVersion(ctx, vid, { ...versionInput(f), note: one(f, 'note') });
        forgetNewsPages(req.community.id);
        return corrected;
      }
      const done = await transition(ctx, vid, action, { scheduledAt: action === 'schedule' ? localInstant(one(f, 'scheduled_at'), tz) : null, note: one(f, 'note') || null });
      // This process's cached pages would show a withdrawn or corrected text for half a minute.
      forgetNewsPages(req.community.id);
      return done;
    }), action === 'save' || action === 'correct' ? f : undefined);
  });

  // `?to=` (not `?lang=`, which switches the console's own language).
  r.get('/newsroom/materials/:id/add', async (req, reply) => addPage(req, reply, materialId(req), { lang: (req.query as { to?: string }).to }));

  async function addPage(req: FastifyRequest, reply: FastifyReply, id: string, f: Form, errors: Record<string, string> = {}, error: string | null = null, code = 200) {
    requireStaff(req, 'news.write');
    const lang = consoleLang(req);
    const textLang = LangEnum.catch(req.community.default_lang).parse(one(f, 'lang'));
    const { m, status } = await withCommunity(app.db, req.community.id, async (x) => ({ m: await getMaterial(x, id), status: await channelStatus(x) }));
    const source = m.versions[0];
    const body = html`${NEWSROOM_CSS}<p class="muted" lang="${source.lang}" dir="auto">${source.title}</p>
<form class="stack wide" method="post" action="${consoleBase(req)}/newsroom/materials/${id}/add">${hidden(req, reply)}<input type="hidden" name="lang" value="${textLang}">
${versionFields(lang, textLang, { ...versionInput(f), channels: f.title === undefined ? source.channels : versionInput(f).channels }, status, errors)}
<div><button type="submit">${t(lang, 'newsroom.editor.create')}</button></div></form>`;
    return sendConsole(req, reply, { title: t(lang, 'newsroom.editor.add_version', { lang: t(lang, `lang.${textLang}`) }), body, active: '/newsroom', error }, code);
  }

  r.post('/newsroom/materials/:id/add', async (req, reply) => {
    requireStaff(req, 'news.write');
    checkCsrf(req);
    const id = materialId(req);
    const f = (req.body ?? {}) as Form;
    const textLang: Lang = LangEnum.catch(req.community.default_lang).parse(one(f, 'lang'));
    try {
      await tx(req, (ctx) => addVersion(ctx, id, textLang, versionInput(f)));
    } catch (e) {
      const u = userError(consoleLang(req), e);
      if (!u) throw e;
      return addPage(req, reply, id, f, u.errors, u.message, u.status);
    }
    return reply.redirect(`${consoleBase(req)}/newsroom/materials/${id}?v=${textLang}`, 303);
  });

  r.post('/newsroom/materials/:id/photos', async (req, reply) => {
    requireStaff(req, 'news.write');
    checkCsrf(req);
    const id = materialId(req);
    const f = (req.body ?? {}) as Form;
    const textLang = LangEnum.catch(req.community.default_lang).parse(one(f, 'lang'));
    const role = one(f, 'role') === 'gallery' ? 'gallery' : 'cover';
    return change(req, reply, id, textLang, async () => {
      // Checked by content before the transaction: a bad file changes nothing.
      const [img] = await preparePhotos(req.uploads ?? [], 'photo', 1);
      if (!img) throw new AppError(400, 'invalid_input', 'error.field.required', { photo: 'required' });
      await tx(req, (ctx) => addPhoto(ctx, id, img, { lang: textLang, role, alt: one(f, 'alt'), caption: one(f, 'caption'), credit: one(f, 'credit') }));
    });
  });

  // A video file: streamed to a temp file up to CITYDESK_VIDEO_MAX_MB, checked by content, then
  // stored in the library and made the material's video (the poster frame follows in a job).
  r.post('/newsroom/materials/:id/video', videoRoute(app.config.videoMaxBytes), async (req, reply) => {
    requireStaff(req, 'news.write');
    checkCsrf(req);
    const id = materialId(req);
    const f = (req.body ?? {}) as Form;
    const textLang = LangEnum.catch(req.community.default_lang).parse(one(f, 'lang'));
    return change(req, reply, id, textLang, async () => {
      const video = await prepareUploadedVideo(req.uploads ?? [], app.config.videoMaxBytes);
      if (!video) throw new AppError(400, 'invalid_input', 'error.field.required', { video: 'required' });
      await tx(req, (ctx) => addVideo(ctx, id, video, { credit: one(f, 'credit') }));
      forgetNewsPages(req.community.id);
    });
  });

  r.post('/newsroom/materials/:id/photos/:mid/:op', async (req, reply) => {
    requireStaff(req, 'news.write');
    checkCsrf(req);
    const p = z.object({ id: z.string().uuid(), mid: z.string().uuid(), op: z.enum(['text', 'remove']) }).safeParse(req.params);
    if (!p.success) throw notFound();
    const f = (req.body ?? {}) as Form;
    const textLang = LangEnum.catch(req.community.default_lang).parse(one(f, 'lang'));
    return change(req, reply, p.data.id, textLang, () => tx(req, (ctx) => p.data.op === 'remove'
      ? removePhoto(ctx, p.data.id, p.data.mid)
      : setPhotoText(ctx, p.data.id, p.data.mid, textLang, { alt: one(f, 'alt'), caption: one(f, 'caption') })));
  });
};
