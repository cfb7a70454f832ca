import type { FastifyRequest } from 'fastify';
import { html, raw, type Html } from '../http/html.ts';
import { mayBeResident } from '../http/auth.ts';
import { dir, LANGS, pick, t, type Lang } from '../i18n/i18n.ts';
import type {} from './portal/alerts.ts';

// Mobile-first, logical properties only (margin-inline, padding-block…), so the same
// rules mirror for right-to-left Persian pages without a second stylesheet.
const PORTAL_CSS = `
ul.plain{list-style:none;padding-inline-start:0}ul.plain>li{margin-block:.6rem}
.alert-banner{background:#b00020;color:#fff;padding:.6rem 1rem}.alert-banner p{max-width:60rem;margin:.2rem auto}.alert-banner a{color:#fff;text-decoration:underline;font-weight:700}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Vazirmatn",Tahoma,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff}
body{margin:0}
a{color:#0b4f9c}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #f2b705;outline-offset:2px}
.skip{position:absolute;inset-inline-start:-999px}
.skip:focus{inset-inline-start:.5rem;top:.5rem;background:#fff;padding:.5rem;z-index:9}
header.site{background:#0b4f9c;color:#fff}
header.site .bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;max-width:60rem;margin-inline:auto;padding:.75rem 1rem}
header.site a{color:#fff}
.brand{font-weight:700;font-size:1.15rem;text-decoration:none}
nav.langs ul,nav.main ul{list-style:none;display:flex;gap:.75rem;margin:0;padding:0;flex-wrap:wrap}
nav.langs a[aria-current]{font-weight:700;text-decoration:none;border-block-end:2px solid #fff}
main{max-width:60rem;margin-inline:auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.25;margin-block:.5rem 1rem}
h2{font-size:1.25rem;margin-block:1.5rem .5rem}
.card>h2:first-child{margin-block-start:0}
.lead{font-size:1.1rem}
.card{border:1px solid #c9d3df;border-radius:.5rem;padding:1rem;margin-block:1rem}
form.stack{display:grid;gap:.75rem;max-width:28rem}
label{font-weight:600;display:block}
input,select,textarea,button{font:inherit}
input,select,textarea{width:100%;padding:.6rem;border:1px solid #6b7785;border-radius:.375rem;background:#fff;color:inherit}
.hint{color:#4a5563;font-size:.9rem;font-weight:400}
button,.button{display:inline-block;padding:.6rem 1.1rem;border:0;border-radius:.375rem;background:#0b4f9c;color:#fff;cursor:pointer;text-decoration:none;min-height:44px}
button.secondary{background:#e6ebf1;color:#1a1a1a}
.error{color:#a4161a;font-weight:600}
.notice{background:#e9f5ec;border-inline-start:4px solid #1e7b34;padding:.75rem}
.alert{background:#fdecea;border-inline-start:4px solid #a4161a;padding:.75rem}
footer.site{border-block-start:1px solid #c9d3df;margin-block-start:2rem;background:#f4f6f9}
footer.site .in{max-width:60rem;margin-inline:auto;padding:1rem}
footer.site dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem;margin:0}
footer.site dt{font-weight:600}
footer.site dd{margin:0;overflow-wrap:anywhere}
[dir=rtl] .ltr{unicode-bidi:isolate}
@media (max-width:30rem){footer.site dl{grid-template-columns:1fr}footer.site dd{margin-block-end:.5rem}}
.ltr{white-space:nowrap}
fieldset{border:1px solid #c9d3df;border-radius:.5rem;padding:.75rem}
legend{font-weight:600;padding-inline:.25rem}
.choices{display:grid;gap:.25rem}
label.choice{font-weight:400;display:flex;gap:.5rem;align-items:center;padding:.45rem;border-radius:.375rem;min-height:44px}
label.choice:hover{background:#f0f4f9}
label.choice input{width:auto;margin:0}
.timeline{padding-inline-start:1.25rem}
.timeline li{margin-block-end:.5rem}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
ul.news{list-style:none;padding:0;margin:0;display:grid;gap:1rem}
ul.news li{display:grid;gap:.25rem}
ul.news h3{font-size:1.1rem;margin:0}
ul.news p{margin:0}
.meta{color:#4a5563;font-size:.9rem}
.urgent{background:#a4161a;color:#fff;border-radius:.25rem;padding:0 .4rem;font-size:.85rem;font-weight:700}
@media (max-width:30rem){dl.facts{grid-template-columns:1fr}dl.facts dd{margin-block-end:.5rem}}
`;

/** `alternates`: the page's address in each language it exists in (a news article has its own
 * slug per language and may lack one); without it every language mirrors the path. `head`: extra
 * tags (a page's metadata, its own feed). */
export type PageOpts = { title: string; body: Html; lang: Lang; status?: number; head?: Html; alternates?: Partial<Record<Lang, string>> };
const FEED_KINDS = [['rss', 'application/rss+xml', 'RSS'], ['atom', 'application/atom+xml', 'Atom'], ['json', 'application/feed+json', 'JSON Feed']] as const;

function langUrl(req: FastifyRequest, lang: Lang): string {
  const path = req.url.slice(req.base.length).split('?')[0];
  const rest = path.replace(/^\/(uk|en|fa)(?=\/|$)/, '');
  return `${req.base}/${lang}${rest || '/'}`;
}

const origin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

/** The public portal's page: header with the community's name and a language switcher,
 * content, footer with contacts. Works without JavaScript; hreflang links for each language. */
/** The banner: headline and a link to what to do, in the page's language where given. */
export function alertBanner(req: FastifyRequest, lang: Lang) {
  const alerts = req.activeAlerts ?? [];
  if (!alerts.length) return '';
  const c = req.community;
  return html`<section class="alert-banner" aria-label="${t(lang, 'alerts.banner.label')}" data-testid="alert-banner">${alerts.map((a) => {
    const l = a.texts[lang]?.headline ? lang : a.texts[c.default_lang] ? c.default_lang : (Object.keys(a.texts)[0] as Lang);
    return html`<p${l !== lang ? html` lang="${l}"` : ''}><strong>${a.texts[l]!.headline}</strong> <a href="${req.base}/${lang}/alerts/${a.id}">${t(lang, 'alerts.banner.more')}</a></p>`;
  })}</section>`;
}

export function portalPage(req: FastifyRequest, opts: PageOpts): Html {
  const c = req.community;
  const lang = opts.lang;
  const name = pick(c.names, lang, c.default_lang);
  const contacts = c.contacts;
  return html`<!doctype html>
<html lang="${lang}" dir="${dir(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${opts.title} — ${name}</title>
${opts.alternates
    ? Object.entries(opts.alternates).map(([l, href]) => html`<link rel="alternate" hreflang="${l}" href="${origin(req)}${href}">`)
    : LANGS.map((l) => html`<link rel="alternate" hreflang="${l}" href="${origin(req)}${langUrl(req, l)}">`)}
${FEED_KINDS.map(([ext, type, label]) => html`<link rel="alternate" type="${type}" title="${t(lang, 'newsroom.public.feed_title', { community: name })} (${label})" href="${req.base}/${lang}/feed.${ext}">`)}
${opts.head ?? ''}
<style>${raw(PORTAL_CSS)}</style>
</head>
<body>
<a class="skip" href="#main">${t(lang, 'nav.skip')}</a>
<header class="site"><div class="bar">
<a class="brand" href="${req.base}/${lang}/">${name}</a>
<nav class="main" aria-label="${t(lang, 'nav.main')}"><ul>
<li><a href="${req.base}/${lang}/">${t(lang, 'nav.home')}</a></li>
<li><a href="${req.base}/${lang}/news">${t(lang, 'newsroom.public.news')}</a></li>
<li><a href="${req.base}/${lang}/outages">${t(lang, 'outages.nav')}</a></li>
${mayBeResident(req)
    ? html`<li><a href="${req.base}/${lang}/account">${t(lang, 'nav.my_account')}</a></li>`
    : html`<li><a href="${req.base}/${lang}/login">${t(lang, 'nav.sign_in')}</a></li>`}
</ul></nav>
<nav class="langs" aria-label="${t(lang, 'nav.language')}"><ul>
${LANGS.map((l) => html`<li><a href="${opts.alternates ? opts.alternates[l] ?? `${req.base}/${l}/` : langUrl(req, l)}" hreflang="${l}" lang="${l}"${l === lang ? raw(' aria-current="true"') : ''}>${t(l, `lang.${l}`)}</a></li>`)}
</ul></nav>
</div></header>
${alertBanner(req, lang)}
<main id="main">
${opts.body}
</main>
<footer class="site"><div class="in">
<h2>${t(lang, 'portal.footer.contacts')}</h2>
<dl>
${contacts.phone ? html`<dt>${t(lang, 'portal.footer.phone')}</dt><dd><a class="ltr" dir="ltr" href="tel:${contacts.phone.replace(/[^\d+]/g, '')}">${contacts.phone}</a></dd>` : ''}
${contacts.email ? html`<dt>${t(lang, 'portal.footer.email')}</dt><dd><a href="mailto:${contacts.email}">${contacts.email}</a></dd>` : ''}
${contacts[`address_${lang}`] || contacts.address ? html`<dt>${t(lang, 'portal.footer.address')}</dt><dd>${contacts[`address_${lang}`] || contacts.address}</dd>` : ''}
${contacts[`hours_${lang}`] || contacts.hours ? html`<dt>${t(lang, 'portal.footer.hours')}</dt><dd>${contacts[`hours_${lang}`] || contacts.hours}</dd>` : ''}
</dl>
<p class="hint">${t(lang, 'portal.footer.powered')}</p>
</div></footer>
</body>
</html>`;
}

export function errorPage(req: FastifyRequest, message: string): Html {
  const lang = req.lang ?? 'uk';
  const body = html`<h1>${t(lang, 'error.title')}</h1><p class="alert" role="alert">${message}</p><p><a href="${req.base ?? ''}/${lang}/">${t(lang, 'error.back_home')}</a></p>`;
  if (!req.community) {
    return html`<!doctype html><html lang="${lang}" dir="${dir(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${t(lang, 'error.title')}</title></head><body><main>${body}</main></body></html>`;
  }
  return portalPage(req, { title: t(lang, 'error.title'), body, lang });
}
