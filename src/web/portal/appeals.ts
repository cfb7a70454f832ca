import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, ZodError } from 'zod';
import type { App } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { checkCsrf, csrfToken, loadResident } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { formatDate, t, type Lang } from '../../i18n/i18n.ts';
import { zodDetails } from '../../http/server.ts';
import { listCategories } from '../../modules/appeals/categories.ts';
import { checkFollowKey, fileAppeal, findByNumber, followKey, timeline, type Appeal } from '../../modules/appeals/service.ts';
import { appealByRatingToken, rateByToken } from '../../modules/appeals/actions.ts';
import { APPEAL_TYPES, Rating } from '../../modules/appeals/schema.ts';
import { portalPage } from '../layout.ts';
import { textIn } from '../text.ts';
import { appealsCtx } from '../appeals-context.ts';
import { langOf, sendPage } from './page.ts';
import { addressField, categoryPicker } from './addresses.ts';
import { intakeFields, resolveIntakeAddress, type AddressQuestion } from '../../modules/addresses/intake.ts';
import { NewAppeal } from '../../modules/appeals/schema.ts';
import { actorOf } from '../../http/context.ts';
import { appealPhotos, attachAppealPhotos, latestEventId, MAX_APPEAL_PHOTOS } from '../../modules/media/appeal-photos.ts';
import { preparePhotos } from '../../modules/media/uploads.ts';
import { appealPhotoGroups, PHOTO_CSS, photoInput } from './media.ts';
import { addEvent } from '../../modules/appeals/service.ts';
import { addNote } from '../../modules/appeals/actions.ts';
import type { Tx } from '../../db/db.ts';

type Form = Record<string, string | undefined>;

/** The form's fields back into the shape the service takes; empty strings are "not given". */
function toInput(f: Form) {
  return {
    type: f.type || 'statement',
    category_id: f.category_id ?? '',
    description: f.description ?? '',
    address: f.address,
    applicant: { name: f.name, phone: f.phone, email: f.email, address: f.applicant_address },
    confidential: f.confidential === 'on',
    notify_via: (f.notify_via || undefined) as 'email' | 'sms' | 'telegram' | 'none' | undefined,
  };
}

export const portalAppeals = (app: App) => async (r: FastifyInstance) => {
  async function formPage(req: FastifyRequest, reply: FastifyReply, lang: Lang, f: Form, errors: Record<string, string> = {}, status = 200, addrQ: AddressQuestion | null = null) {
    const c = req.community;
    const categories = await withCommunity(app.db, c.id, (tx) => listCategories(tx));
    const err = (name: string) => (errors[name] ? html`<p class="error" id="${name}-error">${errors[name]}</p>` : '');
    const aria = (name: string) => (errors[name] ? html` aria-invalid="true" aria-describedby="${name}-error"` : '');
    const field = (name: string, label: string, opts: { type?: string; hint?: string; auto?: string; max?: number } = {}) => html`
<div><label for="${name}">${label}${opts.hint ? html` <span class="hint">${opts.hint}</span>` : ''}</label>${err(name)}
<input id="${name}" name="${name}" type="${opts.type ?? 'text'}" value="${f[name] ?? ''}" maxlength="${opts.max ?? 300}"${opts.auto ? html` autocomplete="${opts.auto}"` : ''}${aria(name)}></div>`;
    const body = html`<h1>${t(lang, 'appeals.new.title')}</h1>
<p>${t(lang, 'appeals.new.lead')}</p>
${Object.keys(errors).length ? html`<p class="alert" role="alert">${t(lang, 'error.invalid')}</p>` : ''}
<form class="stack" method="post" action="${req.base}/${lang}/appeals/new" enctype="multipart/form-data" novalidate>
<input type="hidden" name="_csrf" value="${csrfToken(req, reply)}">
${categoryPicker({ lang, fallback: c.default_lang, categories, selected: f.category_id, error: err('category_id'), invalid: !!errors.category_id, legend: t(lang, 'appeals.field.category') })}
<div><label for="type">${t(lang, 'appeals.field.type')}</label><select id="type" name="type">${APPEAL_TYPES.filter((x) => x !== 'consultation').map((x) => html`<option value="${x}"${(f.type ?? 'statement') === x ? ' selected' : ''}>${t(lang, `appeals.type.${x}`)}</option>`)}</select></div>
<div><label for="description">${t(lang, 'appeals.field.description')} <span class="hint">${t(lang, 'appeals.field.description_hint')}</span></label>${err('description')}
<textarea id="description" name="description" rows="5" maxlength="5000"${aria('description')}>${f.description ?? ''}</textarea></div>
${addressField({ base: req.base, lang, f, label: t(lang, 'appeals.field.address'), hint: t(lang, 'appeals.field.address_hint'), question: addrQ, allowAsTyped: true })}
${PHOTO_CSS}${photoInput(app, lang, errors.photos ?? (req.uploads?.length && Object.keys(errors).length ? t(lang, 'media.error.choose_again') : undefined))}
<fieldset><legend>${t(lang, 'appeals.field.applicant')}</legend><p class="hint">${t(lang, c.appeals_law === 'ua' ? 'appeals.field.applicant_hint' : 'appeals.field.applicant_hint_general')}</p>
${field('name', t(lang, 'appeals.field.name'), { auto: 'name', max: 200 })}
${field('phone', t(lang, 'appeals.field.phone'), { type: 'tel', auto: 'tel', max: 40 })}
${field('email', t(lang, 'appeals.field.email'), { type: 'email', auto: 'email', max: 200 })}
${field('applicant_address', t(lang, 'appeals.field.applicant_address'), { auto: 'street-address' })}
${c.appeals_law === 'ua' ? html`<div><label class="choice"><input type="checkbox" name="confidential"${f.confidential === 'on' ? ' checked' : ''}> ${t(lang, 'appeals.field.confidential')}</label></div>` : ''}
<div><label for="notify_via">${t(lang, 'appeals.field.notify')}</label><select id="notify_via" name="notify_via"${aria('notify_via')}><option value="">—</option>${([...(app.config.telegram && req.residentId ? ['telegram'] as const : []), 'email', 'sms', 'none'] as const).map((v) => html`<option value="${v}"${f.notify_via === v ? ' selected' : ''}>${t(lang, `appeals.notify.${v}`)}</option>`)}</select>${err('notify_via')}</div>
</fieldset>
<div><button type="submit">${t(lang, 'appeals.submit')}</button></div>
</form>`;
    return sendPage(reply, portalPage(req, { title: t(lang, 'appeals.new.title'), body, lang }), status);
  }

  r.get('/:lang/appeals/new', async (req, reply) => {
    const lang = langOf(req);
    await loadResident(app, req);
    const me = req.residentId
      ? await withCommunity(app.db, req.community.id, (tx) => tx.selectFrom('residents').select(['email', 'phone', 'name']).where('id', '=', req.residentId!).executeTakeFirst())
      : null;
    return formPage(req, reply, lang, { email: me?.email ?? undefined, phone: me?.phone ?? undefined, name: me?.name ?? undefined });
  });

  r.post('/:lang/appeals/new', async (req, reply) => {
    const lang = langOf(req);
    await loadResident(app, req);
    checkCsrf(req);
    const f = z.record(z.string(), z.string().max(10_000)).parse(req.body ?? {});
    // Photos are checked before the transaction: a bad one files nothing and stores nothing.
    const photos = await preparePhotos(req.uploads, 'photos', MAX_APPEAL_PHOTOS).catch((e: unknown) => (e instanceof AppError && e.status < 500 ? e : Promise.reject(e)));
    // The address against the register: one match is normalised; several or none come back as a choice.
    const addr = await withCommunity(app.db, req.community.id, (tx) => resolveIntakeAddress(tx, f, lang, req.community.default_lang));
    if (!addr.ok) {
      const check = NewAppeal.safeParse(toInput(f));
      const errors = check.success ? {} : flatten(zodDetails(lang, check.error));
      if (errors.category_id) errors.category_id = t(lang, 'appeals.error.unknown_category');
      return formPage(req, reply, lang, f, { ...errors, address: t(lang, 'addresses.field.choose') }, 400, addr.question);
    }
    Object.assign(f, intakeFields(addr.value));
    try {
      if (photos instanceof AppError) throw photos;
      const { appeal } = await withCommunity(app.db, req.community.id, async (tx) => {
        const filed = await fileAppeal(appealsCtx(app, req, tx), { ...toInput(f), ...addr.value } as never, { channel: 'web', lang, residentId: req.residentId });
        await attachAppealPhotos(tx, app.queue, { communityId: req.community.id, appealId: filed.appeal.id, eventId: null, addedBy: 'applicant', actor: actorOf(req), photos });
        return filed;
      });
      return reply.redirect(`${req.base}/${lang}/appeals/${appeal.number}?key=${followKey(app.secret, appeal.id)}&filed=1`, 303);
    } catch (e) {
      if (e === photos && e instanceof AppError) return formPage(req, reply, lang, f, { photos: `${t(lang, e.key, e.params)} ${t(lang, 'media.error.choose_again')}` }, 400);
      if (e instanceof ZodError) {
        const errors = flatten(zodDetails(lang, e));
        if (errors.category_id) errors.category_id = t(lang, 'appeals.error.unknown_category');
        return formPage(req, reply, lang, f, errors, 400);
      }
      if (e instanceof AppError && e.status < 500) {
        const field = e.details && typeof e.details === 'object' ? Object.keys(e.details)[0] : undefined;
        return formPage(req, reply, lang, f, { [field === 'notify_via' ? field : 'category_id']: t(lang, e.key) }, e.status);
      }
      throw e;
    }
  });

  /** The appeal behind a follow link (or the signed-in applicant's own), else null. */
  async function followed(req: FastifyRequest, tx: Tx, number: string, key: string | undefined) {
    const a = await findByNumber(tx, number).catch(() => null);
    const allowed = a && ((key && checkFollowKey(app.secret, a.id, key)) || (req.residentId && a.resident_id === req.residentId));
    return a && allowed ? a : null;
  }

  type FollowQuery = { key?: string; filed?: string; added?: string };
  type AddForm = { info: string; error: string };

  async function followPage(req: FastifyRequest, reply: FastifyReply, lang: Lang, number: string, q: FollowQuery, add: AddForm | null = null, status = 200) {
    const c = req.community;
    const data = await withCommunity(app.db, c.id, async (tx) => {
      const a = await followed(req, tx, number, q.key);
      if (!a) return null;
      const category = await tx.selectFrom('appeal_categories').select(['names', 'icon']).where('id', '=', a.category_id).executeTakeFirstOrThrow();
      return { a, category, events: await timeline(tx, a.id, true), photos: await appealPhotos(tx, a.id, true) };
    });
    if (!data) throw notFound();
    const photos = appealPhotoGroups(req, lang, app.secret, data.photos);
    const body = html`${q.filed ? html`<div class="notice" role="status"><h1>${t(lang, 'appeals.filed.title')}</h1><p><strong>${t(lang, 'appeals.filed.number', { number })}</strong></p><p>${t(lang, 'appeals.filed.keep_link')}</p></div>` : ''}
${q.filed ? html`<h2>${t(lang, 'appeals.view.title', { number })}</h2>` : html`<h1>${t(lang, 'appeals.view.title', { number })}</h1>`}
${appealSummary(req, lang, data.a, data.category)}
${photos.filed}
<h2>${t(lang, 'appeals.view.timeline')}</h2>
<ol class="timeline">${data.events.map((e) => html`<li><strong>${t(lang, `appeals.event.${e.kind}` as 'appeals.event.note')}</strong> — <time datetime="${e.at.toISOString()}">${formatDate(e.at, lang, c.time_zone, c.calendar, true)}</time>${e.note ? html`<br>${e.note}` : ''}${photos.of(e.id)}</li>`)}</ol>
${!['resolved', 'closed'].includes(data.a.status) ? addForm(req, reply, lang, number, q, add) : ''}`;
    return sendPage(reply, portalPage(req, { title: t(lang, 'appeals.view.title', { number }), body, lang }), status);
  }

  r.get('/:lang/appeals/:number', async (req, reply) => {
    const lang = langOf(req);
    const { number } = z.object({ number: z.string().max(30) }).parse(req.params);
    const q = z.object({ key: z.string().max(60).optional(), filed: z.string().optional(), added: z.string().optional() }).parse(req.query ?? {});
    await loadResident(app, req);
    return followPage(req, reply, lang, number, q);
  });

  /** The applicant adds information and photos while the appeal is open. */
  function addForm(req: FastifyRequest, reply: FastifyReply, lang: Lang, number: string, q: FollowQuery, add: AddForm | null) {
    const action = `${req.base}/${lang}/appeals/${number}/add${q.key ? `?key=${encodeURIComponent(q.key)}` : ''}`;
    return html`<section id="add" aria-labelledby="add-title"><h2 id="add-title">${t(lang, 'media.add.title')}</h2>
${q.added && !add ? html`<p class="notice" role="status">${t(lang, 'media.add.done')}</p>` : ''}${add?.error ? html`<p class="alert" role="alert">${add.error}</p>` : ''}
<form class="stack" method="post" action="${action}" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${csrfToken(req, reply)}">
<div><label for="info">${t(lang, 'media.add.text')}</label><textarea id="info" name="info" rows="3" maxlength="5000">${add?.info ?? ''}</textarea></div>
${photoInput(app, lang, undefined, 'add-photos')}
<div><button type="submit">${t(lang, 'media.add.submit')}</button></div></form></section>`;
  }

  r.post('/:lang/appeals/:number/add', async (req, reply) => {
    const lang = langOf(req);
    const { number } = z.object({ number: z.string().max(30) }).parse(req.params);
    const q = z.object({ key: z.string().max(60).optional() }).parse(req.query ?? {});
    await loadResident(app, req);
    checkCsrf(req);
    const info = z.string().max(5000).catch('').parse((req.body as Form | undefined)?.info ?? '').trim();
    const photos = await preparePhotos(req.uploads, 'photos', MAX_APPEAL_PHOTOS).catch((e: unknown) => (e instanceof AppError && e.status < 500 ? e : Promise.reject(e)));
    if (photos instanceof AppError) return followPage(req, reply, lang, number, q, { info, error: `${t(lang, photos.key, photos.params)} ${t(lang, 'media.error.choose_again')}` }, 400);
    if (!info && !photos.length) return followPage(req, reply, lang, number, q, { info, error: t(lang, 'media.add.empty') }, 400);
    const done = await withCommunity(app.db, req.community.id, async (tx) => {
      const a = await followed(req, tx, number, q.key);
      if (!a) throw notFound();
      if (['resolved', 'closed'].includes(a.status)) return false;
      const ctx = appealsCtx(app, req, tx);
      if (info) await addNote(ctx, null, a.id, info, true);
      else await addEvent(tx, ctx.actor, a.community_id, a.id, { kind: 'note' });
      const eventId = await latestEventId(tx, a.id);
      await attachAppealPhotos(tx, app.queue, { communityId: a.community_id, appealId: a.id, eventId, addedBy: 'applicant', actor: ctx.actor, photos });
      return true;
    });
    if (!done) return followPage(req, reply, lang, number, q, { info, error: t(lang, 'media.add.closed') }, 409);
    return reply.redirect(`${req.base}/${lang}/appeals/${number}?${q.key ? `key=${encodeURIComponent(q.key)}&` : ''}added=1#add`, 303);
  });

  async function ratePage(req: FastifyRequest, reply: FastifyReply, lang: Lang, token: string, message: string | null = null, status = 200) {
    const found = await withCommunity(app.db, req.community.id, (tx) => appealByRatingToken(tx, token)).catch(() => null);
    if (!found) throw notFound();
    const number = found.appeal.number;
    const body = found.used || message
      ? html`<h1>${t(lang, 'appeals.rate.title', { number })}</h1><p class="notice" role="status">${message ?? t(lang, 'appeals.rate.used')}</p>`
      : html`<h1>${t(lang, 'appeals.rate.title', { number })}</h1><p>${t(lang, 'appeals.rate.lead')}</p>
<form class="stack" method="post" action="${req.base}/${lang}/rate/${token}"><input type="hidden" name="_csrf" value="${csrfToken(req, reply)}">
<fieldset class="choices"><legend>${t(lang, 'appeals.rate.rating')}</legend>
${[5, 4, 3, 2, 1].map((n) => html`<label class="choice"><input type="radio" name="rating" value="${n}" required> ${t(lang, `appeals.rate.value.${n}` as 'appeals.rate.value.1')}</label>`)}</fieldset>
<div><label for="comment">${t(lang, 'appeals.rate.comment')}</label><textarea id="comment" name="comment" rows="3" maxlength="2000"></textarea></div>
<div><button type="submit">${t(lang, 'appeals.rate.submit')}</button></div></form>`;
    return sendPage(reply, portalPage(req, { title: t(lang, 'appeals.rate.title', { number }), body, lang }), status);
  }

  r.get('/:lang/rate/:token', async (req, reply) => ratePage(req, reply, langOf(req), z.object({ token: z.string().max(60) }).parse(req.params).token));
  r.post('/:lang/rate/:token', async (req, reply) => {
    const lang = langOf(req);
    checkCsrf(req);
    const { token } = z.object({ token: z.string().max(60) }).parse(req.params);
    const form = Rating.safeParse({ rating: (req.body as Form)?.rating, comment: (req.body as Form)?.comment });
    if (!form.success) return ratePage(req, reply, lang, token, null, 400);
    const after = await withCommunity(app.db, req.community.id, (tx) => rateByToken(appealsCtx(app, req, tx), token, form.data.rating, form.data.comment ?? null));
    return ratePage(req, reply, lang, token, t(lang, after.status === 'reopened' ? 'appeals.rate.reopened' : 'appeals.rate.thanks'));
  });
};

/** Status, category and dates; personal data is never on this page. */
export function appealSummary(req: FastifyRequest, lang: Lang, a: Appeal, category: { names: Partial<Record<Lang, string>>; icon: string }) {
  const c = req.community;
  const d = (x: Date | null) => (x ? formatDate(x, lang, c.time_zone, c.calendar, true) : '—');
  return html`<dl class="facts">
<dt>${t(lang, 'appeals.view.status')}</dt><dd data-testid="status">${t(lang, `appeals.status.${a.status}`)}</dd>
<dt>${t(lang, 'appeals.view.category')}</dt><dd><span aria-hidden="true">${category.icon}</span> ${textIn(category.names, lang, c.default_lang)}</dd>
<dt>${t(lang, 'appeals.view.filed')}</dt><dd>${d(a.created_at)}</dd>
<dt>${t(lang, 'appeals.view.service_due')}</dt><dd>${d(a.service_due_at)}</dd>
${a.legal_due_at ? html`<dt>${t(lang, 'appeals.view.legal_due')}</dt><dd>${d(a.legal_due_at)}</dd>` : ''}
</dl>`;
}

/** zod paths like "applicant.email" map to the form's field names. */
function flatten(details: Record<string, string>): Record<string, string> {
  const names: Record<string, string> = { 'applicant.name': 'name', 'applicant.phone': 'phone', 'applicant.email': 'email', 'applicant.address': 'applicant_address' };
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [names[k] ?? k, v]));
}
