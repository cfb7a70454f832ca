import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, ZodError } from 'zod';
import type { App } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import { zodDetails } from '../../http/server.ts';
import { listCategories } from '../../modules/appeals/categories.ts';
import { appealsByPhone, fileAppeal, getAppeal, listAppeals, timeline } from '../../modules/appeals/service.ts';
import * as act from '../../modules/appeals/actions.ts';
import { APPEAL_CHANNELS, APPEAL_TYPES } from '../../modules/appeals/schema.ts';
import { listOrganisations } from '../../modules/identity/organisations.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { textIn } from '../text.ts';
import { appealsCtx } from '../appeals-context.ts';
import { addressField, categoryPicker } from '../portal/addresses.ts';
import { intakeFields, resolveIntakeAddress, type AddressQuestion } from '../../modules/addresses/intake.ts';
import { appealPhotos, attachAppealPhotos, latestEventId, MAX_APPEAL_PHOTOS } from '../../modules/media/appeal-photos.ts';
import { preparePhotos } from '../../modules/media/uploads.ts';
import { appealPhotoGroups, photoInput } from '../portal/media.ts';
import { exportLinks } from './appeals-export.ts';
import { addToIncident } from '../../modules/appeals/incidents.ts';
import { attachCall, duplicateChoice, duplicateChoices, findDuplicates, incidentPanel, incidentPanelData, type Duplicates } from './appeals-incidents.ts';
import { knownOutageBanner, knownOutagesFor, knownOutagesRoute, linkedOutagePanel } from './appeals-outages.ts';
import { linkedOutages } from '../../modules/appeals/outage-links.ts';

type Form = Record<string, string | undefined>;

export const consoleAppeals = (app: App) => async (r: FastifyInstance) => {
  const inTx = <T>(req: FastifyRequest, fn: Parameters<typeof withCommunity<T>>[2]) => withCommunity(app.db, req.community.id, fn);

  async function listPage(req: FastifyRequest, reply: FastifyReply, f: Form = {}, errors: Record<string, string> = {}, status = 200, dups: Duplicates | null = null, addrQ: AddressQuestion | null = null) {
    const s = requireStaff(req, 'appeals.use');
    const lang = consoleLang(req);
    const c = req.community;
    const q = z.object({ show: z.enum(['open', 'all', 'control']).default('open'), q: z.string().max(100).optional(), phone: z.string().max(40).optional() }).parse(req.query ?? {});
    const { appeals, categories, earlier, known } = await inTx(req, async (tx) => ({
      // Executors see only their organisation's queue: the query itself is scoped.
      appeals: await listAppeals(tx, {
        status: q.show === 'all' ? undefined : q.show === 'control' ? undefined : 'open',
        onControl: q.show === 'control',
        executorOrgId: !act.seesAllAppeals(s) ? (s.organisationId ?? '00000000-0000-0000-0000-000000000000') : undefined,
        q: q.q,
        limit: 200,
      }),
      categories: await listCategories(tx),
      earlier: q.phone && act.isOperator(s) ? await appealsByPhone(tx, q.phone) : [],
      // A form shown again (duplicates, an address to choose, an error): a known outage there.
      known: act.isOperator(s) ? await knownOutagesFor(tx, f, lang, c.default_lang) : [],
    }));
    const base = consoleBase(req);
    const now = Date.now();
    const err = (n: string) => (errors[n] ? html`<p class="alert" id="${n}-error">${errors[n]}</p>` : '');
    const registerForm = act.isOperator(s)
      ? html`<section class="card" aria-labelledby="reg"><h2 id="reg">${t(lang, 'appeals.console.register')}</h2>
<form class="row" method="get" action="${base}/appeals"><div><label for="lookup">${t(lang, 'appeals.field.phone')}</label><input id="lookup" name="phone" type="tel" value="${q.phone ?? ''}"></div><div><button class="secondary" type="submit">${t(lang, 'appeals.console.find_phone')}</button></div></form>
${earlier.length ? html`<h3>${t(lang, 'appeals.console.earlier')}</h3><ul data-testid="earlier">${earlier.map((a) => html`<li><a href="${base}/appeals/${a.id}">${a.number}</a> — ${t(lang, `appeals.status.${a.status}`)} — ${a.description.slice(0, 80)}</li>`)}</ul>` : ''}
<form class="stack" method="post" action="${base}/appeals">${hidden(req, reply)}
<input type="hidden" name="phone" value="${f.phone ?? q.phone ?? ''}">
<div><label for="channel">${t(lang, 'appeals.console.channel')}</label><select id="channel" name="channel">${APPEAL_CHANNELS.filter((x) => x !== 'web' && x !== 'open311').map((x) => html`<option value="${x}"${(f.channel ?? 'phone') === x ? ' selected' : ''}>${t(lang, `appeals.channel.${x}`)}</option>`)}</select></div>
<div><label for="type">${t(lang, 'appeals.field.type')}</label><select id="type" name="type">${APPEAL_TYPES.map((x) => html`<option value="${x}"${(f.type ?? 'statement') === x ? ' selected' : ''}>${t(lang, `appeals.type.${x}`)}</option>`)}</select></div>
${categoryPicker({ lang, fallback: c.default_lang, categories, selected: f.category_id, error: err('category_id'), invalid: !!errors.category_id, legend: t(lang, 'appeals.field.category'), columns: true })}
<div><label for="description">${t(lang, 'appeals.field.description')}</label>${err('description')}<textarea id="description" name="description" rows="3" required>${f.description ?? ''}</textarea></div>
${addressField({ base: req.base, lang, f, label: t(lang, 'appeals.field.address'), question: addrQ, allowAsTyped: true })}
${knownOutageBanner(req, lang, known)}
<div><label for="name">${t(lang, 'appeals.field.name')}</label><input id="name" name="name" value="${f.name ?? ''}"></div>
<div><label for="applicant_address">${t(lang, 'appeals.field.applicant_address')}</label><input id="applicant_address" name="applicant_address" value="${f.applicant_address ?? ''}"></div>
<div><label for="email">${t(lang, 'appeals.field.email')}</label>${err('email')}<input id="email" name="email" type="email" value="${f.email ?? ''}"></div>
<div><label for="answer">${t(lang, 'appeals.console.answer')}</label><textarea id="answer" name="answer" rows="2">${f.answer ?? ''}</textarea></div>
<div><label><input type="checkbox" name="confidential"${f.confidential === 'on' ? ' checked' : ''}> ${t(lang, 'appeals.field.confidential')}</label></div>
${duplicateChoices(req, lang, dups)}
<div><button type="submit">${t(lang, 'appeals.console.register')}</button></div></form></section>`
      : '';
    const body = html`${registerForm}
<nav class="row" aria-label="${t(lang, 'console.filter')}">${act.seesAllAppeals(s) ? html`<a href="${base}/appeals/dashboard">${t(lang, 'appeals.dash.link')}</a>` : ''}${(['open', 'all', 'control'] as const).map((k) => html`<a href="${base}/appeals?show=${k}"${q.show === k ? html` aria-current="page"` : ''}>${t(lang, `appeals.console.filter.${k}`)}</a>`)}</nav>
${exportLinks(base, lang, { show: q.show, q: q.q }, s)}
<table data-testid="appeals"><thead><tr><th>№</th><th>${t(lang, 'appeals.view.category')}</th><th>${t(lang, 'appeals.field.description')}</th><th>${t(lang, 'appeals.view.status')}</th><th>${t(lang, 'appeals.view.service_due')}</th></tr></thead><tbody>
${appeals.map((a) => html`<tr><td><a href="${base}/appeals/${a.id}">${a.number}</a>${a.on_control ? ' ★' : ''}</td><td>${a.icon} ${textIn(a.category_names, lang, c.default_lang)}</td><td>${a.description.slice(0, 120)}</td><td>${t(lang, `appeals.status.${a.status}`)}</td>
<td>${when(req, a.service_due_at)}${a.service_due_at.getTime() < now && ['registered', 'in_progress', 'reopened'].includes(a.status) ? html` <strong class="overdue">${t(lang, 'appeals.console.overdue')}</strong>` : ''}</td></tr>`)}
</tbody></table>`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.console.list'), body, active: '/appeals', error: Object.keys(errors).length ? t(lang, 'error.invalid') : null }, status);
  }

  r.get('/appeals', async (req, reply) => listPage(req, reply));
  knownOutagesRoute(app, r);

  r.post('/appeals', async (req, reply) => {
    const s = requireStaff(req, 'appeals.use');
    if (!act.isOperator(s)) throw notFound();
    checkCsrf(req);
    const f = z.record(z.string(), z.string().max(10_000)).parse(req.body ?? {});
    const lang = consoleLang(req);
    const channel = z.enum(APPEAL_CHANNELS).catch('phone').parse(f.channel);
    // The address against the register first, so that duplicates are looked up by the normalised one.
    const addr = await inTx(req, (tx) => resolveIntakeAddress(tx, f, lang, req.community.default_lang));
    if (!addr.ok) return listPage(req, reply, f, { address: t(lang, 'addresses.field.choose') }, 400, null, addr.question);
    Object.assign(f, intakeFields(addr.value));
    // A9: likely duplicates are shown first; the operator attaches the call or registers anyway.
    const dup = duplicateChoice(f.dup);
    if (dup.kind === 'ask') {
      const found = await inTx(req, (tx) => findDuplicates(tx, f));
      if (found) return listPage(req, reply, f, {}, 200, found);
    }
    try {
      if (dup.kind === 'appeal') {
        const to = await inTx(req, (tx) => attachCall(app, req, tx, s, dup.id, f));
        return reply.redirect(`${consoleBase(req)}/appeals/${to.id}`, 303);
      }
      const { appeal } = await inTx(req, (tx) =>
        fileAppeal(appealsCtx(app, req, tx), {
          type: (f.type || 'statement') as 'statement', category_id: f.category_id ?? '', description: f.description ?? '', ...addr.value,
          applicant: { name: f.name, phone: f.phone, email: f.email, address: f.applicant_address }, confidential: f.confidential === 'on', answer: f.answer,
        }, { channel, lang: req.community.default_lang }).then(async (res) => {
          if (dup.kind === 'incident') await addToIncident(appealsCtx(app, req, tx), s, dup.id, res.appeal.id);
          return res;
        }),
      );
      return reply.redirect(`${consoleBase(req)}/appeals/${appeal.id}`, 303);
    } catch (e) {
      if (e instanceof ZodError) {
        const errors = zodDetails(lang, e);
        if (errors.category_id) errors.category_id = t(lang, 'appeals.error.unknown_category');
        if (errors['applicant.email']) errors.email = errors['applicant.email'];
        return listPage(req, reply, f, errors, 400);
      }
      if (e instanceof AppError && e.status < 500) return listPage(req, reply, f, { category_id: t(lang, e.key) }, e.status);
      throw e;
    }
  });

  async function detailPage(req: FastifyRequest, reply: FastifyReply, msg: { notice?: string; error?: string } = {}, status = 200) {
    const s = requireStaff(req, 'appeals.use');
    const lang = consoleLang(req);
    const c = req.community;
    const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
    const data = await inTx(req, async (tx) => {
      const a = await getAppeal(tx, id);
      if (!act.canView(s, a)) throw notFound();
      return {
        a,
        category: await tx.selectFrom('appeal_categories').select(['names', 'icon']).where('id', '=', a.category_id).executeTakeFirstOrThrow(),
        events: await timeline(tx, id, false),
        orgs: await listOrganisations(tx),
        incident: await incidentPanelData(tx, a),
        outages: await linkedOutages(tx, id),
        photos: await appealPhotos(tx, id, false),
      };
    });
    const { a } = data;
    const base = `${consoleBase(req)}/appeals/${id}`;
    const orgName = (oid: string) => {
      const o = data.orgs.find((x) => x.id === oid);
      return o ? textIn(o.names, lang, c.default_lang) : '—';
    };
    const withPhotos = (action: string) => action === 'report' || action === 'note';
    const form = (action: string, label: string, fields: Html | string = '', cls = '') =>
      html`<form class="row" method="post" action="${base}/${action}"${withPhotos(action) ? html` enctype="multipart/form-data"` : ''}>${hidden(req, reply)}${fields}<div><button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button></div></form>`;
    const text = (name: string, label: string) => html`<div><label for="${name}-${label.length}">${label}</label><input id="${name}-${label.length}" name="${name}" required></div>`;
    const executor = act.isExecutorOf(s, a);
    const ctrl = act.isController(s);
    const actions: Html[] = [];
    if ((executor || ctrl) && ['registered', 'reopened'].includes(a.status)) actions.push(form('accept', t(lang, 'appeals.console.accept')));
    if ((executor || ctrl) && a.status === 'in_progress') actions.push(form('report', t(lang, 'appeals.console.report'), html`<div><label for="report">${t(lang, 'appeals.console.report_text')}</label><textarea id="report" name="report" rows="2" required></textarea></div>${photoInput(app, lang, undefined, 'report-photos')}`));
    if (executor && a.status !== 'resolved' && a.status !== 'closed' && !a.reassign_requested) actions.push(form('request-reassign', t(lang, 'appeals.console.request_reassign'), text('reason', t(lang, 'appeals.console.reason')), 'secondary'));
    if (ctrl && a.status !== 'resolved' && a.status !== 'closed') {
      actions.push(form('reassign', t(lang, 'appeals.console.reassign'), html`<div><label for="organisation_id">${t(lang, 'appeals.console.executor')}</label><select id="organisation_id" name="organisation_id">${data.orgs.map((o) => html`<option value="${o.id}"${o.id === a.executor_org_id ? ' selected' : ''}>${textIn(o.names, lang, c.default_lang)}</option>`)}</select></div>${text('reason', t(lang, 'appeals.console.reason'))}`, 'secondary'));
      if (a.status === 'reported') actions.push(form('return', t(lang, 'appeals.console.return'), text('reason', t(lang, 'appeals.console.reason')), 'secondary'));
      if (a.legal_days) actions.push(form('extend', t(lang, 'appeals.console.extend'), html`<div><label for="days">${t(lang, 'appeals.console.days')}</label><input id="days" name="days" inputmode="numeric" required size="3"></div>${text('reason', t(lang, 'appeals.console.reason'))}`, 'secondary'));
      actions.push(form('close', t(lang, 'appeals.console.close'), text('reason', t(lang, 'appeals.console.reason')), 'danger'));
    }
    if (ctrl || s.roles.includes('leadership')) actions.push(form(a.on_control ? 'control-off' : 'control-on', t(lang, a.on_control ? 'appeals.console.control_off' : 'appeals.console.control_on'), '', 'secondary'));
    if ((act.isOperator(s)) && a.status === 'reported') {
      actions.push(form('phone-rating', t(lang, 'appeals.console.phone_rating'), html`<div><label for="rating">${t(lang, 'appeals.rate.rating')}</label><select id="rating" name="rating">${[5, 4, 3, 2, 1].map((n) => html`<option value="${n}">${t(lang, `appeals.rate.value.${n}` as 'appeals.rate.value.1')}</option>`)}</select></div><div><label for="comment">${t(lang, 'appeals.rate.comment')}</label><input id="comment" name="comment"></div>`));
    }
    actions.push(form('note', t(lang, 'appeals.console.note'), html`<div><label for="note">${t(lang, 'appeals.console.note')}</label><input id="note" name="note" required></div><div><label><input type="checkbox" name="public"> ${t(lang, 'appeals.console.note_public')}</label></div>${photoInput(app, lang, undefined, 'note-photos')}`, 'secondary'));
    const photos = appealPhotoGroups(req, lang, app.secret, data.photos);
    const body = html`<section class="card"><dl class="facts">
<dt>${t(lang, 'appeals.view.status')}</dt><dd data-testid="status">${t(lang, `appeals.status.${a.status}`)}${a.reopen_count ? html` · ${t(lang, 'appeals.console.reopened_times', { count: a.reopen_count })}` : ''}${a.reassign_requested ? html` · ${t(lang, 'appeals.event.reassign_requested')}` : ''}</dd>
<dt>${t(lang, 'appeals.field.type')}</dt><dd>${t(lang, `appeals.type.${a.type}`)} · ${t(lang, `appeals.channel.${a.channel}`)}</dd>
<dt>${t(lang, 'appeals.view.category')}</dt><dd>${data.category.icon} ${textIn(data.category.names, lang, c.default_lang)}</dd>
<dt>${t(lang, 'appeals.console.executor')}</dt><dd>${orgName(a.executor_org_id)}</dd>
<dt>${t(lang, 'appeals.field.description')}</dt><dd>${a.description}</dd>
<dt>${t(lang, 'appeals.field.address')}</dt><dd>${a.address ?? '—'}</dd>
<dt>${t(lang, 'appeals.console.applicant')}</dt><dd>${a.anonymous ? html`<em>${t(lang, 'appeals.console.anonymous')}</em><br>` : ''}${a.confidential ? html`<em>${t(lang, 'appeals.console.confidential')}</em><br>` : ''}${[a.applicant_name, a.applicant_phone, a.applicant_email, a.applicant_address].filter(Boolean).join(' · ')}</dd>
<dt>${t(lang, 'appeals.view.filed')}</dt><dd>${when(req, a.created_at)}</dd>
<dt>${t(lang, 'appeals.view.service_due')}</dt><dd>${when(req, a.service_due_at)}</dd>
${a.legal_due_at ? html`<dt>${t(lang, 'appeals.view.legal_due')}</dt><dd>${when(req, a.legal_due_at)}</dd>` : ''}
</dl></section>
${data.photos.some((p) => p.event_id === null) ? html`<section class="card">${photos.filed}</section>` : photos.filed}
${linkedOutagePanel(req, lang, data.outages)}
${incidentPanel(req, reply, s, a, data.incident)}
<section class="card"><h2>${t(lang, 'console.actions')}</h2>${actions}</section>
<section class="card"><h2>${t(lang, 'appeals.view.timeline')}</h2><ol data-testid="timeline">${data.events.map((e) => html`<li><strong>${t(lang, `appeals.event.${e.kind}` as 'appeals.event.note')}</strong> — ${when(req, e.at)}${e.actor_label ? ` — ${e.actor_label}` : ''}${e.is_public ? '' : html` <span class="muted">(${t(lang, 'appeals.console.hidden')})</span>`}${e.note ? html`<br>${e.note}` : ''}${photos.of(e.id)}</li>`)}</ol></section>`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.view.title', { number: a.number }), body, active: '/appeals', ...msg }, status);
  }

  r.get('/appeals/:id', async (req, reply) => detailPage(req, reply));

  const Action = z.enum(['accept', 'report', 'request-reassign', 'reassign', 'return', 'extend', 'close', 'control-on', 'control-off', 'phone-rating', 'note']);
  r.post('/appeals/:id/:action', async (req, reply) => {
    const s = requireStaff(req, 'appeals.use');
    checkCsrf(req);
    const p = z.object({ id: z.string().uuid(), action: Action }).safeParse(req.params);
    if (!p.success) throw notFound();
    const f = (req.body ?? {}) as Form;
    const h = s;
    const { id, action } = p.data;
    const lang: Lang = consoleLang(req);
    // Photos of a note or report are checked before the transaction (nothing stored if one is bad).
    const photos = action === 'report' || action === 'note' ? await preparePhotos(req.uploads, 'photos', MAX_APPEAL_PHOTOS).catch((e: unknown) => (e instanceof AppError && e.status < 500 ? e : Promise.reject(e))) : [];
    if (photos instanceof AppError) return detailPage(req, reply, { error: `${t(lang, photos.key, photos.params)} ${t(lang, 'media.error.choose_again')}` }, 400);
    const attach = async (tx: Parameters<typeof latestEventId>[0]) =>
      photos.length ? attachAppealPhotos(tx, app.queue, { communityId: req.community.id, appealId: id, eventId: await latestEventId(tx, id), addedBy: 'staff', actor: appealsCtx(app, req, tx).actor, photos }) : [];
    try {
      await inTx(req, async (tx) => {
        const ctx = appealsCtx(app, req, tx);
        switch (action) {
          case 'accept': return act.acceptAppeal(ctx, h, id);
          case 'report': return act.reportExecution(ctx, h, id, f.report ?? '').then(() => attach(tx));
          case 'request-reassign': return act.requestReassignment(ctx, h, id, f.reason ?? '');
          case 'reassign': return act.reassignAppeal(ctx, h, id, f.organisation_id ?? '', f.reason ?? '');
          case 'return': return act.returnToExecutor(ctx, h, id, f.reason ?? '');
          case 'extend': return act.extendTerm(ctx, h, id, Number(f.days), f.reason ?? '');
          case 'close': return act.closeAppeal(ctx, h, id, f.reason ?? '');
          case 'control-on': return act.setOnControl(ctx, h, id, true);
          case 'control-off': return act.setOnControl(ctx, h, id, false);
          case 'note': return act.addNote(ctx, h, id, f.note ?? '', f.public === 'on').then(() => attach(tx));
          case 'phone-rating': {
            if (!act.isOperator(s)) throw notFound();
            const a = await getAppeal(tx, id);
            if (!act.canView(h, a)) throw notFound();
            return act.rateAppeal(ctx, id, z.coerce.number().int().min(1).max(5).parse(f.rating), f.comment?.trim() || null);
          }
        }
      });
      return detailPage(req, reply, { notice: t(lang, 'console.saved') });
    } catch (e) {
      if (e instanceof AppError && e.status < 500 && e.status !== 404) return detailPage(req, reply, { error: t(lang, e.key) }, e.status);
      if (e instanceof ZodError) return detailPage(req, reply, { error: t(lang, 'error.invalid') }, 400);
      throw e;
    }
  });
};
