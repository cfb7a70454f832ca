// The resident's cabinet: connect or disconnect the city's Telegram bot.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { checkCsrf, csrfToken, loadResident } from '../../http/auth.ts';
import { t, type Lang } from '../../i18n/i18n.ts';
import { withCommunity } from '../../db/db.ts';
import { createTelegramLink, unlinkTelegram } from '../../modules/identity/telegram.ts';
import { portalPage } from '../layout.ts';
import { langOf, sendPage } from './page.ts';

/** The cabinet's Telegram section; empty when the deployment has no bot. */
export function telegramSection(app: App, req: FastifyRequest, reply: FastifyReply, lang: Lang, linked: boolean) {
  if (!app.config.telegram) return '';
  const action = `${req.base}/${lang}/account/telegram${linked ? '/unlink' : ''}`;
  return html`<section class="card" aria-labelledby="telegram">
<h2 id="telegram">${t(lang, 'telegram.title')}</h2>
<p>${t(lang, linked ? 'telegram.connected' : 'telegram.lead')}</p>
<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrfToken(req, reply)}">
<button type="submit"${linked ? html` class="secondary"` : ''}>${t(lang, linked ? 'telegram.disconnect' : 'telegram.connect')}</button></form>
</section>`;
}

export const portalTelegram = (app: App) => async (r: FastifyInstance) => {
  r.post('/:lang/account/telegram', async (req, reply) => {
    const lang = langOf(req);
    await loadResident(app, req);
    if (!req.residentId || !app.config.telegram) return reply.redirect(`${req.base}/${lang}/login`, 303);
    checkCsrf(req);
    const token = await withCommunity(app.db, req.community.id, (tx) => createTelegramLink(tx, req.community.id, req.residentId!));
    const bot = app.config.telegram.username;
    if (bot) return reply.redirect(`https://t.me/${bot}?start=${token}`, 303);
    // Without the bot's name there is no deep link: the resident sends the command by hand.
    const body = html`<h1>${t(lang, 'telegram.title')}</h1><p>${t(lang, 'telegram.manual')}</p><p><code dir="ltr">/start ${token}</code></p>`;
    return sendPage(reply.header('cache-control', 'no-store'), portalPage(req, { title: t(lang, 'telegram.title'), body, lang }));
  });

  r.post('/:lang/account/telegram/unlink', async (req, reply) => {
    const lang = langOf(req);
    await loadResident(app, req);
    if (!req.residentId) return reply.redirect(`${req.base}/${lang}/login`, 303);
    checkCsrf(req);
    await withCommunity(app.db, req.community.id, (tx) => unlinkTelegram(tx, actorOf(req), req.residentId!));
    return reply.redirect(`${req.base}/${lang}/account`, 303);
  });
};
