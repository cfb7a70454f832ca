// The community admin keeps the catalogue of appeal categories: executor, service target,
// legal term (15 or 30 days), public or not, icon and search words per language.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, ZodError } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { notFound } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import { zodDetails } from '../../http/server.ts';
import { allCategories, createCategory, updateCategory } from '../../modules/appeals/categories.ts';
import { listOrganisations } from '../../modules/identity/organisations.ts';
import { consoleBase, consoleLang, hidden, sendConsole } from './layout.ts';
import { textIn } from '../text.ts';
import { OUTAGE_KINDS } from '../../modules/outages/tables.ts';

type Form = Record<string, string>;
const LANG_NAMES: Record<Lang, string> = { uk: 'українська', en: 'English', fa: 'فارسی' };
const LANGS = ['uk', 'en', 'fa'] as const;

function toInput(f: Form, withCode: boolean) {
  const texts = (prefix: string) => Object.fromEntries(LANGS.map((l) => [l, f[`${prefix}_${l}`]?.trim() || undefined]).filter(([, v]) => v));
  return {
    ...(withCode ? { code: f.code ?? '' } : {}),
    names: texts('name'), keywords: texts('kw'), icon: f.icon || '📌', executor_org_id: f.executor_org_id ?? '',
    service_hours: Number(f.service_hours), service_mode: f.service_mode as 'working', legal_days: Number(f.legal_days) as 15, is_public: f.is_public === 'on',
    outage_kind: (f.outage_kind || null) as 'other' | null,
    ...(withCode ? {} : { archived: f.archived === 'on' }),
  };
}

export const consoleAppealsCategories = (app: App) => async (r: FastifyInstance) => {
  async function page(req: FastifyRequest, reply: FastifyReply, editing: string | null, f: Form, errors: Record<string, string>, status = 200) {
    const lang = consoleLang(req);
    const c = req.community;
    const { cats, orgs } = await withCommunity(app.db, c.id, async (tx) => ({ cats: await allCategories(tx), orgs: await listOrganisations(tx, { includeArchived: false }) }));
    const base = `${consoleBase(req)}/appeals/categories`;
    const err = (n: string) => (errors[n] ? html`<p class="error" id="${n}-error">${errors[n]}</p>` : '');
    const inv = (n: string) => (errors[n] ? html` aria-invalid="true" aria-describedby="${n}-error"` : '');
    const form = html`<form class="stack card" method="post" action="${editing ? `${base}/${editing}` : base}">${hidden(req, reply)}
<h2>${t(lang, editing ? 'appeals.cat.edit' : 'appeals.cat.new')}</h2>
${Object.keys(errors).length ? html`<p class="alert" role="alert">${t(lang, 'appeals.cat.error')}</p>` : ''}
${editing ? '' : html`<div><label for="code">${t(lang, 'appeals.cat.code')}</label><input id="code" name="code" dir="ltr" maxlength="41" required value="${f.code ?? ''}"${inv('code')}>${err('code')}</div>`}
<div class="row">${LANGS.map((l) => html`<div><label for="name_${l}">${t(lang, 'appeals.cat.name', { language: LANG_NAMES[l] })}</label><input id="name_${l}" name="name_${l}" lang="${l}" dir="auto" maxlength="300" value="${f[`name_${l}`] ?? ''}"${inv('names')}></div>`)}</div>${err('names')}
<div class="row">${LANGS.map((l) => html`<div><label for="kw_${l}">${t(lang, 'appeals.cat.keywords', { language: LANG_NAMES[l] })}</label><input id="kw_${l}" name="kw_${l}" lang="${l}" dir="auto" maxlength="500" value="${f[`kw_${l}`] ?? ''}"></div>`)}</div>
<div class="row"><div><label for="icon">${t(lang, 'appeals.cat.icon')}</label><input id="icon" name="icon" maxlength="8" size="4" value="${f.icon ?? '📌'}"></div>
<div><label for="executor_org_id">${t(lang, 'appeals.cat.executor')}</label><select id="executor_org_id" name="executor_org_id"${inv('executor_org_id')}>${orgs.map((o) => html`<option value="${o.id}"${f.executor_org_id === o.id ? ' selected' : ''}>${textIn(o.names, lang, c.default_lang)}</option>`)}</select>${err('executor_org_id')}</div>
<div><label for="service_hours">${t(lang, 'appeals.cat.hours')}</label><input id="service_hours" name="service_hours" type="number" min="1" max="2160" required value="${f.service_hours ?? '72'}"${inv('service_hours')}>${err('service_hours')}</div>
<div><label for="service_mode">${t(lang, 'appeals.cat.mode')}</label><select id="service_mode" name="service_mode">${(['working', 'calendar'] as const).map((m) => html`<option value="${m}"${f.service_mode === m ? ' selected' : ''}>${t(lang, `appeals.cat.mode.${m}`)}</option>`)}</select></div>
<div><label for="legal_days">${t(lang, 'appeals.cat.legal')}</label><select id="legal_days" name="legal_days">${[15, 30].map((d) => html`<option value="${d}"${f.legal_days === String(d) ? ' selected' : ''}>${t(lang, 'appeals.cat.legal_days', { count: d })}</option>`)}</select></div></div>
<div><label for="outage_kind">${t(lang, 'appeals.cat.outage_kind')}</label> <span class="hint" id="outage_kind-hint">${t(lang, 'appeals.cat.outage_kind_hint')}</span>
<select id="outage_kind" name="outage_kind" aria-describedby="outage_kind-hint${errors.outage_kind ? ' outage_kind-error' : ''}"${errors.outage_kind ? html` aria-invalid="true"` : ''}><option value="">${t(lang, 'appeals.cat.outage_kind_none')}</option>${OUTAGE_KINDS.map((k) => html`<option value="${k}"${f.outage_kind === k ? ' selected' : ''}>${t(lang, `outages.kind.${k}`)}</option>`)}</select>${err('outage_kind')}</div>
<div><input type="checkbox" id="is_public" name="is_public"${f.is_public === 'on' ? ' checked' : ''}> <label for="is_public">${t(lang, 'appeals.cat.public')}</label></div>
${editing ? html`<div><input type="checkbox" id="archived" name="archived"${f.archived === 'on' ? ' checked' : ''}> <label for="archived">${t(lang, 'appeals.cat.archived')}</label></div>` : ''}
<div><button type="submit">${t(lang, 'appeals.cat.save')}</button></div></form>`;
    const list = html`<table data-testid="categories"><thead><tr><th>${t(lang, 'appeals.cat.code')}</th><th>${t(lang, 'appeals.cat.name', { language: LANG_NAMES[lang] })}</th><th>${t(lang, 'appeals.cat.executor')}</th><th>${t(lang, 'appeals.cat.hours')}</th><th>${t(lang, 'appeals.cat.legal')}</th></tr></thead><tbody>
${cats.map((x) => html`<tr${x.archived_at ? ' class="muted"' : ''}><td><a href="${base}/${x.id}" dir="ltr">${x.code}</a></td><td><span aria-hidden="true">${x.icon}</span> ${textIn(x.names, lang, c.default_lang)}${x.archived_at ? html` (${t(lang, 'appeals.cat.archived')})` : ''}</td>
<td>${textIn(orgs.find((o) => o.id === x.executor_org_id)?.names, lang, c.default_lang)}</td><td>${x.service_hours} (${t(lang, `appeals.cat.mode.${x.service_mode}`)})</td><td>${t(lang, 'appeals.cat.legal_days', { count: x.legal_days })}</td></tr>`)}</tbody></table>`;
    const body = html`<p>${t(lang, 'appeals.cat.lead')}</p>${form}<section class="card">${list}</section>`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.cat.title'), body, active: '/appeals/categories', notice: (req.query as { saved?: string }).saved ? t(lang, 'appeals.cat.saved') : null }, status);
  }

  const errorsOf = (lang: Lang, e: unknown): Record<string, string> | null => {
    if (e instanceof ZodError) return zodDetails(lang, e);
    if ((e as { code?: string }).code === '23505') return { code: t(lang, 'appeals.cat.error.code_taken') };
    if ((e as { code?: string }).code === '23503') return { executor_org_id: t(lang, 'error.invalid') };
    return null;
  };

  r.get('/appeals/categories', async (req, reply) => {
    requireStaff(req, 'appeals.admin');
    return page(req, reply, null, {}, {});
  });

  r.get('/appeals/categories/:id', async (req, reply) => {
    requireStaff(req, 'appeals.admin');
    const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
    const x = (await withCommunity(app.db, req.community.id, (tx) => allCategories(tx))).find((c) => c.id === id);
    if (!x) throw notFound();
    const f: Form = { executor_org_id: x.executor_org_id, icon: x.icon, service_hours: String(x.service_hours), service_mode: x.service_mode, legal_days: String(x.legal_days), is_public: x.is_public ? 'on' : '', outage_kind: x.outage_kind ?? '', archived: x.archived_at ? 'on' : '' };
    for (const l of LANGS) {
      f[`name_${l}`] = x.names[l] ?? '';
      f[`kw_${l}`] = (x.keywords as Record<string, string>)[l] ?? '';
    }
    return page(req, reply, id, f, {});
  });

  for (const path of ['/appeals/categories', '/appeals/categories/:id']) {
    r.post(path, async (req, reply) => {
      requireStaff(req, 'appeals.admin');
      checkCsrf(req);
      const id = (req.params as { id?: string }).id ?? null;
      if (id && !z.string().uuid().safeParse(id).success) throw notFound();
      const f = z.record(z.string(), z.string().max(2000)).parse(req.body ?? {});
      try {
        const ok = await withCommunity(app.db, req.community.id, (tx) =>
          id ? updateCategory(tx, actorOf(req), id, toInput(f, false)) : createCategory(tx, actorOf(req), req.community.id, toInput(f, true) as never));
        if (!ok) throw notFound();
        return reply.redirect(`${consoleBase(req)}/appeals/categories?saved=1`, 303);
      } catch (e) {
        const errors = errorsOf(consoleLang(req), e);
        if (!errors) throw e;
        return page(req, reply, id, f, errors, 400);
      }
    });
  }
};
