// Dispatchers post and update their utility's outage notices; the 15-80 service controls them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, ZodError } from 'zod';
import type { App, StaffAuth } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { AppError, forbidden, invalid } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity } from '../../db/db.ts';
import { formatNumber, pick, t, type Lang } from '../../i18n/i18n.ts';
import { zodDetails } from '../../http/server.ts';
import { listDistricts } from '../../modules/addresses/service.ts';
import { closeOutage, controlReport, getOutage, isStale, listOutages, outageAreas, postOutage, updateOutage, type OutagesCtx, type OutageRow } from '../../modules/outages/service.ts';
import { parseAreaLines, polygonRules, type AreaRule } from '../../modules/outages/areas.ts';
import { OUTAGE_KINDS } from '../../modules/outages/tables.ts';
import { createAlert, issueAlert } from '../../modules/alerts/service.ts';
import { localDate, zonedTimeToUtc } from '../../modules/appeals/deadlines.ts';
import { localInstant, localValue } from './datetime.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { textIn } from '../text.ts';
import { forgetNewsPages } from '../portal/news-cache.ts';
import { linkedAppealCounts } from '../../modules/appeals/outage-links.ts';
import { closeOptions, outageCloseForm } from './outages-close.ts';
import { polygonDrawer } from './outages-map.ts';

type Form = Record<string, string | string[]>;
const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

export const consoleOutages = (app: App) => async (r: FastifyInstance) => {
  const ctx = (req: FastifyRequest, tx: OutagesCtx['tx']): OutagesCtx => ({ tx, queue: app.queue, actor: actorOf(req), community: req.community, origin: app.config.publicUrl ?? `${req.protocol}://${req.host}`, base: req.base });
  const viewer = (req: FastifyRequest) => {
    const s = requireStaff(req);
    if (!s.permissions.has('outages.post') && !s.permissions.has('outages.control')) throw forbidden();
    return s;
  };
  /** Dispatchers see and change only their own utility's notices. */
  const scope = (s: StaffAuth) => (s.permissions.has('outages.control') ? null : s.organisationId ?? '00000000-0000-0000-0000-000000000000');

  async function areaRules(tx: OutagesCtx['tx'], f: Form, lang: Lang, fallback: Lang): Promise<{ rules: AreaRule[]; error?: string }> {
    const { rules, problems } = await parseAreaLines(tx, str(f.area), lang, fallback);
    if (problems.length) {
      const lines = problems.map((p) => (p.options.length ? t(lang, 'outages.error.line_many', { line: p.line, text: p.text, options: p.options.map((o) => o.label).join('; ') }) : t(lang, 'outages.error.line_none', { line: p.line, text: p.text })));
      return { rules, error: `${t(lang, 'outages.error.lines')} ${lines.join('. ')}` };
    }
    const poly = polygonRules(str(f.polygons));
    if (!poly.ok) return { rules, error: t(lang, poly.error.key, { n: poly.error.n }) };
    const districts = [f.districts ?? []].flat().filter((d) => /^[0-9a-f-]{36}$/.test(d)).map((d): AreaRule => ({ kind: 'district', district_id: d, label: '' }));
    return { rules: [...rules, ...districts, ...poly.rules] };
  }

  async function newForm(req: FastifyRequest, reply: FastifyReply, lang: Lang, f: Form, error: string | null) {
    const c = req.community;
    const districts = await withCommunity(app.db, c.id, (tx) => listDistricts(tx));
    const v = (k: string) => str(f[k]);
    const body = html`<form class="stack card" method="post" action="${consoleBase(req)}/outages/new">${hidden(req, reply)}
${error ? html`<p class="alert" role="alert" id="form-error">${error}</p>` : ''}
<div class="row"><div><label for="kind">${t(lang, 'outages.kind')}</label><select id="kind" name="kind">${OUTAGE_KINDS.map((k) => html`<option value="${k}"${v('kind') === k ? ' selected' : ''}>${t(lang, `outages.kind.${k}`)}</option>`)}</select></div>
<fieldset><legend>${t(lang, 'outages.type')}</legend>
<label><input type="radio" name="emergency" value="true"${v('emergency') !== 'false' ? ' checked' : ''}> ${t(lang, 'outages.emergency')}</label>
<label><input type="radio" name="emergency" value="false"${v('emergency') === 'false' ? ' checked' : ''}> ${t(lang, 'outages.planned')}</label></fieldset></div>
<div><label for="area">${t(lang, 'outages.area')} <span class="hint" id="area-hint">${t(lang, 'outages.area.hint')}</span></label>
<textarea id="area" name="area" rows="4" aria-describedby="area-hint${error ? ' form-error' : ''}">${v('area')}</textarea></div>
${districts.length ? html`<fieldset><legend>${t(lang, 'outages.districts')}</legend>${districts.map((d) => html`<label><input type="checkbox" name="districts" value="${d.id}"${[f.districts ?? []].flat().includes(d.id) ? ' checked' : ''}> ${textIn(d.names, lang, c.default_lang)}</label> `)}</fieldset>` : ''}
<div><label for="polygons">${t(lang, 'outages.polygon')}</label><textarea id="polygons" name="polygons" rows="2" dir="ltr">${v('polygons')}</textarea></div>
${await polygonDrawer(app, req, lang)}
<div><label for="reason">${t(lang, 'outages.reason')}</label><textarea id="reason" name="reason" rows="2" maxlength="2000" required>${v('reason')}</textarea></div>
<div class="row"><div><label for="starts">${t(lang, 'outages.starts')}</label><input id="starts" name="starts" type="datetime-local" required value="${v('starts') || localValue(new Date(), c.time_zone)}"></div>
<div><label for="ends">${t(lang, 'outages.ends')}</label><input id="ends" name="ends" type="datetime-local" required value="${v('ends') || localValue(new Date(Date.now() + 4 * 3600_000), c.time_zone)}"></div>
<div><label for="contact">${t(lang, 'outages.contact')}</label><input id="contact" name="contact" maxlength="200" value="${v('contact')}"></div></div>
<div><button type="submit">${t(lang, 'outages.post')}</button></div></form>`;
    return sendConsole(req, reply, { title: t(lang, 'outages.new'), body, active: '/outages' }, error ? 400 : 200);
  }

  const row = (req: FastifyRequest, lang: Lang, o: OutageRow) => html`<tr><td><a href="${consoleBase(req)}/outages/${o.id}">${t(lang, `outages.kind.${o.kind}`)}</a>${o.emergency ? html` <strong>${t(lang, 'outages.emergency')}</strong>` : ''}${isStale(o) ? html` <span class="badge">${t(lang, 'outages.stale_short')}</span>` : ''}</td>
<td>${pick(o.area_summary, lang, req.community.default_lang)}</td><td>${textIn(o.org_names, lang, req.community.default_lang)}</td><td>${when(req, o.starts_at)} — ${when(req, o.actual_end_at ?? o.expected_end_at)}</td></tr>`;

  r.get('/outages', async (req, reply) => {
    const s = viewer(req);
    const lang = consoleLang(req);
    const org = scope(s);
    const [open, closed] = await withCommunity(app.db, req.community.id, async (tx) => [await listOutages(tx, { when: 'open', organisationId: org }), await listOutages(tx, { when: 'closed', organisationId: org, limit: 30 })]);
    const table = (rows: OutageRow[]) => (rows.length ? html`<table><thead><tr><th>${t(lang, 'outages.kind')}</th><th>${t(lang, 'outages.area')}</th><th>${t(lang, 'outages.organisation')}</th><th>${t(lang, 'outages.starts')}</th></tr></thead><tbody>${rows.map((o) => row(req, lang, o))}</tbody></table>` : html`<p>${t(lang, 'outages.none')}</p>`);
    const body = html`<p class="row">${s.permissions.has('outages.post') ? html`<a class="button" href="${consoleBase(req)}/outages/new">${t(lang, 'outages.new')}</a>` : ''}
${s.permissions.has('outages.control') ? html`<a href="${consoleBase(req)}/outages/control">${t(lang, 'outages.control')}</a>` : ''}</p>
<section class="card"><h2>${t(lang, 'outages.current')}</h2>${table(open)}</section>
<section class="card"><h2>${t(lang, 'outages.closed_list')}</h2>${table(closed)}</section>`;
    return sendConsole(req, reply, { title: t(lang, 'outages.title'), body, active: '/outages' });
  });

  r.get('/outages/new', async (req, reply) => {
    requireStaff(req, 'outages.post');
    return newForm(req, reply, consoleLang(req), {}, null);
  });

  r.post('/outages/new', async (req, reply) => {
    const s = requireStaff(req, 'outages.post');
    checkCsrf(req);
    const lang = consoleLang(req);
    const c = req.community;
    const f = z.record(z.string(), z.union([z.string().max(50_000), z.array(z.string().max(100)).max(100)])).parse(req.body ?? {});
    if (!s.organisationId) return newForm(req, reply, lang, f, t(lang, 'outages.error.org'));
    try {
      const id = await withCommunity(app.db, c.id, async (tx) => {
        const area = await areaRules(tx, f, lang, c.default_lang);
        if (area.error) throw new AppError(400, 'invalid_input', 'outages.error.lines', { area: area.error });
        return postOutage(ctx(req, tx), {
          organisation_id: s.organisationId!, kind: str(f.kind) as 'other', emergency: str(f.emergency) !== 'false', reason: { [lang]: str(f.reason) },
          contact: str(f.contact), starts_at: localInstant(str(f.starts), c.time_zone) ?? ('' as never), expected_end_at: localInstant(str(f.ends), c.time_zone) ?? ('' as never),
        }, area.rules, lang);
      });
      forgetNewsPages(req.community.id); // the portal's cached outages page
      return reply.redirect(`${consoleBase(req)}/outages/${id}`, 303);
    } catch (e) {
      if (e instanceof ZodError) return newForm(req, reply, lang, f, Object.values(zodDetails(lang, e)).map((m) => (m.startsWith('outages.') ? t(lang, m as 'outages.error.end_before_start') : m)).join(' '));
      if (e instanceof AppError && e.status === 400) return newForm(req, reply, lang, f, (e.details as { area?: string } | undefined)?.area ?? t(lang, e.key, e.params));
      throw e;
    }
  });

  r.get('/outages/control', async (req, reply) => {
    requireStaff(req, 'outages.control');
    const lang = consoleLang(req);
    const c = req.community;
    const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
    const q = z.object({ from: Day.optional(), to: Day.optional() }).parse(req.query ?? {});
    const to = q.to ?? localDate(new Date(), c.time_zone);
    const from = q.from ?? to;
    const at = (d: string, plus = 0) => { const [y, m, dd] = d.split('-').map(Number); return zonedTimeToUtc(y, m, dd + plus, 0, 0, c.time_zone); };
    const rows = await withCommunity(app.db, c.id, (tx) => controlReport(tx, at(from), at(to, 1)));
    const body = html`<form class="row" method="get"><div><label for="from">${t(lang, 'appeals.dash.from')}</label><input id="from" name="from" type="date" value="${from}"></div>
<div><label for="to">${t(lang, 'appeals.dash.to')}</label><input id="to" name="to" type="date" value="${to}"></div><div><button type="submit" class="secondary">${t(lang, 'appeals.dash.show')}</button></div></form>
<table data-testid="outage-control"><thead><tr><th>${t(lang, 'outages.organisation')}</th><th>${t(lang, 'outages.control.posted')}</th><th>${t(lang, 'outages.control.late')}</th><th>${t(lang, 'outages.control.stale_now')}</th></tr></thead>
<tbody>${rows.map((x) => html`<tr><td>${textIn(x.names, lang, c.default_lang)}</td><td>${formatNumber(lang, x.posted)}</td><td>${formatNumber(lang, x.late)}</td><td>${x.staleNow ? html`<strong>${formatNumber(lang, x.staleNow)}</strong>` : formatNumber(lang, 0)}</td></tr>`)}</tbody></table>`;
    return sendConsole(req, reply, { title: t(lang, 'outages.control'), body, active: '/outages' });
  });

  r.get('/outages/:id', async (req, reply) => {
    const s = viewer(req);
    const lang = consoleLang(req);
    const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
    return outagePage(req, reply, lang, s, id, null);
  });

  async function outagePage(req: FastifyRequest, reply: FastifyReply, lang: Lang, s: StaffAuth, id: string, error: string | null, closeForm: Form = {}) {
    const c = req.community;
    const [o, linked] = await withCommunity(app.db, c.id, async (tx) => [await getOutage(tx, id), await linkedAppealCounts(tx, id)] as const);
    const org = scope(s);
    if (org && o.organisation_id !== org) throw forbidden();
    const base = `${consoleBase(req)}/outages/${id}`;
    const mine = s.permissions.has('outages.post') && s.organisationId === o.organisation_id;
    const body = html`<section class="card"><dl class="facts">
<dt>${t(lang, 'outages.kind')}</dt><dd>${t(lang, `outages.kind.${o.kind}`)} — ${t(lang, o.emergency ? 'outages.emergency' : 'outages.planned')}</dd>
<dt>${t(lang, 'outages.organisation')}</dt><dd>${textIn(o.org_names, lang, c.default_lang)}</dd>
<dt>${t(lang, 'outages.area')}</dt><dd>${pick(o.area_summary, lang, c.default_lang)}</dd>
<dt>${t(lang, 'outages.reason')}</dt><dd>${pick(o.reason, lang, c.default_lang)}</dd>
<dt>${t(lang, 'outages.starts')}</dt><dd>${when(req, o.starts_at)}</dd>
<dt>${t(lang, o.actual_end_at ? 'outages.actual_end' : 'outages.ends')}</dt><dd>${when(req, o.actual_end_at ?? o.expected_end_at)}</dd></dl>
${isStale(o) ? html`<p class="alert" role="status">${t(lang, 'outages.stale')}</p>` : ''}</section>
${error ? html`<p class="alert" role="alert">${error}</p>` : ''}
${mine && o.status === 'open' ? html`<form class="stack card" method="post" action="${base}/update">${hidden(req, reply)}
<div class="row"><div><label for="ukind">${t(lang, 'outages.update.kind')}</label><select id="ukind" name="kind">${(['expected_end', 'partial', 'area', 'note'] as const).map((k) => html`<option value="${k}">${t(lang, `outages.update.${k}`)}</option>`)}</select></div>
<div><label for="uend">${t(lang, 'outages.update.expected_end')}</label><input id="uend" name="ends" type="datetime-local" value="${localValue(new Date(o.expected_end_at), c.time_zone)}"></div></div>
<div><label for="uarea">${t(lang, 'outages.area')} <span class="hint">${t(lang, 'outages.area.hint')}</span></label><textarea id="uarea" name="area" rows="2"></textarea></div>
<div><label for="unote">${t(lang, 'outages.update.note')}</label><textarea id="unote" name="note" rows="2" maxlength="2000"></textarea></div>
<div class="row"><div><button type="submit">${t(lang, 'outages.update.save')}</button></div></div></form>
${outageCloseForm(req, reply, lang, `${base}/close`, linked, closeForm)}` : ''}
${o.status === 'open' && o.emergency && !o.alert_id && s.permissions.has('alerts.issue') ? html`<form method="post" action="${base}/alert">${hidden(req, reply)}<button type="submit">${t(lang, 'outages.to_alert')}</button></form>` : ''}
${o.alert_id ? html`<p><a href="${consoleBase(req)}/alerts/${o.alert_id}">${t(lang, 'alerts.cap')}</a></p>` : ''}
<section class="card"><h2>${t(lang, 'outages.timeline')}</h2><ol>${o.updates.map((u) => html`<li>${when(req, u.at)} — ${t(lang, `outages.update.${u.kind}`)}${u.expected_end_at && u.kind === 'expected_end' ? html` (${when(req, u.expected_end_at)})` : ''}${pick(u.note, lang, c.default_lang) ? html`: ${pick(u.note, lang, c.default_lang)}` : ''} — ${u.actor_label ?? ''}</li>`)}</ol></section>`;
    return sendConsole(req, reply, { title: `${t(lang, `outages.kind.${o.kind}`)}: ${pick(o.area_summary, lang, c.default_lang)}`.slice(0, 120), body, active: '/outages' }, error ? 400 : 200);
  }

  const ownOpen = async (req: FastifyRequest, s: StaffAuth, id: string) => {
    const o = await withCommunity(app.db, req.community.id, (tx) => getOutage(tx, id));
    if (o.organisation_id !== s.organisationId) throw forbidden();
    return o;
  };

  r.post('/outages/:id/update', async (req, reply) => {
    const s = requireStaff(req, 'outages.post');
    checkCsrf(req);
    const lang = consoleLang(req);
    const c = req.community;
    const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
    await ownOpen(req, s, id);
    const f = z.record(z.string(), z.union([z.string().max(50_000), z.array(z.string().max(100)).max(100)])).parse(req.body ?? {});
    try {
      await withCommunity(app.db, c.id, async (tx) => {
        const kind = str(f.kind) as 'note';
        const area = kind === ('area' as string) ? await areaRules(tx, f, lang, c.default_lang) : { rules: [] };
        if ('error' in area && area.error) throw invalid({ area: area.error }, 'outages.error.lines');
        await updateOutage(ctx(req, tx), id, { kind, note: str(f.note) ? { [lang]: str(f.note) } : {}, expected_end_at: localInstant(str(f.ends), c.time_zone) ?? undefined }, area.rules, lang);
      });
      forgetNewsPages(req.community.id); // the portal's cached outages page
      return reply.redirect(`${consoleBase(req)}/outages/${id}`, 303);
    } catch (e) {
      if (e instanceof AppError && e.status === 400) return outagePage(req, reply, lang, s, id, (e.details as { area?: string } | undefined)?.area ?? t(lang, e.key, e.params));
      if (e instanceof ZodError) return outagePage(req, reply, lang, s, id, Object.values(zodDetails(lang, e)).join(' '));
      throw e;
    }
  });

  r.post('/outages/:id/close', async (req, reply) => {
    const s = requireStaff(req, 'outages.post');
    checkCsrf(req);
    const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
    await ownOpen(req, s, id);
    const f = z.record(z.string(), z.string().max(10_000)).parse(req.body ?? {});
    try {
      await withCommunity(app.db, req.community.id, (tx) => closeOutage(ctx(req, tx), id, closeOptions(app, req, tx, f)));
    } catch (e) {
      // The linked appeals' message missing: nothing is closed, the form keeps what was typed.
      if (e instanceof AppError && e.status === 400) return outagePage(req, reply, consoleLang(req), s, id, t(consoleLang(req), e.key, e.params), f);
      throw e;
    }
    forgetNewsPages(req.community.id); // the portal's cached outages page
    return reply.redirect(`${consoleBase(req)}/outages/${id}`, 303);
  });

  /** An emergency outage becomes an alert in one action (CAP category Infra). */
  r.post('/outages/:id/alert', async (req, reply) => {
    requireStaff(req, 'alerts.issue');
    checkCsrf(req);
    const { id } = z.object({ id: z.string().uuid() }).parse(req.params);
    const c = req.community;
    const alertId = await withCommunity(app.db, c.id, async (tx) => {
      const o = await getOutage(tx, id);
      const areas = await outageAreas(tx, id);
      const lang = c.default_lang;
      const kind = t(lang, `outages.kind.${o.kind}`);
      const base = { tx, queue: app.queue, actor: actorOf(req), community: c, origin: app.config.publicUrl ?? `${req.protocol}://${req.host}`, base: req.base };
      const created = await createAlert(base, {
        event: 'outage', severity: 'Moderate', urgency: 'Immediate', certainty: 'Observed', expires_in_hours: Math.min(72, Math.max(1, Math.ceil((new Date(o.expected_end_at).getTime() - Date.now()) / 3600_000) + 1)),
        texts: { [lang]: { headline: `${t(lang, 'outages.emergency')}: ${kind} — ${pick(o.area_summary, lang, lang)}`.slice(0, 160), description: pick(o.reason, lang, lang), instruction: o.contact ?? '' } },
        area_desc: { [lang]: pick(o.area_summary, lang, lang).slice(0, 300) },
        polygons: areas.filter((a) => a.polygon).map((a) => a.polygon!.map((p) => p.join(',')).join(' ')),
      });
      await issueAlert(base, created);
      await tx.updateTable('outages').set({ alert_id: created }).where('id', '=', id).execute();
      return created;
    });
    return reply.redirect(`${consoleBase(req)}/alerts/${alertId}`, 303);
  });
};
