import type { FastifyInstance } from 'fastify';
import { textIn } from '../text.ts';
import type { App } from '../../http/context.ts';
import { html } from '../../http/html.ts';
import { isLang, t } from '../../i18n/i18n.ts';
import { withCommunity } from '../../db/db.ts';
import { getOrganisation } from '../../modules/identity/organisations.ts';
import { consoleAuthPages } from './auth-pages.ts';
import { securityPages } from './security-pages.ts';
import { adminPages } from './admin-pages.ts';
import { communitiesPage } from './communities-page.ts';
import { consoleAppeals } from './appeals.ts';
import { appealsDashboard } from './appeals-dashboard.ts';
import { consoleNewsroom } from './newsroom.ts';
import { consoleChannels } from './channels.ts';
import { consoleAppealsIncidents } from './appeals-incidents.ts';
import { consoleAppealsDigest } from './appeals-digest.ts';
import { consoleAppealsExport } from './appeals-export.ts';
import { consoleAddresses } from './addresses.ts';
import { consoleMedia } from './media.ts';
import { consoleAlerts } from './alerts.ts';
import { consoleOutages } from './outages.ts';
import { consoleAppealsCategories } from './appeals-categories.ts';
import { CONSOLE_LANG_COOKIE, consoleBase, consoleLang, sendConsole } from './layout.ts';

const PUBLIC = /\/console\/(login|login\/second-factor|enrol|logout)$/;

export const consoleRoutes = (app: App) => async (r: FastifyInstance) => {
  // Every console page but sign-in needs a completed sign-in; the server checks each object too.
  r.addHook('preHandler', async (req, reply) => {
    const chosen = (req.query as { lang?: string } | undefined)?.lang;
    if (isLang(chosen)) reply.setCookie(CONSOLE_LANG_COOKIE, chosen, { path: `${consoleBase(req)}`, sameSite: 'lax', httpOnly: true, maxAge: 365 * 86400 });
    const path = (req.routeOptions.url ?? '').replace(/\/$/, '');
    if (PUBLIC.test(path)) return;
    if (!req.staff || req.staff.kind !== 'staff') return reply.redirect(`${consoleBase(req)}/login`);
    if (!req.staff.secondFactorDone) return reply.redirect(`${consoleBase(req)}/${req.staff.hasTotp ? 'login/second-factor' : 'enrol'}`);
  });

  await r.register(consoleAuthPages(app));
  await r.register(securityPages(app));
  await r.register(adminPages(app));
  await r.register(communitiesPage(app));
  await r.register(consoleAppeals(app));
  await r.register(appealsDashboard(app));
  await r.register(consoleNewsroom(app));
  await r.register(consoleChannels(app));
  await r.register(consoleAppealsIncidents(app));
  await r.register(consoleAppealsDigest(app));
  await r.register(consoleAppealsExport(app));
  await r.register(consoleAddresses(app));
  await r.register(consoleMedia(app));
  await r.register(consoleAlerts(app));
  await r.register(consoleOutages(app));
  await r.register(consoleAppealsCategories(app));

  r.get('/', async (req, reply) => {
    const s = req.staff!;
    const lang = consoleLang(req);
    const org = s.organisationId ? await withCommunity(app.db, req.community.id, (tx) => getOrganisation(tx, s.organisationId!)) : null;
    const roles = [...s.roles, ...(s.isSuperAdmin ? ['super_admin'] : [])];
    const body = html`<section class="card">
<h2>${t(lang, 'console.home.roles')}</h2>
${roles.length ? html`<ul data-testid="my-roles">${roles.map((r) => html`<li>${t(lang, `role.${r}` as 'role.executor')}</li>`)}</ul>` : html`<p>${t(lang, 'console.home.no_roles')}</p>`}
${org ? html`<p><strong>${t(lang, 'console.home.organisation')}:</strong> ${textIn(org.names, lang, req.community.default_lang)}</p>` : ''}
</section>`;
    return sendConsole(req, reply, { title: t(lang, 'console.home.welcome', { name: s.name }), body, active: '' });
  });
};
