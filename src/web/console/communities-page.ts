import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { textIn } from '../text.ts';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { AppError, forbidden } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withSystem } from '../../db/db.ts';
import { LANGS, pick, t } from '../../i18n/i18n.ts';
import { createCommunity, loadCommunities } from '../../modules/communities/service.ts';
import { consoleLang, hidden, sendConsole } from './layout.ts';
import { ZodError } from 'zod';

/** The deployment's community registry, for the super-administrator only. */
export const communitiesPage = (app: App) => async (r: FastifyInstance) => {
  async function page(req: FastifyRequest, reply: FastifyReply, msg: { notice?: string; error?: string; form?: Record<string, string> } = {}, status = 200) {
    const s = requireStaff(req);
    if (!s.isSuperAdmin) throw forbidden();
    const lang = consoleLang(req);
    const list = await loadCommunities(app.db);
    const f = msg.form ?? {};
    const body = html`<table><thead><tr><th>${t(lang, 'communities.slug')}</th><th>${t(lang, 'communities.name', { lang: '' }).replace(/\s*\(\s*\)/, '')}</th><th>${t(lang, 'communities.default_lang')}</th><th>${t(lang, 'communities.time_zone')}</th><th>${t(lang, 'communities.calendar')}</th></tr></thead><tbody>
${list.map((c) => html`<tr><td class="mono"><a href="/c/${c.slug}/${c.default_lang}/">${c.slug}</a></td><td>${textIn(c.names, lang, c.default_lang)}</td><td>${t(lang, `lang.${c.default_lang}`)}</td><td class="mono">${c.time_zone}</td><td>${t(lang, `communities.calendar.${c.calendar}`)}</td></tr>`)}
</tbody></table>
<section class="card" style="margin-block-start:1rem"><h2>${t(lang, 'communities.new')}</h2>
<form class="stack" method="post" action="${req.base}/console/communities">${hidden(req, reply)}
<div><label for="slug">${t(lang, 'communities.slug')}</label><input id="slug" name="slug" required pattern="[a-z0-9][a-z0-9-]{1,40}" value="${f.slug ?? ''}"></div>
${LANGS.map((l) => html`<div><label for="name_${l}">${t(lang, 'communities.name', { lang: t(l, `lang.${l}`) })}</label><input id="name_${l}" name="name_${l}" lang="${l}" value="${f[`name_${l}`] ?? ''}"></div>`)}
<div><label for="default_lang">${t(lang, 'communities.default_lang')}</label><select id="default_lang" name="default_lang">${LANGS.map((l) => html`<option value="${l}"${f.default_lang === l ? ' selected' : ''}>${t(l, `lang.${l}`)}</option>`)}</select></div>
<div><label for="time_zone">${t(lang, 'communities.time_zone')}</label><input id="time_zone" name="time_zone" required value="${f.time_zone ?? 'Europe/Kyiv'}"></div>
<div><label for="calendar">${t(lang, 'communities.calendar')}</label><select id="calendar" name="calendar"><option value="gregorian">${t(lang, 'communities.calendar.gregorian')}</option><option value="persian"${f.calendar === 'persian' ? ' selected' : ''}>${t(lang, 'communities.calendar.persian')}</option></select></div>
<div><label for="hosts">${t(lang, 'communities.hosts')}</label><input id="hosts" name="hosts" value="${f.hosts ?? ''}"></div>
<div><button type="submit">${t(lang, 'console.create')}</button></div></form></section>`;
    return sendConsole(req, reply, { title: t(lang, 'communities.title'), body, active: '/communities', ...msg }, status);
  }

  r.get('/communities', async (req, reply) => page(req, reply));
  r.post('/communities', async (req, reply) => {
    const s = requireStaff(req);
    if (!s.isSuperAdmin) throw forbidden();
    checkCsrf(req);
    const form = req.body as Record<string, string>;
    try {
      await withSystem(app.db, (tx) =>
        createCommunity(tx, { ...actorOf(req), communityId: null }, {
          slug: form.slug ?? '',
          names: Object.fromEntries(LANGS.map((l) => [l, form[`name_${l}`] ?? '']).filter(([, v]) => v)),
          default_lang: form.default_lang as 'uk',
          time_zone: form.time_zone ?? '',
          calendar: form.calendar as 'gregorian',
          hosts: (form.hosts ?? '').split(/[,،\s]+/).filter(Boolean),
        }),
      );
      app.communities.invalidate();
      return page(req, reply, { notice: t(consoleLang(req), 'console.saved') });
    } catch (e) {
      const lang = consoleLang(req);
      if (e instanceof AppError) return page(req, reply, { error: t(lang, e.key), form }, e.status);
      if (e instanceof ZodError) return page(req, reply, { error: `${t(lang, 'error.invalid')} (${e.issues.map((i) => i.path.join('.')).join(', ')})`, form }, 400);
      throw e;
    }
  });
};
