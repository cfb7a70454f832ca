import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/context.ts';
import { actorOf } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { AppError } from '../../http/errors.ts';
import { checkCsrf, clearCookie, csrfToken, loadResident, mayBeResident, RESIDENT_COOKIE, setSessionCookie } from '../../http/auth.ts';
import { formatDate, pick, t, type Lang } from '../../i18n/i18n.ts';
import { withCommunity } from '../../db/db.ts';
import { Contact, requestResidentCode, verifyResidentCode } from '../../modules/identity/residents.ts';
import { endSession } from '../../modules/identity/sessions.ts';
import { portalPage } from '../layout.ts';
import { langOf, sendPage } from './page.ts';
import { portalAppeals } from './appeals.ts';
import { portalNews } from './news.ts';
import { homeNewsSection } from './news-home.ts';
import { portalAppealsPublic } from './appeals-public.ts';
import { portalAddresses } from './addresses.ts';
import { portalMedia } from './media.ts';
import { portalTelegram, telegramSection } from './telegram.ts';
import { portalPush } from './push.ts';
import { loadBanner, portalAlerts } from './alerts.ts';
import { portalOutages } from './outages.ts';
import { mapAssetRoutes } from './map-assets.ts';
import { listAppeals } from '../../modules/appeals/service.ts';
import { textIn } from '../text.ts';

export const portalRoutes = (app: App) => async (r: FastifyInstance) => {
  // Every portal page shows the active emergency alerts.
  r.addHook('preHandler', async (req) => loadBanner(app, req));
  await r.register(portalAlerts(app));
  await r.register(portalOutages(app));
  await r.register(portalAppeals(app));
  await r.register(portalNews(app));
  await r.register(portalAppealsPublic(app));
  await r.register(portalAddresses(app));
  await r.register(portalMedia(app));
  await r.register(portalTelegram(app));
  await r.register(portalPush(app));
  await r.register(mapAssetRoutes);

  r.get('/', async (req, reply) => reply.redirect(`${req.base}/${req.headers['accept-language'] ? req.lang : req.community.default_lang}/`));

  r.get('/:lang/', async (req, reply) => {
    const lang = langOf(req);
    const c = req.community;
    const name = pick(c.names, lang, c.default_lang);
    const news = await homeNewsSection(app, req, lang);
    const body = html`
<h1>${t(lang, 'portal.home.title')}</h1>
<p class="lead">${t(lang, 'portal.home.lead', { community: name })}</p>
<p>${t(lang, 'portal.home.today', { date: formatDate(new Date(), lang, c.time_zone, c.calendar) })}</p>
${news}
<section class="card" aria-labelledby="services">
<h2 id="services">${t(lang, 'portal.home.services')}</h2>
<ul>
<li><a href="${req.base}/${lang}/appeals/new">${t(lang, 'appeals.new.link')}</a> — ${t(lang, 'appeals.new.lead')}</li>
<li><a href="${req.base}/${lang}/appeals/stats">${t(lang, 'appeals.public.stats_link')}</a> — ${t(lang, 'appeals.public.stats_lead')} <a href="${req.base}/${lang}/appeals/public">${t(lang, 'appeals.public.list_link')}</a></li>
<li><a href="${req.base}/${lang}/login">${t(lang, 'nav.sign_in')}</a> — ${t(lang, 'portal.home.service.account')}</li>
<li>${t(lang, 'portal.home.service.contacts')}</li>
</ul>
</section>`;
    return sendPage(reply.header('cache-control', mayBeResident(req) ? 'private, no-cache' : 'public, max-age=30').header('vary', 'Cookie'), portalPage(req, { title: t(lang, 'portal.home.title'), body, lang }));
  });

  const signInForm = (req: FastifyRequest, reply: FastifyReply, lang: Lang, values: { contact?: string; error?: string; sent?: boolean }) => html`
<h1>${t(lang, 'resident.sign_in.title')}</h1>
${values.error ? html`<p class="alert" role="alert" id="form-error">${values.error}</p>` : ''}
${values.sent
    ? html`<p class="notice" role="status">${t(lang, 'resident.code_sent', { contact: values.contact ?? '' })}</p>
<form class="stack" method="post" action="${req.base}/${lang}/login/verify">
<input type="hidden" name="_csrf" value="${csrfToken(req, reply)}">
<input type="hidden" name="contact" value="${values.contact ?? ''}">
<div><label for="code">${t(lang, 'resident.code')}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required${values.error ? html` aria-invalid="true" aria-describedby="form-error"` : ''}></div>
<div><button type="submit">${t(lang, 'resident.verify')}</button></div>
</form>`
    : html`<p>${t(lang, 'resident.sign_in.lead')}</p>
<form class="stack" method="post" action="${req.base}/${lang}/login">
<input type="hidden" name="_csrf" value="${csrfToken(req, reply)}">
<div><label for="contact">${t(lang, 'resident.contact')} <span class="hint" id="contact-hint">${t(lang, 'resident.contact_hint')}</span></label>
<input id="contact" name="contact" value="${values.contact ?? ''}" autocomplete="email" required maxlength="200" aria-describedby="contact-hint${values.error ? ' form-error' : ''}"${values.error ? html` aria-invalid="true"` : ''}></div>
<div><button type="submit">${t(lang, 'resident.send_code')}</button></div>
</form>`}`;

  r.get('/:lang/login', async (req, reply) => {
    const lang = langOf(req);
    await loadResident(app, req);
    if (req.residentId) return reply.redirect(`${req.base}/${lang}/account`);
    return sendPage(reply, portalPage(req, { title: t(lang, 'resident.sign_in.title'), body: signInForm(req, reply, lang, {}), lang }));
  });

  const Form = z.object({ contact: z.string().max(300).default(''), code: z.string().max(20).default('') }).passthrough();

  r.post('/:lang/login', async (req, reply) => {
    const lang = langOf(req);
    checkCsrf(req);
    const form = Form.parse(req.body ?? {});
    const contact = Contact.safeParse(form.contact);
    if (!contact.success) {
      const body = signInForm(req, reply, lang, { contact: form.contact, error: t(lang, 'error.field.contact') });
      return sendPage(reply, portalPage(req, { title: t(lang, 'resident.sign_in.title'), body, lang }), 400);
    }
    try {
      await requestResidentCode(app.db, app.queue, actorOf(req), lang, contact.data);
    } catch (e) {
      if (!(e instanceof AppError) || e.status !== 429) throw e;
      const body = signInForm(req, reply, lang, { contact: form.contact, error: t(lang, 'error.rate_limited', { count: e.params.seconds }) });
      return sendPage(reply, portalPage(req, { title: t(lang, 'resident.sign_in.title'), body, lang }), 429);
    }
    const body = signInForm(req, reply, lang, { contact: contact.data, sent: true });
    return sendPage(reply, portalPage(req, { title: t(lang, 'resident.sign_in.title'), body, lang }));
  });

  r.post('/:lang/login/verify', async (req, reply) => {
    const lang = langOf(req);
    checkCsrf(req);
    const form = Form.parse(req.body ?? {});
    const contact = Contact.safeParse(form.contact);
    try {
      if (!contact.success) throw new AppError(401, 'invalid_code', 'error.invalid_code');
      const token = await verifyResidentCode(app.db, actorOf(req), contact.data, form.code, { userAgent: req.headers['user-agent'] ?? null, maxHours: 24 * 30 });
      setSessionCookie(req, reply, RESIDENT_COOKIE, token, 24 * 30);
      return reply.redirect(`${req.base}/${lang}/account`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      const message = t(lang, e.key, { count: Number(e.params.seconds ?? 0) });
      const body = signInForm(req, reply, lang, { contact: form.contact, sent: true, error: message });
      return sendPage(reply, portalPage(req, { title: t(lang, 'resident.sign_in.title'), body, lang }), e.status);
    }
  });

  r.get('/:lang/account', async (req, reply) => {
    const lang = langOf(req);
    await loadResident(app, req);
    if (!req.residentId) return reply.redirect(`${req.base}/${lang}/login`);
    const c = req.community;
    const { me, appeals } = await withCommunity(app.db, c.id, async (tx) => ({
      me: await tx.selectFrom('residents').select(['email', 'phone', 'created_at', 'telegram_chat_id']).where('id', '=', req.residentId!).executeTakeFirstOrThrow(),
      appeals: await listAppeals(tx, { residentId: req.residentId!, limit: 100 }),
    }));
    const body = html`
<h1>${t(lang, 'resident.account.title')}</h1>
<p>${t(lang, 'resident.account.signed_in_as', { contact: me.email ?? me.phone ?? '' })}</p>
<p>${t(lang, 'resident.account.since', { date: formatDate(me.created_at, lang, c.time_zone, c.calendar) })}</p>
<h2>${t(lang, 'appeals.mine.title')}</h2>
${appeals.length
    ? html`<ul data-testid="my-appeals">${appeals.map((a) => html`<li><a href="${req.base}/${lang}/appeals/${a.number}">${a.number}</a> — <span aria-hidden="true">${a.icon}</span> ${textIn(a.category_names, lang, c.default_lang)} — <strong>${t(lang, `appeals.status.${a.status}`)}</strong></li>`)}</ul>`
    : html`<p>${t(lang, 'appeals.mine.none')}</p>`}
<p><a class="button" href="${req.base}/${lang}/appeals/new">${t(lang, 'appeals.new.link')}</a></p>
${telegramSection(app, req, reply, lang, !!me.telegram_chat_id)}
<form method="post" action="${req.base}/${lang}/logout">
<input type="hidden" name="_csrf" value="${csrfToken(req, reply)}">
<button type="submit" class="secondary">${t(lang, 'nav.sign_out')}</button>
</form>`;
    return sendPage(reply, portalPage(req, { title: t(lang, 'resident.account.title'), body, lang }));
  });

  r.post('/:lang/logout', async (req, reply) => {
    const lang = langOf(req);
    await loadResident(app, req);
    checkCsrf(req);
    if (req.residentSessionId) await withCommunity(app.db, req.community.id, (tx) => endSession(tx, req.residentSessionId!));
    clearCookie(req, reply, RESIDENT_COOKIE);
    return reply.redirect(`${req.base}/${lang}/`, 303);
  });
};
