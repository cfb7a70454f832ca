// Address suggestions for the intake forms (a small public JSON endpoint), and the two form
// widgets shared by the portal and the console: the address field and the category picker.
// Both are plain form controls first; a short inline script adds typing suggestions, "use my
// location" and the category filter where JavaScript runs.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { clientIp } from '../../http/context.ts';
import { html, raw, type Html } from '../../http/html.ts';
import { tooManyRequests } from '../../http/errors.ts';
import { hitRateLimit } from '../../http/rate-limit.ts';
import { withCommunity } from '../../db/db.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import type { Texts } from '../../db/types.ts';
import { suggestAddresses } from '../../modules/addresses/service.ts';
import { choiceValue, type AddressQuestion, type IntakeForm } from '../../modules/addresses/intake.ts';
import { ADDRESS_SCRIPT, WIDGET_CSS } from './address-script.ts';
import { langOf } from './page.ts';

export const portalAddresses = (app: App) => async (r: FastifyInstance) => {
  r.get('/:lang/addresses/suggest', async (req, reply) => {
    const lang = langOf(req);
    const { q } = z.object({ q: z.string().max(200).default('') }).parse(req.query ?? {});
    const wait = await hitRateLimit(app.db, `addr-suggest:${req.community.id}:${clientIp(req)}`, 240, 60);
    if (wait) throw tooManyRequests(wait);
    const items = await withCommunity(app.db, req.community.id, (tx) => suggestAddresses(tx, q, lang, req.community.default_lang));
    // Street names are public facts; the answer may be cached briefly by the browser.
    reply.header('cache-control', 'public, max-age=300');
    return {
      items: items.map((m) => ({ label: m.label, street_id: m.streetId, building_id: m.buildingId, lat: m.lat, lon: m.lon, former: m.formerName ? t(lang, 'addresses.label.former', { name: m.formerName }) : null })),
    };
  });
};

/** The address field: text with suggestions, hidden register ids and point, and — when the
 * server could not settle the address — a list to choose from, or "keep as typed". */
export function addressField(opts: { base: string; lang: Lang; f: IntakeForm; label: string; hint?: string; question?: AddressQuestion | null; allowAsTyped: boolean; errorText?: string }): Html {
  const { lang, f, question } = opts;
  const typed = f.address ?? '';
  const message = question ? t(lang, question.kind === 'several' ? 'addresses.field.several' : question.kind === 'stale' ? 'addresses.field.bad_choice' : 'addresses.field.none') : opts.errorText;
  const described = [message ? 'address-error' : '', 'address-point-status'].filter(Boolean).join(' ');
  const userPoint = f.point === 'user' && f.lat && f.lon;
  return html`${raw(`<style>${WIDGET_CSS}</style>`)}
<div class="addr" data-address data-suggest="${opts.base}/${lang}/addresses/suggest" data-located="${t(lang, 'addresses.field.located')}" data-locate-failed="${t(lang, 'addresses.field.locate_failed')}">
<label for="address">${opts.label}${opts.hint ? html` <span class="hint">${opts.hint}</span>` : ''}</label>
${message ? html`<p class="error" id="address-error">${message}</p>` : ''}
<input id="address" name="address" type="text" value="${typed}" maxlength="300" autocomplete="off" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="address-list" aria-describedby="${described}"${message ? raw(' aria-invalid="true"') : ''}>
<ul id="address-list" role="listbox" aria-label="${t(lang, 'addresses.field.suggestions')}" hidden></ul>
<input type="hidden" name="street_id" value="${question ? '' : (f.street_id ?? '')}"><input type="hidden" name="building_id" value="${question ? '' : (f.building_id ?? '')}">
${!question && f.address_choice === 'as_typed' ? html`<input type="hidden" name="address_choice" value="as_typed">` : ''}<input type="hidden" name="lat" value="${f.lat ?? ''}"><input type="hidden" name="lon" value="${f.lon ?? ''}"><input type="hidden" name="point" value="${userPoint ? 'user' : ''}">
${question && (question.options.length || opts.allowAsTyped) ? html`<fieldset class="choices addr-choices"><legend>${t(lang, 'addresses.field.choose')}</legend>
${question.options.map((m) => html`<label class="choice"><input type="radio" name="address_choice" value="${choiceValue(m)}"> ${m.label}${m.formerName ? html` <span class="hint">(${t(lang, 'addresses.label.former', { name: m.formerName })})</span>` : ''}</label>`)}
${opts.allowAsTyped ? html`<label class="choice"><input type="radio" name="address_choice" value="as_typed"> ${t(lang, 'addresses.field.keep', { address: typed })}</label>` : ''}
</fieldset>` : ''}
<p class="hint addr-point"><button type="button" class="secondary" data-locate hidden>📍 ${t(lang, 'addresses.field.locate')}</button> <span id="address-point-status" role="status">${userPoint ? t(lang, 'addresses.field.located') : ''}</span></p>
</div>
${raw(`<script>${ADDRESS_SCRIPT}</script>`)}`;
}

type Category = { id: string; code: string; icon: string; names: Texts; keywords: Record<string, string | undefined> };

/** The category picker: radio buttons with icons (works without JavaScript), and a filter box
 * above them that the script shows; the filter reads names and keywords in every language. */
export function categoryPicker(opts: { lang: Lang; fallback: Lang; categories: Category[]; selected?: string; error?: Html | string; invalid: boolean; legend: string; columns?: boolean }): Html {
  const { lang } = opts;
  const name = (c: Category) => c.names[lang] ?? c.names[opts.fallback] ?? Object.values(c.names).find(Boolean) ?? c.code;
  return html`<fieldset class="choices cat-picker${opts.columns ? ' cat-columns' : ''}" data-categories><legend>${opts.legend}</legend>${opts.error ?? ''}
<div class="cat-filter" hidden><label for="category-filter">${t(lang, 'addresses.category.filter')}</label><input id="category-filter" type="search" autocomplete="off" aria-controls="category-list"></div>
<p class="hint" data-none hidden role="status">${t(lang, 'addresses.category.none')}</p>
<div id="category-list" class="cat-list">
${opts.categories.map((c) => html`<label class="choice" data-search="${[...Object.values(c.names), ...Object.values(c.keywords ?? {}), c.code].filter(Boolean).join(' ').toLowerCase()}"><input type="radio" name="category_id" value="${c.id}"${opts.selected === c.id ? ' checked' : ''}${opts.invalid ? raw(' aria-invalid="true" aria-describedby="category_id-error"') : ''}> <span class="cat-icon" aria-hidden="true">${c.icon}</span> <span>${name(c)}</span></label>`)}
</div></fieldset>`;
}
