// Duty officers compose and issue emergency alerts; a second person approves where the
// community asks for it; updates and cancellations become CAP Update and Cancel messages.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, ZodError } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { AppError, forbidden } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity, withSystem } from '../../db/db.ts';
import { pick, t, type Lang } from '../../i18n/i18n.ts';
import type { Texts } from '../../db/types.ts';
import { zodDetails } from '../../http/server.ts';
import { recordAudit } from '../../modules/audit/service.ts';
import { approveAlert, alertMessages, cancelAlert, createAlert, districtChoices, getAlert, issueAlert, listAlerts, updateAlert, type Alert, type AlertsCtx, type DistrictChoice } from '../../modules/alerts/service.ts';
import { CERTAINTIES, EVENTS, SEVERITIES, URGENCIES, type AlertInput } from '../../modules/alerts/schema.ts';
import { listDeliveries } from '../../modules/channels/service.ts';
import { fanoutProgress } from '../../modules/alerts/fanout.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';

type Form = Record<string, string>;
/** The form as posted; ticked districts (a repeated field) become one value, a key per line. */
const FormBody = z.record(z.string(), z.union([z.string().max(20_000), z.array(z.string().max(100)).max(50)]))
  .transform((b): Form => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Array.isArray(v) ? v.join('\n') : v])));
const LANG_NAMES: Record<Lang, string> = { uk: 'українська', en: 'English', fa: 'فارسی' };
const HOURS = [1, 2, 3, 6, 12, 24, 48, 72];

function toInput(f: Form): AlertInput {
  const text = (l: Lang) => ({ headline: f[`${l}_headline`] ?? '', description: f[`${l}_description`] ?? '', instruction: f[`${l}_instruction`] ?? '' });
  return {
    event: f.event as AlertInput['event'], severity: f.severity as AlertInput['severity'], urgency: f.urgency as AlertInput['urgency'], certainty: f.certainty as AlertInput['certainty'],
    texts: { uk: text('uk'), en: text('en'), fa: text('fa') },
    area_desc: { uk: f.uk_area ?? '', en: f.en_area ?? '', fa: f.fa_area ?? '' },
    polygons: (f.polygons ?? '').split(/\r?\n/).filter((l) => l.trim()),
    districts: (f.districts ?? '').split('\n').filter(Boolean),
    expires_in_hours: Number(f.expires_in_hours || 6),
  };
}

function fromAlert(a: Alert): Form {
  const f: Form = { event: a.event, severity: a.severity, urgency: a.urgency, certainty: a.certainty, polygons: a.polygons.map((r) => r.map((p) => p.join(',')).join(' ')).join('\n'), districts: a.district_codes.join('\n') };
  for (const l of ['uk', 'en', 'fa'] as const) {
    f[`${l}_headline`] = a.texts[l]?.headline ?? '';
    f[`${l}_description`] = a.texts[l]?.description ?? '';
    f[`${l}_instruction`] = a.texts[l]?.instruction ?? '';
    f[`${l}_area`] = a.area_desc[l] ?? '';
  }
  return f;
}

export const consoleAlerts = (app: App) => async (r: FastifyInstance) => {
  const ctx = (req: FastifyRequest, tx: AlertsCtx['tx']): AlertsCtx => ({ tx, queue: app.queue, actor: actorOf(req), community: req.community, origin: app.config.publicUrl ?? `${req.protocol}://${req.host}`, base: req.base });
  const staff = (req: FastifyRequest) => {
    const s = requireStaff(req);
    if (!['alerts.issue', 'alerts.approve', 'alerts.configure'].some((p) => s.permissions.has(p as 'alerts.issue'))) throw forbidden();
    return s;
  };

  function form(req: FastifyRequest, reply: FastifyReply, lang: Lang, f: Form, action: string, errors: Record<string, string>, buttons: ReturnType<typeof html>, districts: DistrictChoice[]) {
    const ticked = new Set((f.districts ?? '').split('\n'));
    const sel = (name: string, values: readonly string[], label: string, key: (v: string) => string) => html`<div><label for="${name}">${label}</label>
<select id="${name}" name="${name}">${values.map((v) => html`<option value="${v}"${f[name] === v ? ' selected' : ''}>${key(v)}</option>`)}</select></div>`;
    const err = (n: string) => (errors[n] ? html`<p class="error" id="${n}-error">${errors[n]}</p>` : '');
    const langBlock = (l: Lang) => html`<fieldset lang="${l}" dir="${l === 'fa' ? 'rtl' : 'ltr'}"><legend>${t(lang, 'alerts.lang_block', { language: LANG_NAMES[l] })}${l !== req.community.default_lang ? html` (${t(lang, 'alerts.lang_optional')})` : ''}</legend>
<div><label for="${l}_headline">${t(lang, 'alerts.headline')}</label><input id="${l}_headline" name="${l}_headline" maxlength="160" value="${f[`${l}_headline`] ?? ''}"${l === req.community.default_lang ? ' required' : ''}${errors.headline && l === req.community.default_lang ? html` aria-invalid="true" aria-describedby="headline-error"` : ''}></div>
${l === req.community.default_lang ? err('headline') : ''}
<div><label for="${l}_description">${t(lang, 'alerts.description')}</label><textarea id="${l}_description" name="${l}_description" rows="3" maxlength="4000">${f[`${l}_description`] ?? ''}</textarea></div>
<div><label for="${l}_instruction">${t(lang, 'alerts.instruction')}</label><textarea id="${l}_instruction" name="${l}_instruction" rows="2" maxlength="2000">${f[`${l}_instruction`] ?? ''}</textarea></div>
<div><label for="${l}_area">${t(lang, 'alerts.area_desc')}</label><input id="${l}_area" name="${l}_area" maxlength="300" value="${f[`${l}_area`] ?? ''}" placeholder="${t(lang, 'alerts.area.whole')}"></div>
</fieldset>`;
    const order = [req.community.default_lang, ...(['uk', 'en', 'fa'] as const).filter((l) => l !== req.community.default_lang)];
    return html`<form class="stack card" method="post" action="${action}">${hidden(req, reply)}
<div class="row">${sel('event', EVENTS, t(lang, 'alerts.event'), (v) => t(lang, `alerts.event.${v}` as 'alerts.event.fire'))}
${sel('severity', SEVERITIES, t(lang, 'alerts.severity'), (v) => t(lang, `alerts.severity.${v}` as 'alerts.severity.Severe'))}
${sel('urgency', URGENCIES, t(lang, 'alerts.urgency'), (v) => t(lang, `alerts.urgency.${v}` as 'alerts.urgency.Immediate'))}
${sel('certainty', CERTAINTIES, t(lang, 'alerts.certainty'), (v) => t(lang, `alerts.certainty.${v}` as 'alerts.certainty.Observed'))}
<div><label for="expires_in_hours">${t(lang, 'alerts.expires')}</label><select id="expires_in_hours" name="expires_in_hours">${HOURS.map((h) => html`<option value="${h}"${String(h) === (f.expires_in_hours ?? '6') ? ' selected' : ''}>${t(lang, 'alerts.hours', { count: h })}</option>`)}</select></div></div>
${order.map(langBlock)}
${districts.length ? html`<fieldset${errors.districts ? html` aria-describedby="districts-error"` : ''}><legend>${t(lang, 'alerts.area.districts')}</legend><div class="row">${districts.map((d) => html`<label class="check"><input type="checkbox" name="districts" value="${d.key}"${ticked.has(d.key) ? ' checked' : ''}> ${pick(d.names as Texts, lang, req.community.default_lang)}</label>`)}</div>${err('districts')}</fieldset>` : ''}
<div><label for="polygons">${t(lang, 'alerts.area.polygon')}</label><textarea id="polygons" name="polygons" rows="3" dir="ltr"${errors.polygons ? html` aria-invalid="true" aria-describedby="polygons-error"` : ''}>${f.polygons ?? ''}</textarea>${err('polygons')}</div>
<div class="row">${buttons}</div></form>`;
  }

  const errorsOf = (lang: Lang, e: unknown): Record<string, string> | null => {
    if (e instanceof ZodError) return { headline: Object.values(zodDetails(lang, e)).join(' ') };
    if (e instanceof AppError && e.status === 400) {
      const field = e.details && typeof e.details === 'object' ? Object.keys(e.details)[0] : 'headline';
      return { [field ?? 'headline']: t(lang, e.key, e.params) };
    }
    return null;
  };

  r.get('/alerts', async (req, reply) => {
    const s = staff(req);
    const lang = consoleLang(req);
    const base = consoleBase(req);
    const { alerts, need } = await withCommunity(app.db, req.community.id, async (tx) => ({
      alerts: await listAlerts(tx),
      need: (await tx.selectFrom('communities').select('alerts_need_approval').where('id', '=', req.community.id).executeTakeFirstOrThrow()).alerts_need_approval,
    }));
    const headline = (a: Alert) => a.texts[lang]?.headline ?? a.texts[req.community.default_lang]?.headline ?? '';
    const body = html`${s.permissions.has('alerts.issue') ? html`<p><a class="button" href="${base}/alerts/new">${t(lang, 'alerts.new')}</a></p>` : ''}
${s.permissions.has('alerts.configure') ? html`<form class="card row" method="post" action="${base}/alerts/settings">${hidden(req, reply)}
<div><input type="checkbox" id="need" name="need" value="on"${need ? ' checked' : ''}> <label for="need">${t(lang, 'alerts.need_approval')}</label></div>
<div><button type="submit" class="secondary">${t(lang, 'alerts.need_approval.save')}</button></div></form>` : ''}
${alerts.length ? html`<table data-testid="alerts"><thead><tr><th>${t(lang, 'alerts.headline')}</th><th>${t(lang, 'alerts.event')}</th><th>${t(lang, 'alerts.status')}</th><th>${t(lang, 'alerts.page.expires', { date: '' })}</th></tr></thead><tbody>
${alerts.map((a) => html`<tr><td><a href="${base}/alerts/${a.id}">${headline(a)}</a></td><td>${t(lang, `alerts.event.${a.event}` as 'alerts.event.fire')}</td><td>${t(lang, `alerts.status.${a.status}`)}</td><td>${when(req, a.expires_at)}</td></tr>`)}</tbody></table>` : html`<p>${t(lang, 'alerts.none')}</p>`}`;
    return sendConsole(req, reply, { title: t(lang, 'alerts.title'), body, active: '/alerts' });
  });

  r.post('/alerts/settings', async (req, reply) => {
    requireStaff(req, 'alerts.configure');
    checkCsrf(req);
    const need = (req.body as Form | undefined)?.need === 'on';
    // The communities table belongs to the deployment: the application role may only read it.
    await withSystem(app.db, async (tx) => {
      await tx.updateTable('communities').set({ alerts_need_approval: need }).where('id', '=', req.community.id).execute();
      await recordAudit(tx, actorOf(req), { action: 'alerts.settings', objectType: 'community', objectId: req.community.id, after: { alerts_need_approval: need } });
    });
    return reply.redirect(`${consoleBase(req)}/alerts`, 303);
  });

  r.get('/alerts/new', async (req, reply) => {
    requireStaff(req, 'alerts.issue');
    const lang = consoleLang(req);
    const districts = await withCommunity(app.db, req.community.id, districtChoices);
    const body = form(req, reply, lang, { severity: 'Severe', urgency: 'Immediate', certainty: 'Observed' }, `${consoleBase(req)}/alerts/new`, {}, newButtons(lang), districts);
    return sendConsole(req, reply, { title: t(lang, 'alerts.new'), body, active: '/alerts' });
  });
  const newButtons = (lang: Lang) => html`<div><button type="submit" name="do" value="issue">${t(lang, 'alerts.issue')}</button></div><div><button type="submit" name="do" value="draft" class="secondary">${t(lang, 'alerts.save_draft')}</button></div>`;

  r.post('/alerts/new', async (req, reply) => {
    requireStaff(req, 'alerts.issue');
    checkCsrf(req);
    const lang = consoleLang(req);
    const f = FormBody.parse(req.body ?? {});
    try {
      const id = await withCommunity(app.db, req.community.id, async (tx) => {
        const c = ctx(req, tx);
        const created = await createAlert(c, toInput(f));
        if (f.do === 'issue') await issueAlert(c, created);
        return created;
      });
      return reply.redirect(`${consoleBase(req)}/alerts/${id}`, 303);
    } catch (e) {
      const errors = errorsOf(lang, e);
      if (!errors) throw e;
      const districts = await withCommunity(app.db, req.community.id, districtChoices);
      return sendConsole(req, reply, { title: t(lang, 'alerts.new'), body: form(req, reply, lang, f, `${consoleBase(req)}/alerts/new`, errors, newButtons(lang), districts), active: '/alerts' }, 400);
    }
  });

  r.get('/alerts/:id', async (req, reply) => {
    const s = staff(req);
    const lang = consoleLang(req);
    const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
    const { a, messages, deliveries, districts, fanouts } = await withCommunity(app.db, req.community.id, async (tx) => ({
      a: await getAlert(tx, id), messages: await alertMessages(tx, id), deliveries: await listDeliveries(tx, { sourceType: 'alert', sourceId: id, limit: 100 }), districts: await districtChoices(tx), fanouts: await fanoutProgress(tx, id),
    }));
    return sendConsole(req, reply, alertPage(req, reply, lang, s.userId, s.permissions, a, messages, deliveries, fanouts, districts, fromAlert(a), {}));
  });

  function alertPage(req: FastifyRequest, reply: FastifyReply, lang: Lang, userId: string, perms: Set<string>, a: Alert, messages: Awaited<ReturnType<typeof alertMessages>>, deliveries: Awaited<ReturnType<typeof listDeliveries>>, fanouts: Awaited<ReturnType<typeof fanoutProgress>>, districts: DistrictChoice[], f: Form, errors: Record<string, string>) {
    const base = `${consoleBase(req)}/alerts/${a.id}`;
    const act = (action: string, label: string, cls = '') => html`<form method="post" action="${base}/${action}">${hidden(req, reply)}<button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button></form>`;
    const headline = a.texts[lang]?.headline ?? a.texts[req.community.default_lang]?.headline ?? '';
    const body = html`<section class="card"><dl class="facts">
<dt>${t(lang, 'alerts.status')}</dt><dd data-testid="alert-status">${t(lang, `alerts.status.${a.status}`)}</dd>
<dt>${t(lang, 'alerts.event')}</dt><dd>${t(lang, `alerts.event.${a.event}` as 'alerts.event.fire')}</dd>
<dt>${t(lang, 'alerts.severity')}</dt><dd>${t(lang, `alerts.severity.${a.severity}` as 'alerts.severity.Severe')}</dd>
<dt>${t(lang, 'alerts.page.expires', { date: '' })}</dt><dd>${when(req, a.expires_at)}</dd></dl>
${a.status === 'pending_approval' ? html`<p class="notice" role="status">${t(lang, 'alerts.pending_notice')}</p>` : ''}
<div class="row">
${a.status === 'draft' && perms.has('alerts.issue') ? act('issue', t(lang, 'alerts.issue')) : ''}
${a.status === 'pending_approval' && perms.has('alerts.approve') && a.requested_by !== userId ? act('approve', t(lang, 'alerts.approve')) : ''}
${a.status === 'active' && perms.has('alerts.issue') ? act('cancel', t(lang, 'alerts.cancel'), 'secondary') : ''}
</div></section>
${a.status === 'active' && perms.has('alerts.issue') ? html`<h2>${t(lang, 'alerts.update')}</h2>${form(req, reply, lang, f, `${base}/update`, errors, html`<div><button type="submit">${t(lang, 'alerts.update')}</button></div>`, districts)}` : ''}
<section class="card"><h2>${t(lang, 'alerts.messages')}</h2>${messages.length ? html`<ul>${messages.map((m) => html`<li><a href="${req.base}/cap/alerts/${m.id}.xml">${m.msg_type}</a> — ${when(req, new Date(m.sent_at))} — <code>${m.identifier}</code></li>`)}</ul>` : html`<p>—</p>`}</section>
<section class="card"><h2>${t(lang, 'alerts.fanout.title')}</h2>${fanouts.length ? html`<table data-testid="alert-fanout"><thead><tr>${t(lang, 'alerts.fanout.head').split('|').map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${fanouts.map((f) => html`<tr><td>v${f.version}</td><td>${f.messages}</td><td>${f.sent}</td><td>${f.failed}</td><td>${f.unknown}</td><td>${f.waiting}</td></tr>`)}</tbody></table>` : html`<p>—</p>`}</section>
<section class="card"><h2>${t(lang, 'alerts.deliveries')}</h2>${deliveries.length ? html`<table><tbody>${deliveries.map((d) => html`<tr><td>${d.channel}</td><td>v${d.version}</td><td>${d.status}</td><td>${d.external_url ? html`<a href="${d.external_url}">${d.external_url}</a>` : ''}</td></tr>`)}</tbody></table>` : html`<p>—</p>`}</section>`;
    return { title: headline, body, active: '/alerts' };
  }

  for (const [action, run] of [['issue', issueAlert], ['approve', approveAlert], ['cancel', cancelAlert]] as const) {
    r.post(`/alerts/:id/${action}`, async (req, reply) => {
      requireStaff(req, action === 'approve' ? 'alerts.approve' : 'alerts.issue');
      checkCsrf(req);
      const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
      await withCommunity(app.db, req.community.id, async (tx) => void (await run(ctx(req, tx), id)));
      return reply.redirect(`${consoleBase(req)}/alerts/${id}`, 303);
    });
  }

  r.post('/alerts/:id/update', async (req, reply) => {
    const s = requireStaff(req, 'alerts.issue');
    checkCsrf(req);
    const lang = consoleLang(req);
    const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
    const f = FormBody.parse(req.body ?? {});
    try {
      await withCommunity(app.db, req.community.id, (tx) => updateAlert(ctx(req, tx), id, toInput(f)));
      return reply.redirect(`${consoleBase(req)}/alerts/${id}`, 303);
    } catch (e) {
      const errors = errorsOf(lang, e);
      if (!errors) throw e;
      const { a, messages, deliveries, districts, fanouts } = await withCommunity(app.db, req.community.id, async (tx) => ({
        a: await getAlert(tx, id), messages: await alertMessages(tx, id), deliveries: await listDeliveries(tx, { sourceType: 'alert', sourceId: id, limit: 100 }), districts: await districtChoices(tx), fanouts: await fanoutProgress(tx, id),
      }));
      return sendConsole(req, reply, alertPage(req, reply, lang, s.userId, s.permissions, a, messages, deliveries, fanouts, districts, f, errors), 400);
    }
  });
};
