// The newsroom in the console: materials list, the editor's routes, and the calendar and campaigns.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { withCommunity } from '../../db/db.ts';
import { LANGS, t, type Lang } from '../../i18n/i18n.ts';
import { requireStaff, checkCsrf } from '../../http/auth.ts';
import { MATERIAL_TYPES, VERSION_STATUSES } from '../../modules/newsroom/tables.ts';
import { channelStatus } from '../../modules/channels/service.ts';
import { createMaterial, listAuthors, listMaterials } from '../../modules/newsroom/service.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { input, materialInput, NEWSROOM_CSS, newsCtx, select, userError, versionInput, type Errors, type Form } from './newsroom-form.ts';
import { materialFields, versionFields } from './newsroom-fields.ts';
import { vocabulary } from './newsroom-editor.ts';
import { editorRoutes } from './newsroom-actions.ts';
import { calendarRoutes } from './newsroom-calendar.ts';
import { campaignRoutes } from './newsroom-campaigns.ts';



const ListQuery = z.object({
  status: z.enum(VERSION_STATUSES).optional().catch(undefined),
  type: z.enum(MATERIAL_TYPES).optional().catch(undefined),
  lang: z.enum(['uk', 'en', 'fa']).optional().catch(undefined),
  author: z.string().uuid().optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1000).catch(1),
});
const PAGE = 50;

export const consoleNewsroom = (app: App) => async (r: FastifyInstance) => {
  r.get('/newsroom', async (req, reply) => {
    const s = requireStaff(req, 'news.write');
    const lang = consoleLang(req);
    const q = ListQuery.parse(req.query ?? {});
    const { rows, authors } = await withCommunity(app.db, req.community.id, async (tx) => ({
      rows: await listMaterials(tx, { status: q.status, type: q.type, lang: q.lang, authorId: q.author, q: q.q || undefined, limit: PAGE + 1, offset: (q.page - 1) * PAGE }),
      authors: await listAuthors(tx),
    }));
    const base = `${consoleBase(req)}/newsroom`;
    const all = t(lang, 'newsroom.list.all');
    const filters = html`<form class="row" method="get" action="${base}" aria-label="${t(lang, 'newsroom.list.filter')}">
${select('status', t(lang, 'newsroom.field.status'), VERSION_STATUSES.map((x) => [x, t(lang, `newsroom.status.${x}`)]), q.status ?? '', {}, all)}
${select('type', t(lang, 'newsroom.field.type'), MATERIAL_TYPES.map((x) => [x, t(lang, `newsroom.type.${x}`)]), q.type ?? '', {}, all)}
${select('lang', t(lang, 'newsroom.field.lang'), LANGS.map((l) => [l, t(lang, `lang.${l}`)]), q.lang ?? '', {}, all)}
${select('author', t(lang, 'newsroom.field.author'), [[s.userId, s.name] as [string, string], ...authors.filter((a) => a.id !== s.userId).map((a) => [a.id, a.display_name] as [string, string])], q.author ?? '', {}, all)}
${input('q', t(lang, 'newsroom.field.title'), q.q ?? '', {}, { type: 'search' })}
<div><button type="submit" class="secondary">${t(lang, 'newsroom.list.filter')}</button></div></form>`;
    const more = rows.length > PAGE;
    const page = (n: number) => `${base}?${new URLSearchParams({ ...(q.status ? { status: q.status } : {}), ...(q.type ? { type: q.type } : {}), ...(q.lang ? { lang: q.lang } : {}), ...(q.author ? { author: q.author } : {}), ...(q.q ? { q: q.q } : {}), page: String(n) })}`;
    const body = html`${NEWSROOM_CSS}<p class="row"><a href="${base}/new">${t(lang, 'newsroom.list.new')}</a> · <a href="${base}/calendar">${t(lang, 'newsroom.nav.calendar')}</a> · <a href="${base}/campaigns">${t(lang, 'newsroom.nav.campaigns')}</a> · <a href="${base}/terms">${t(lang, 'newsroom.terms.title')}</a></p>
${filters}
${rows.length ? html`<table data-testid="materials"><thead><tr><th>${t(lang, 'newsroom.field.title')}</th><th>${t(lang, 'newsroom.field.lang')}</th><th>${t(lang, 'newsroom.field.status')}</th><th>${t(lang, 'newsroom.field.type')}</th><th>${t(lang, 'newsroom.field.author')}</th><th>${t(lang, 'newsroom.field.updated')}</th></tr></thead><tbody>
${rows.slice(0, PAGE).map((m) => html`<tr><td><a href="${base}/materials/${m.material_id}?v=${m.lang}" lang="${m.lang}" dir="auto">${m.title}</a>${m.urgent ? html` <span class="tag">!</span>` : ''}</td><td>${t(lang, `lang.${m.lang}`)}</td>
<td>${t(lang, `newsroom.status.${m.status}`)}${m.corrected_at && m.status === 'published' ? html` · ${t(lang, 'newsroom.status.updated')}` : ''}</td><td>${t(lang, `newsroom.type.${m.type}`)}</td><td>${m.author_name ?? '—'}</td><td>${when(req, m.updated_at)}</td></tr>`)}
</tbody></table>` : html`<p class="muted">${t(lang, 'newsroom.list.empty')}</p>`}
<p class="row">${q.page > 1 ? html`<a href="${page(q.page - 1)}" rel="prev">←</a>` : ''}${more ? html`<a href="${page(q.page + 1)}" rel="next">→</a>` : ''}</p>`;
    return sendConsole(req, reply, { title: t(lang, 'newsroom.list.title'), body, active: '/newsroom' });
  });

  async function newPage(req: FastifyRequest, reply: FastifyReply, f: Form = {}, errors: Errors = {}, error: string | null = null, code = 200) {
    requireStaff(req, 'news.write');
    const lang = consoleLang(req);
    const textLang = (LANGS as readonly string[]).includes(String(f.lang ?? '')) ? (f.lang as Lang) : req.community.default_lang;
    const { voc, status } = await withCommunity(app.db, req.community.id, async (tx) => ({ voc: await vocabulary(tx), status: await channelStatus(tx) }));
    const m = materialInput(f);
    const v = versionInput(f);
    const body = html`${NEWSROOM_CSS}<form class="stack wide" method="post" action="${consoleBase(req)}/newsroom/new" data-testid="new-material">${hidden(req, reply)}
${select('lang', t(lang, 'newsroom.field.lang'), LANGS.map((l) => [l, t(lang, `lang.${l}`)]), textLang, errors)}
${materialFields(lang, req.community.default_lang, { ...m, type: m.type || 'news' }, voc, errors)}
${versionFields(lang, textLang, v, status, errors)}
<div><button type="submit">${t(lang, 'newsroom.editor.create')}</button></div></form>`;
    return sendConsole(req, reply, { title: t(lang, 'newsroom.list.new'), body, active: '/newsroom', error }, code);
  }

  r.get('/newsroom/new', async (req, reply) => newPage(req, reply, (req.query ?? {}) as Form));

  r.post('/newsroom/new', async (req, reply) => {
    requireStaff(req, 'news.write');
    checkCsrf(req);
    const f = (req.body ?? {}) as Form;
    const lang = consoleLang(req);
    const textLang = z.enum(['uk', 'en', 'fa']).catch(req.community.default_lang).parse(f.lang);
    try {
      const { materialId } = await withCommunity(app.db, req.community.id, (tx) =>
        createMaterial(newsCtx(app, req, tx), { ...materialInput(f), lang: textLang, version: versionInput(f) } as never));
      return reply.redirect(`${consoleBase(req)}/newsroom/materials/${materialId}?v=${textLang}`, 303);
    } catch (e) {
      const u = userError(lang, e);
      if (!u) throw e;
      return newPage(req, reply, f, u.errors, u.message, u.status);
    }
  });

  await r.register(editorRoutes(app));
  await r.register(calendarRoutes(app));
  await r.register(campaignRoutes(app));
};
