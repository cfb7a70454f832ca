// "Known outage" in the operator's console: while a phone or walk-in call is registered, an
// active outage notice of the chosen category's kind covering the address is shown (after a
// submit, and live while typing through a small JSON endpoint, as the duplicate suggestions
// are); the appeal page shows the notices the appeal was linked to. Used by appeals.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { html, raw, type Html } from '../../http/html.ts';
import { notFound } from '../../http/errors.ts';
import { requireStaff } from '../../http/auth.ts';
import { withCommunity, type Tx } from '../../db/db.ts';
import { formatDate, pick, t, type Lang } from '../../i18n/i18n.ts';
import { resolveAddress } from '../../modules/addresses/service.ts';
import { activeOutagesAt, type KnownOutage } from '../../modules/outages/match.ts';
import type { LinkedOutage } from '../../modules/appeals/outage-links.ts';
import * as act from '../../modules/appeals/actions.ts';
import { consoleLang, when } from './layout.ts';

type Form = Record<string, string | undefined>;
const Uuid = z.string().uuid();
const uuidOr = (v: string | undefined) => (v && Uuid.safeParse(v).success ? v : null);
const coordinate = (v: string | undefined, max: number) => {
  const n = v?.trim() ? Number(v) : NaN;
  return Number.isFinite(n) && Math.abs(n) <= max ? n : null;
};

/** The active notices the registration form's category and address point at (none when the
 * category names no outage kind or the address is not a street of the register). */
export async function knownOutagesFor(tx: Tx, f: Form, lang: Lang, fallback: Lang): Promise<KnownOutage[]> {
  const categoryId = uuidOr(f.category_id);
  if (!categoryId) return [];
  const category = await tx.selectFrom('appeal_categories').select('outage_kind').where('id', '=', categoryId).executeTakeFirst();
  if (!category?.outage_kind) return [];
  let streetId = uuidOr(f.street_id);
  let buildingId = streetId ? uuidOr(f.building_id) : null;
  let lat = coordinate(f.lat, 90);
  let lon = lat === null ? null : coordinate(f.lon, 180);
  // While typing, the address may not have been picked from the suggestions yet: the register's
  // one match for the text will do (several or none: nothing to show).
  if (!streetId && f.address?.trim() && f.address_choice !== 'as_typed') {
    const r = await resolveAddress(tx, f.address.trim().slice(0, 300), lang, fallback);
    if (r.status !== 'matched') return [];
    [streetId, buildingId, lat, lon] = [r.match.streetId, r.match.buildingId, lat ?? r.match.lat, lat === null ? r.match.lon : lon];
  }
  if (!streetId) return [];
  return activeOutagesAt(tx, { kind: category.outage_kind, streetId, buildingId, lat, lon });
}

const noticeHref = (req: FastifyRequest, lang: Lang, id: string) => `${req.base}/${lang}/outages/${id}`;

function outageLine(req: FastifyRequest, lang: Lang, o: KnownOutage): string {
  const c = req.community;
  return t(lang, 'appeals.outage.line', {
    kind: t(lang, `outages.kind.${o.kind}`), type: t(lang, o.emergency ? 'outages.emergency' : 'outages.planned'),
    area: pick(o.area_summary, lang, c.default_lang), end: formatDate(new Date(o.expected_end_at), lang, c.time_zone, c.calendar, true),
    utility: pick(o.org_names, lang, c.default_lang),
  });
}

/** Inside the registration form: the banner (after a submit) and the live region the script fills. */
export function knownOutageBanner(req: FastifyRequest, lang: Lang, found: KnownOutage[]): Html {
  const base = `${req.base}/console`;
  const banner = found.length
    ? html`<section class="notice" data-testid="known-outage"><h3>${t(lang, 'appeals.outage.banner_title')}</h3><p class="hint">${t(lang, 'appeals.outage.banner_hint')}</p>
<ul>${found.map((o) => html`<li>${outageLine(req, lang, o)} <a href="${noticeHref(req, lang, o.id)}" target="_blank" rel="noopener">${t(lang, 'appeals.outage.open_notice')}</a></li>`)}</ul></section>`
    : '';
  return html`<div id="outage-live" aria-live="polite" data-url="${base}/appeals/known-outages.json" data-title="${t(lang, 'appeals.outage.banner_title')}" data-hint="${t(lang, 'appeals.outage.banner_hint')}" data-link="${t(lang, 'appeals.outage.open_notice')}">${banner}</div>
<script>${raw(LIVE_SCRIPT)}</script>`;
}

// Asks for known outages while the operator types or picks; builds the banner with textContent
// only. The address widget fills its hidden fields without events, so leaving a field or
// clicking also checks (a request only when the fields changed).
const LIVE_SCRIPT = `(()=>{const box=document.getElementById('outage-live');const form=box&&box.closest('form');if(!form||!window.fetch)return;let timer,seq=0,last=null;
const val=(n)=>{const el=form.elements.namedItem(n);return el&&el.value?el.value.trim():''};
async function run(){const p=new URLSearchParams();for(const n of ['category_id','address','street_id','building_id','lat','lon','address_choice'])if(val(n))p.set(n,val(n));
const key=p.toString();if(key===last)return;last=key;const my=++seq;
if(!p.get('category_id')||!(p.get('street_id')||p.get('address'))){box.replaceChildren();return}
try{const r=await fetch(box.dataset.url+'?'+p,{headers:{accept:'application/json'},credentials:'same-origin'});if(!r.ok||my!==seq)return;const d=await r.json();
box.replaceChildren();if(!d.items.length)return;const s=document.createElement('section');s.className='notice';s.dataset.testid='known-outage';
const h=document.createElement('h3');h.textContent=box.dataset.title;const hint=document.createElement('p');hint.className='hint';hint.textContent=box.dataset.hint;const ul=document.createElement('ul');
for(const it of d.items){const li=document.createElement('li');const a=document.createElement('a');a.href=it.href;a.target='_blank';a.rel='noopener';a.textContent=box.dataset.link;li.append(it.label+' ',a);ul.append(li)}
s.append(h,hint,ul);box.append(s)}catch(e){}}
const soon=(ms)=>{clearTimeout(timer);timer=setTimeout(run,ms)};
form.addEventListener('input',()=>soon(500));form.addEventListener('change',()=>soon(100));form.addEventListener('focusout',()=>soon(300));form.addEventListener('mouseup',()=>soon(300))})();`;

/** The live endpoint: the same answer as the banner, without anyone's personal data. */
export function knownOutagesRoute(app: App, r: FastifyInstance) {
  r.get('/appeals/known-outages.json', async (req) => {
    const s = requireStaff(req, 'appeals.use');
    if (!act.isOperator(s)) throw notFound();
    const lang = consoleLang(req);
    const q = z.object({
      category_id: z.string().max(40).optional(), address: z.string().max(300).optional(), street_id: z.string().max(40).optional(),
      building_id: z.string().max(40).optional(), lat: z.string().max(30).optional(), lon: z.string().max(30).optional(), address_choice: z.string().max(120).optional(),
    }).parse(req.query ?? {});
    const found = await withCommunity(app.db, req.community.id, (tx) => knownOutagesFor(tx, q, lang, req.community.default_lang));
    return { items: found.map((o) => ({ id: o.id, kind: o.kind, href: noticeHref(req, lang, o.id), label: outageLine(req, lang, o) })) };
  });
}

/** The appeal page's card: the notices the appeal was linked to when it was filed. */
export function linkedOutagePanel(req: FastifyRequest, lang: Lang, linked: LinkedOutage[]): Html | '' {
  if (!linked.length) return '';
  const c = req.community;
  return html`<section class="card" data-testid="linked-outage"><h2>${t(lang, 'appeals.outage.linked_title')}</h2><ul>
${linked.map((o) => html`<li><strong>${t(lang, `outages.kind.${o.kind}`)}</strong> (${t(lang, o.emergency ? 'outages.emergency' : 'outages.planned')}) — ${pick(o.area_summary, lang, c.default_lang)} —
${o.status === 'open' ? t(lang, 'appeals.outage.expected', { date: when(req, o.expected_end_at) }) : t(lang, 'appeals.outage.restored', { date: when(req, o.actual_end_at) })}
<a href="${noticeHref(req, lang, o.id)}">${t(lang, 'appeals.outage.open_notice')}</a></li>`)}</ul></section>`;
}
