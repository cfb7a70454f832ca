import type { FastifyReply, FastifyRequest } from 'fastify';
import { textIn } from '../text.ts';
import { html, raw, type Html } from '../../http/html.ts';
import { dir, formatDate, isLang, LANGS, pick, t, type Lang, type MessageKey } from '../../i18n/i18n.ts';
import { csrfToken } from '../../http/auth.ts';
import type { Permission } from '../../modules/identity/roles.ts';

const CSS = `
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Vazirmatn",Tahoma,sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a;background:#f4f6f9}
body{margin:0;display:grid;grid-template-columns:14rem 1fr;min-height:100vh}
body.bare{display:block}
a{color:#0b4f9c}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f2b705;outline-offset:1px}
.skip{position:absolute;inset-inline-start:-999px}.skip:focus{inset-inline-start:.5rem;top:.5rem;background:#fff;padding:.5rem;z-index:9}
aside{background:#14263d;color:#fff;padding:1rem .75rem}
aside a{color:#fff;text-decoration:none;display:block;padding:.35rem .5rem;border-radius:.25rem}
aside a[aria-current]{background:#2c4a70;font-weight:700}
aside ul{list-style:none;margin:0;padding:0}
aside .who{font-size:.85rem;opacity:.9;margin-block:1rem}
aside button{background:none;border:1px solid #8aa0bb;color:#fff;padding:.3rem .6rem;border-radius:.25rem;cursor:pointer}
main{padding:1rem 1.5rem;max-width:80rem}
h1{font-size:1.4rem;margin-block:.25rem 1rem}
h2{font-size:1.1rem;margin-block:1.5rem .5rem}
.card>h2:first-child{margin-block-start:0}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:start;padding:.35rem .5rem;border-block-end:1px solid #dde3ea;vertical-align:top}
th{background:#e9eef4;font-weight:600}
form.stack{display:grid;gap:.6rem;max-width:30rem}
form.inline{display:inline}
form.row{display:flex;gap:.5rem;flex-wrap:wrap;align-items:end}
label{font-weight:600;display:block}
input,select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #6b7785;border-radius:.25rem;background:#fff;color:inherit;width:100%}
input[type=checkbox]{width:auto}
fieldset{border:1px solid #c9d3df;border-radius:.25rem}
button{font:inherit;padding:.4rem .9rem;border:0;border-radius:.25rem;background:#0b4f9c;color:#fff;cursor:pointer}
button.secondary{background:#dfe5ec;color:#1a1a1a}
button.danger{background:#a4161a}
.card{background:#fff;border:1px solid #dde3ea;border-radius:.375rem;padding:1rem;margin-block-end:1rem}
.notice{background:#e9f5ec;border-inline-start:4px solid #1e7b34;padding:.6rem;margin-block-end:1rem}
.alert{background:#fdecea;border-inline-start:4px solid #a4161a;padding:.6rem;margin-block-end:1rem}
.hint{color:#4a5563;font-size:.85rem;font-weight:400}
.muted{color:#4a5563}
code,.mono{font-family:ui-monospace,monospace;font-size:.9em;direction:ltr;unicode-bidi:embed}
.langs{display:flex;gap:.5rem;font-size:.85rem}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.3rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.overdue{color:#a4161a}
nav.row{display:flex;gap:.4rem 1rem;flex-wrap:wrap}nav.row a[aria-current]{font-weight:700}
h3{font-size:1rem}
.langs a{padding:0}
@media (max-width:45rem){body{grid-template-columns:1fr}}
`;

type NavItem = { href: string; key: MessageKey; permission?: Permission | Permission[]; superAdmin?: boolean };
const NAV: NavItem[] = [
  { href: '', key: 'console.nav.home' },
  { href: '/alerts', key: 'alerts.nav', permission: ['alerts.issue', 'alerts.approve', 'alerts.configure'] },
  { href: '/outages', key: 'outages.nav', permission: ['outages.post', 'outages.control'] },
  { href: '/appeals', key: 'console.nav.appeals', permission: 'appeals.use' },
  { href: '/appeals/incidents', key: 'appeals.incident.nav', permission: 'appeals.use' },
  { href: '/appeals/digest', key: 'appeals.digest.nav', permission: 'appeals.use' },
  { href: '/appeals/categories', key: 'appeals.cat.nav', permission: 'appeals.admin' },
  { href: '/newsroom', key: 'newsroom.nav.materials', permission: 'news.write' },
  { href: '/newsroom/calendar', key: 'newsroom.nav.calendar', permission: 'news.write' },
  { href: '/newsroom/campaigns', key: 'newsroom.nav.campaigns', permission: 'news.write' },
  { href: '/media', key: 'media.console.nav', permission: 'media.manage' },
  { href: '/channels', key: 'channels.nav', permission: 'channels.manage' },
  { href: '/addresses', key: 'addresses.nav', permission: 'addresses.manage' },
  { href: '/users', key: 'console.nav.users', permission: 'users.manage' },
  { href: '/organisations', key: 'console.nav.organisations', permission: 'organisations.manage' },
  { href: '/audit', key: 'console.nav.audit', permission: 'audit.read' },
  { href: '/outbox', key: 'console.nav.outbox', permission: 'outbox.read' },
  { href: '/jobs', key: 'console.nav.jobs', permission: 'jobs.read' },
  { href: '/communities', key: 'console.nav.communities', superAdmin: true },
  { href: '/security', key: 'console.nav.security' },
];

export const consoleBase = (req: FastifyRequest) => `${req.base}/console`;

/** The console's language: ?lang= when given, else the staff member's own setting. */
export function consoleLang(req: FastifyRequest): Lang {
  const q = (req.query as { lang?: string } | undefined)?.lang;
  if (q) return req.lang;
  const chosen = req.cookies[CONSOLE_LANG_COOKIE];
  if (isLang(chosen)) return chosen;
  return req.staff?.lang ?? req.lang;
}

/** A language picked with the switcher (?lang=) stays for the next pages of the console. */
export const CONSOLE_LANG_COOKIE = 'cd_console_lang';

export type ConsolePage = { title: string; body: Html; active?: string; notice?: string | null; error?: string | null };

export function consolePage(req: FastifyRequest, reply: FastifyReply, page: ConsolePage): string {
  const lang = consoleLang(req);
  const s = req.staff;
  const base = consoleBase(req);
  const c = req.community;
  const signedIn = !!s && s.secondFactorDone;
  const nav = signedIn
    ? NAV.filter((n) => (n.superAdmin ? s!.isSuperAdmin : !n.permission || [n.permission].flat().some((p) => s!.permissions.has(p))))
    : [];
  return html`<!doctype html>
<html lang="${lang}" dir="${dir(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${page.title} — ${t(lang, 'console.title')} — ${pick(c.names, lang, c.default_lang)}</title>
<style>${raw(CSS)}</style></head>
<body${signedIn ? '' : raw(' class="bare"')}>
<a class="skip" href="#main">${t(lang, 'nav.skip')}</a>
${signedIn
    ? html`<aside><nav aria-label="${t(lang, 'nav.main')}">
<div><strong>${textIn(c.names, lang, c.default_lang)}</strong></div>
<div class="who">${s!.name}</div>
<ul>${nav.map((n) => html`<li><a href="${base}${n.href}"${page.active === n.href ? raw(' aria-current="page"') : ''}>${t(lang, n.key)}</a></li>`)}</ul>
<form method="post" action="${base}/logout" style="margin-block-start:1rem"><input type="hidden" name="_csrf" value="${csrfToken(req, reply)}"><button type="submit">${t(lang, 'nav.sign_out')}</button></form>
</nav></aside>`
    : ''}
<main id="main">
<nav class="langs" aria-label="${t(lang, 'nav.language')}">${LANGS.map((l) => html`<a href="?lang=${l}" lang="${l}" hreflang="${l}"${l === lang ? raw(' aria-current="true"') : ''}>${t(l, `lang.${l}`)}</a>`)}</nav>
<h1>${page.title}</h1>
${page.notice ? html`<p class="notice" role="status">${page.notice}</p>` : ''}
${page.error ? html`<p class="alert" role="alert">${page.error}</p>` : ''}
${page.body}
</main>
</body></html>`.value;
}

export function sendConsole(req: FastifyRequest, reply: FastifyReply, page: ConsolePage, status = 200) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(consolePage(req, reply, page));
}

export function when(req: FastifyRequest, d: Date | null | undefined): string {
  if (!d) return '—';
  return formatDate(d, consoleLang(req), req.community.time_zone, req.community.calendar, true);
}

export const hidden = (req: FastifyRequest, reply: FastifyReply) => html`<input type="hidden" name="_csrf" value="${csrfToken(req, reply)}">`;
