// Closing an outage notice in the console: with the option to close the appeals linked to it
// (filed at a covered address in a category of the same kind), with a message to each
// applicant. Used by outages.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/context.ts';
import { html, type Html } from '../../http/html.ts';
import type { Tx } from '../../db/db.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import { appealsCtx } from '../appeals-context.ts';
import type { AppealLinks } from '../../modules/outages/service.ts';
import { MIN_CLOSING_MESSAGE } from '../../modules/appeals/outage-links.ts';
import { hidden } from './layout.ts';

type Form = Record<string, string | string[] | undefined>;
const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

/** The close form; the appeals' part only when open appeals are linked. What was typed is kept. */
export function outageCloseForm(req: FastifyRequest, reply: FastifyReply, lang: Lang, action: string, linked: { open: number; total: number }, f: Form = {}): Html {
  const appeals = linked.open
    ? html`<fieldset><legend>${t(lang, 'outages.close.appeals_legend', { count: linked.open })}</legend>
<div><input type="checkbox" id="close_appeals" name="close_appeals"${str(f.close_appeals) === 'on' ? ' checked' : ''}> <label for="close_appeals">${t(lang, 'outages.close.appeals', { count: linked.open })}</label></div>
<div><label for="appeals_message">${t(lang, 'outages.close.appeals_message')}</label> <span class="hint" id="appeals_message-hint">${t(lang, 'outages.close.appeals_hint', { min: MIN_CLOSING_MESSAGE })}</span>
<textarea id="appeals_message" name="appeals_message" rows="2" maxlength="5000" aria-describedby="appeals_message-hint">${str(f.appeals_message)}</textarea></div></fieldset>`
    : '';
  return html`<form class="stack" method="post" action="${action}" data-testid="outage-close">${hidden(req, reply)}${appeals}<div><button type="submit" class="secondary">${t(lang, 'outages.close')}</button></div></form>`;
}

/** The closing options of the submitted form. */
export function closeOptions(app: App, req: FastifyRequest, tx: Tx, f: Form): { closeAppeals?: { message: string; links: AppealLinks } } {
  if (str(f.close_appeals) !== 'on') return {};
  const { secret, followUrl, rateUrl } = appealsCtx(app, req, tx);
  return { closeAppeals: { message: str(f.appeals_message), links: { secret, followUrl, rateUrl } } };
}
