import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, ZodError } from 'zod';
import type { App } from '../../http/context.ts';
import { html, raw, type Html } from '../../http/html.ts';
import { AppError, forbidden, notFound } from '../../http/errors.ts';
import { checkCsrf, requireStaff } from '../../http/auth.ts';
import { withCommunity, type Tx } from '../../db/db.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import { listCategories } from '../../modules/appeals/categories.ts';
import { getAppeal, type Appeal } from '../../modules/appeals/service.ts';
import * as act from '../../modules/appeals/actions.ts';
import * as inc from '../../modules/appeals/incidents.ts';
import { appealsNearIncident, suggestDuplicates, suggestIncidents, type Probe } from '../../modules/appeals/duplicates.ts';
import { OPEN_STATUSES } from '../../modules/appeals/states.ts';
import { consoleBase, consoleLang, hidden, sendConsole, when } from './layout.ts';
import { textIn } from '../text.ts';
import { appealsCtx } from '../appeals-context.ts';

// Incidents (A9) in the console, and the duplicate suggestions the registration form and the
// appeal page show (exported for appeals.ts). Everything works without JavaScript; a small
// script only fetches the same suggestions while the operator types.

type Form = Record<string, string | undefined>;
type Staff = ReturnType<typeof requireStaff>;
type Msg = { notice?: string; error?: string };

const errorText = (lang: Lang, e: AppError) => t(lang, e.key, e.params);

/** What the registration form gives for the duplicate search. */
export const duplicateProbe = (f: Form): Probe => ({
  category_id: z.string().uuid().safeParse(f.category_id).success ? f.category_id : null,
  address: f.address?.trim() || null,
  phone: f.phone?.trim() || null,
  // The address register (when the form resolved the address) gives coordinates too.
  lat: coordinate(f.lat, 90),
  lon: coordinate(f.lon, 180),
});

const coordinate = (v: string | undefined, max: number) => {
  const n = v ? Number(v) : NaN;
  return Number.isFinite(n) && Math.abs(n) <= max ? n : null;
};

export type Duplicates = Awaited<ReturnType<typeof suggestDuplicates>>;

/** Likely duplicates of a filled-in registration form, or null when there are none. */
export async function findDuplicates(tx: Tx, f: Form): Promise<Duplicates | null> {
  const probe = duplicateProbe(f);
  // A consultation or thanks is not a problem report: nothing to be a duplicate of.
  if (!probe.category_id || (f.description ?? '').trim().length < 10 || f.type === 'consultation' || f.type === 'thanks') return null;
  const found = await suggestDuplicates(tx, probe);
  return found.appeals.length || found.incidents.length ? found : null;
}

/** The operator's answer to the duplicate question: the submit button pressed. */
export function duplicateChoice(v: string | undefined): { kind: 'ask' | 'new' } | { kind: 'appeal' | 'incident'; id: string } {
  const m = /^(appeal|incident):([0-9a-f-]{36})$/.exec(v ?? '');
  if (m) return { kind: m[1] as 'appeal' | 'incident', id: m[2] };
  return { kind: v === 'new' ? 'new' : 'ask' };
}

/** A repeat call added to an existing appeal as an internal note (no new appeal). */
export async function attachCall(app: App, req: FastifyRequest, tx: Tx, s: Staff, appealId: string, f: Form): Promise<Appeal> {
  const lang = consoleLang(req);
  const who = [f.name, f.phone, f.email].map((x) => x?.trim()).filter(Boolean).join(', ');
  const note = [t(lang, 'appeals.duplicates.call_note', { channel: t(lang, `appeals.channel.${z.enum(['phone', 'walk_in', 'email', 'messenger', 'facebook']).catch('phone').parse(f.channel)}`), description: (f.description ?? '').trim() }),
    who ? t(lang, 'appeals.duplicates.call_from', { who }) : ''].filter(Boolean).join('\n');
  return act.addNote(appealsCtx(app, req, tx), s, appealId, note, false);
}

/** Inside the registration form: the server's suggestions (after a submit) and the live list. */
export function duplicateChoices(req: FastifyRequest, lang: Lang, found: Duplicates | null): Html {
  const base = consoleBase(req);
  const server = found
    ? html`<section class="card" role="alert" aria-labelledby="dup-title" data-testid="duplicates"><h3 id="dup-title">${t(lang, 'appeals.duplicates.title')}</h3>
<p class="hint">${t(lang, 'appeals.duplicates.hint')}</p><ul>
${found.incidents.map((i) => html`<li><a href="${base}/appeals/incidents/${i.id}">${t(lang, 'appeals.duplicates.incident_line', { title: i.title, count: i.appeals })}</a>${i.location ? ` — ${i.location}` : ''}
 <button type="submit" name="dup" value="incident:${i.id}" class="secondary">${t(lang, 'appeals.duplicates.attach_incident')}</button></li>`)}
${found.appeals.filter((a) => a.reasons.includes('phone') || !found.incidents.some((i) => i.id === a.incident_id)).map((a) => html`<li><a href="${base}/appeals/${a.id}">${a.number}</a> — ${t(lang, `appeals.status.${a.status}`)} — ${a.description.slice(0, 100)}${a.address ? ` — ${a.address}` : ''}
 <span class="muted">(${a.reasons.map((r) => t(lang, `appeals.duplicates.reason.${r}`)).join(', ')})</span>
 <button type="submit" name="dup" value="appeal:${a.id}" class="secondary">${t(lang, 'appeals.duplicates.attach_appeal', { number: a.number })}</button></li>`)}
</ul><button type="submit" name="dup" value="new">${t(lang, 'appeals.duplicates.register_anyway')}</button></section>`
    : '';
  return html`${server}<div id="dup-live" aria-live="polite" data-url="${base}/appeals/duplicates.json" data-title="${t(lang, 'appeals.duplicates.live')}"></div>
<script>${raw(LIVE_SCRIPT)}</script>`;
}

// Fetches suggestions while the operator types; builds the list with textContent only.
const LIVE_SCRIPT = `(()=>{const box=document.getElementById('dup-live');const form=box&&box.closest('form');if(!form||!window.fetch)return;let timer,seq=0;
const val=(n)=>{const el=form.elements.namedItem(n);return el&&el.value?el.value.trim():''};
async function run(){const p=new URLSearchParams();for(const n of ['category_id','address','phone'])if(val(n))p.set(n,val(n));const my=++seq;
if(!p.get('category_id')&&!p.get('phone')){box.replaceChildren();return}
try{const r=await fetch(box.dataset.url+'?'+p,{headers:{accept:'application/json'},credentials:'same-origin'});if(!r.ok||my!==seq)return;const d=await r.json();
const items=[...d.incidents.map((i)=>[i.href,i.label]),...d.appeals.map((a)=>[a.href,a.label])];box.replaceChildren();if(!items.length)return;
const h=document.createElement('h3');h.textContent=box.dataset.title;const ul=document.createElement('ul');
for(const[href,label]of items){const li=document.createElement('li');const a=document.createElement('a');a.href=href;a.textContent=label;li.append(a);ul.append(li)}
box.append(h,ul)}catch(e){}}
form.addEventListener('input',()=>{clearTimeout(timer);timer=setTimeout(run,400)});form.addEventListener('change',()=>{clearTimeout(timer);timer=setTimeout(run,100)})})();`;

/** The appeal page's incident card: its incident, or open incidents nearby to add it to. */
export async function incidentPanelData(tx: Tx, a: Appeal) {
  const incident = a.incident_id ? await inc.getIncident(tx, a.incident_id) : null;
  const nearby = !incident && OPEN_STATUSES.includes(a.status) ? await suggestIncidents(tx, { category_id: a.category_id, address: a.address, lat: a.lat, lon: a.lon }) : [];
  return { incident, nearby };
}

export function incidentPanel(req: FastifyRequest, reply: FastifyReply, s: Staff, a: Appeal, d: Awaited<ReturnType<typeof incidentPanelData>>): Html | '' {
  const lang = consoleLang(req);
  const base = `${consoleBase(req)}/appeals/incidents`;
  const back = html`<input type="hidden" name="back" value="${a.id}">`;
  if (d.incident) {
    const split = act.isController(s) && d.incident.status === 'open'
      ? html`<form class="inline" method="post" action="${base}/${d.incident.id}/split">${hidden(req, reply)}${back}<input type="hidden" name="appeal_id" value="${a.id}"> <button type="submit" class="secondary">${t(lang, 'appeals.incident.split')}</button></form>` : '';
    return html`<section class="card" data-testid="incident-panel"><p><strong>${t(lang, 'appeals.incident.part_of')}:</strong> <a href="${base}/${d.incident.id}">${d.incident.title}</a> (${t(lang, `appeals.incident.status.${d.incident.status}`)}) ${split}</p></section>`;
  }
  if (!act.isOperator(s) || !OPEN_STATUSES.includes(a.status)) return '';
  return html`<section class="card" data-testid="incident-panel"><h2>${t(lang, 'appeals.incident.nearby')}</h2>
${d.nearby.length ? html`<ul>${d.nearby.map((i) => html`<li><a href="${base}/${i.id}">${i.title}</a>${i.location ? ` — ${i.location}` : ''} (${i.appeals})
<form class="inline" method="post" action="${base}/${i.id}/add">${hidden(req, reply)}${back}<input type="hidden" name="appeal_id" value="${a.id}"> <button type="submit" class="secondary">${t(lang, 'appeals.incident.add')}</button></form></li>`)}</ul>` : html`<p class="muted">${t(lang, 'appeals.incident.none')}</p>`}
<p><a href="${base}/new?appeal=${a.id}">${t(lang, 'appeals.incident.from_appeal')}</a></p></section>`;
}

export const consoleAppealsIncidents = (app: App) => async (r: FastifyInstance) => {
  const inTx = <T>(req: FastifyRequest, fn: (tx: Tx) => Promise<T>) => withCommunity(app.db, req.community.id, fn);

  r.get('/appeals/duplicates.json', async (req) => {
    const s = requireStaff(req, 'appeals.use');
    if (!act.isOperator(s)) throw notFound();
    const lang = consoleLang(req);
    const q = z.object({ category_id: z.string().max(40).optional(), address: z.string().max(300).optional(), phone: z.string().max(40).optional() }).parse(req.query ?? {});
    const found = await inTx(req, (tx) => suggestDuplicates(tx, duplicateProbe(q)));
    const base = consoleBase(req);
    // Operators see every appeal; still, no applicant's name or phone goes into this list.
    return {
      appeals: found.appeals.map((a) => ({ id: a.id, number: a.number, href: `${base}/appeals/${a.id}`, reasons: a.reasons,
        label: `${a.number} — ${t(lang, `appeals.status.${a.status}`)} — ${a.description.slice(0, 80)}${a.address ? ` — ${a.address}` : ''} (${a.reasons.map((x) => t(lang, `appeals.duplicates.reason.${x}`)).join(', ')})` })),
      incidents: found.incidents.map((i) => ({ id: i.id, href: `${base}/appeals/incidents/${i.id}`, label: t(lang, 'appeals.duplicates.incident_line', { title: i.title, count: i.appeals }) })),
    };
  });

  r.get('/appeals/incidents', async (req, reply) => {
    const s = requireStaff(req, 'appeals.use');
    const lang = consoleLang(req);
    const { show } = z.object({ show: z.enum(['open', 'closed']).catch('open') }).parse(req.query ?? {});
    const list = await inTx(req, (tx) => inc.listIncidents(tx, s, { status: show, limit: 200 }));
    const base = `${consoleBase(req)}/appeals/incidents`;
    const c = req.community;
    const body = html`<nav class="row" aria-label="${t(lang, 'console.filter')}">${(['open', 'closed'] as const).map((k) => html`<a href="${base}?show=${k}"${show === k ? raw(' aria-current="page"') : ''}>${t(lang, `appeals.incident.filter.${k}`)}</a>`)}
${act.isOperator(s) ? html`<a href="${base}/new">${t(lang, 'appeals.incident.new')}</a>` : ''}</nav>
${list.length ? html`<div role="region" tabindex="0" aria-label="${t(lang, 'appeals.incident.list')}" style="overflow-x:auto;width:0;min-width:100%"><table data-testid="incidents"><thead><tr><th>${t(lang, 'appeals.incident.field.title')}</th><th>${t(lang, 'appeals.view.category')}</th><th>${t(lang, 'appeals.incident.field.location')}</th><th>${t(lang, 'appeals.incident.count')}</th><th>${t(lang, 'appeals.incident.created')}</th></tr></thead><tbody>
${list.map((i) => html`<tr><td><a href="${base}/${i.id}">${i.title}</a></td><td>${i.icon} ${textIn(i.category_names, lang, c.default_lang)}</td><td>${i.location ?? '—'}</td><td>${Number(i.appeals ?? 0)}</td><td>${when(req, i.created_at)}</td></tr>`)}</tbody></table></div>`
    : html`<p>${t(lang, 'appeals.incident.none')}</p>`}`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.incident.list'), body, active: '/appeals/incidents' });
  });

  async function newPage(req: FastifyRequest, reply: FastifyReply, f: Form, picked: string[], error: string | null = null, status = 200) {
    const s = requireStaff(req, 'appeals.use');
    if (!act.isOperator(s)) throw forbidden();
    const lang = consoleLang(req);
    const c = req.community;
    const data = await inTx(req, async (tx) => {
      const from = f.appeal && z.string().uuid().safeParse(f.appeal).success ? await getAppeal(tx, f.appeal) : null;
      const categoryId = f.category_id || from?.category_id || '';
      const candidates = z.string().uuid().safeParse(categoryId).success
        ? await tx.selectFrom('appeals').select(['id', 'number', 'description', 'address', 'created_at']).where('category_id', '=', categoryId)
          .where('status', 'in', OPEN_STATUSES).where('incident_id', 'is', null).orderBy('created_at', 'desc').limit(100).execute()
        : [];
      return { from, categoryId, candidates, categories: await listCategories(tx) };
    });
    const chosen = new Set(picked.length ? picked : data.from ? [data.from.id] : []);
    const base = `${consoleBase(req)}/appeals/incidents`;
    const v = (k: string, dflt = '') => f[k] ?? dflt;
    const body = html`<form class="row" method="get" action="${base}/new"><div><label for="pick-category">${t(lang, 'appeals.field.category')}</label><select id="pick-category" name="category_id">
${data.categories.map((cat) => html`<option value="${cat.id}"${cat.id === data.categoryId ? raw(' selected') : ''}>${cat.icon} ${textIn(cat.names, lang, c.default_lang)}</option>`)}</select></div>
<div><button type="submit" class="secondary">${t(lang, 'appeals.digest.show')}</button></div></form>
${data.categoryId ? html`<form class="stack" method="post" action="${base}">${hidden(req, reply)}<input type="hidden" name="category_id" value="${data.categoryId}">
<div><label for="title">${t(lang, 'appeals.incident.field.title')} <span class="hint">${t(lang, 'appeals.incident.field.title_hint')}</span></label><input id="title" name="title" required minlength="3" maxlength="200" value="${v('title')}"></div>
<div><label for="location">${t(lang, 'appeals.incident.field.location')} <span class="hint">${t(lang, 'appeals.incident.field.location_hint')}</span></label><input id="location" name="location" maxlength="300" value="${v('location', data.from?.address ?? '')}"></div>
<div><label for="description">${t(lang, 'appeals.incident.field.description')}</label><textarea id="description" name="description" rows="3">${v('description')}</textarea></div>
<fieldset><legend>${t(lang, 'appeals.incident.select_appeals')}</legend>
${data.candidates.length ? data.candidates.map((a) => html`<div><label><input type="checkbox" name="appeal_ids" value="${a.id}"${chosen.has(a.id) ? raw(' checked') : ''}> ${a.number} — ${a.description.slice(0, 80)}${a.address ? ` — ${a.address}` : ''}</label></div>`) : html`<p class="muted">${t(lang, 'appeals.incident.no_candidates')}</p>`}
</fieldset><div><button type="submit">${t(lang, 'appeals.incident.create')}</button></div></form>` : ''}`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.incident.new'), body, active: '/appeals/incidents', error }, status);
  }

  r.get('/appeals/incidents/new', async (req, reply) => {
    const q = z.object({ category_id: z.string().max(40).optional(), appeal: z.string().max(40).optional() }).parse(req.query ?? {});
    return newPage(req, reply, q, []);
  });

  r.post('/appeals/incidents', async (req, reply) => {
    const s = requireStaff(req, 'appeals.use');
    if (!act.isOperator(s)) throw forbidden();
    checkCsrf(req);
    const body = (req.body ?? {}) as Record<string, string | string[] | undefined>;
    const ids = ([] as string[]).concat(body.appeal_ids ?? []);
    const f = Object.fromEntries(Object.entries(body).filter(([, x]) => typeof x === 'string')) as Form;
    const lang = consoleLang(req);
    try {
      const incident = await inTx(req, (tx) => inc.createIncident(appealsCtx(app, req, tx), s, {
        category_id: f.category_id ?? '', title: f.title ?? '', description: f.description ?? '', location: f.location, appeal_ids: ids,
      }));
      return reply.redirect(`${consoleBase(req)}/appeals/incidents/${incident.id}`, 303);
    } catch (e) {
      if (e instanceof ZodError) {
        const title = e.issues.some((i) => i.path[0] === 'title');
        return newPage(req, reply, f, ids, t(lang, title ? 'appeals.incident.error.title_required' : 'error.invalid'), 400);
      }
      if (e instanceof AppError && e.status < 500 && e.status !== 404) return newPage(req, reply, f, ids, errorText(lang, e), e.status);
      throw e;
    }
  });

  async function incidentPage(req: FastifyRequest, reply: FastifyReply, msg: Msg = {}, status = 200, typed: Form = {}) {
    const s = requireStaff(req, 'appeals.use');
    const lang = consoleLang(req);
    const c = req.community;
    const { id } = z.object({ id: z.string() }).parse(req.params);
    const d = await inTx(req, async (tx) => {
      const i = await inc.getIncident(tx, id);
      const appeals = await inc.incidentAppeals(tx, s, i.id);
      if (!act.seesAllAppeals(s) && !appeals.length) throw notFound();
      const category = await tx.selectFrom('appeal_categories').select(['names', 'icon']).where('id', '=', i.category_id).executeTakeFirstOrThrow();
      const near = i.status === 'open' && act.isOperator(s) ? await appealsNearIncident(tx, i) : [];
      return { i, appeals, category, near };
    });
    const { i } = d;
    const base = `${consoleBase(req)}/appeals`;
    const open = i.status === 'open';
    const post = (action: string, fields: Html | string, label: string, cls = 'secondary') =>
      html`<form class="inline" method="post" action="${base}/incidents/${i.id}/${action}">${hidden(req, reply)}${fields} <button type="submit" class="${cls}">${label}</button></form>`;
    const body = html`<section class="card"><dl class="facts">
<dt>${t(lang, 'appeals.view.status')}</dt><dd data-testid="incident-status">${t(lang, `appeals.incident.status.${i.status}`)}</dd>
<dt>${t(lang, 'appeals.view.category')}</dt><dd>${d.category.icon} ${textIn(d.category.names, lang, c.default_lang)}</dd>
<dt>${t(lang, 'appeals.incident.field.location')}</dt><dd>${i.location ?? '—'}</dd>
${i.description ? html`<dt>${t(lang, 'appeals.incident.field.description')}</dt><dd>${i.description}</dd>` : ''}
<dt>${t(lang, 'appeals.incident.created')}</dt><dd>${when(req, i.created_at)}</dd>
${i.closed_at ? html`<dt>${t(lang, 'appeals.incident.closed_at')}</dt><dd>${when(req, i.closed_at)}</dd><dt>${t(lang, 'appeals.incident.closing_message')}</dt><dd>${i.closing_message ?? ''}</dd>` : ''}
</dl></section>
<section class="card"><h2>${t(lang, 'appeals.incident.appeals')} (${d.appeals.length})</h2>
<div role="region" tabindex="0" aria-label="${t(lang, 'appeals.incident.appeals')}" style="overflow-x:auto;width:0;min-width:100%"><table data-testid="incident-appeals"><thead><tr><th>№</th><th>${t(lang, 'appeals.view.status')}</th><th>${t(lang, 'appeals.incident.col.address')}</th><th>${t(lang, 'appeals.incident.col.problem')}</th>${open && act.isController(s) ? html`<th><span class="muted">${t(lang, 'console.actions')}</span></th>` : ''}</tr></thead><tbody>
${d.appeals.map((a) => html`<tr><td><a href="${base}/${a.id}">${a.number}</a></td><td>${t(lang, `appeals.status.${a.status}`)}</td><td>${a.address ?? '—'}</td><td>${a.description.slice(0, 140)}</td>
${open && act.isController(s) ? html`<td>${post('split', html`<input type="hidden" name="appeal_id" value="${a.id}">`, t(lang, 'appeals.incident.split'))}</td>` : ''}</tr>`)}</tbody></table></div>
${open && act.isOperator(s) ? html`<form class="row" style="margin-block-start:1rem" method="post" action="${base}/incidents/${i.id}/add">${hidden(req, reply)}<div><label for="number">${t(lang, 'appeals.incident.add_by_number')}</label><input id="number" name="number" required value="${typed.number ?? ''}" placeholder="2026-000123" dir="ltr"></div><div><button type="submit" class="secondary">${t(lang, 'appeals.incident.add')}</button></div></form>` : ''}
</section>
${d.near.length ? html`<section class="card"><h2>${t(lang, 'appeals.incident.suggested')}</h2><ul data-testid="incident-suggested">${d.near.map((a) => html`<li><a href="${base}/${a.id}">${a.number}</a> — ${a.description.slice(0, 100)}${a.address ? ` — ${a.address}` : ''} ${post('add', html`<input type="hidden" name="appeal_id" value="${a.id}">`, t(lang, 'appeals.incident.add'))}</li>`)}</ul></section>` : ''}
${open && act.isController(s) ? html`<section class="card"><h2>${t(lang, 'appeals.incident.close')}</h2><form class="stack" method="post" action="${base}/incidents/${i.id}/close">${hidden(req, reply)}
<div><label for="message">${t(lang, 'appeals.incident.closing_message')} <span class="hint">${t(lang, 'appeals.incident.close_hint')}</span></label><textarea id="message" name="message" rows="3" required minlength="5">${typed.message ?? ''}</textarea></div>
<div><button type="submit" class="danger">${t(lang, 'appeals.incident.close')}</button></div></form></section>` : ''}
<p><a href="${base}/incidents">${t(lang, 'appeals.incident.list')}</a></p>`;
    return sendConsole(req, reply, { title: t(lang, 'appeals.incident.title', { title: i.title }), body, active: '/appeals/incidents', ...msg }, status);
  }

  r.get('/appeals/incidents/:id', async (req, reply) => incidentPage(req, reply));

  r.post('/appeals/incidents/:id/:action', async (req, reply) => {
    const s = requireStaff(req, 'appeals.use');
    checkCsrf(req);
    const p = z.object({ id: z.string().uuid(), action: z.enum(['add', 'split', 'close']) }).safeParse(req.params);
    if (!p.success) throw notFound();
    const f = (req.body ?? {}) as Form;
    const lang = consoleLang(req);
    const { id, action } = p.data;
    try {
      const done = await inTx(req, async (tx) => {
        const ctx = appealsCtx(app, req, tx);
        if (action === 'add') return inc.addToIncident(ctx, s, id, f.appeal_id || await inc.appealIdByNumber(tx, f.number ?? ''));
        if (action === 'split') {
          const a = await getAppeal(tx, z.string().uuid().catch('00000000-0000-0000-0000-000000000000').parse(f.appeal_id));
          if (a.incident_id !== id) throw notFound();
          return inc.splitFromIncident(ctx, s, a.id);
        }
        return inc.closeIncident(ctx, s, id, f.message ?? '');
      });
      const back = z.string().uuid().safeParse(f.back);
      if (back.success) return reply.redirect(`${consoleBase(req)}/appeals/${back.data}`, 303);
      const notice = 'closed' in done ? t(lang, 'appeals.incident.closed_done', { closed: done.closed, notified: done.notified }) : t(lang, 'console.saved');
      return incidentPage(req, reply, { notice });
    } catch (e) {
      if (e instanceof AppError && e.status < 500 && e.status !== 404) return incidentPage(req, reply, { error: errorText(lang, e) }, e.status, f);
      throw e;
    }
  });
};
