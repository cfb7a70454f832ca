// Pieces of the public news pages: addresses, a list of materials, a cover picture, the pager,
// and the article's metadata for search engines and link previews (schema.org, OpenGraph).
import type { FastifyRequest } from 'fastify';
import { html, raw, type Html } from '../../http/html.ts';
import { formatDate, pick, t, type Lang } from '../../i18n/i18n.ts';
import { mediaPath, srcset, VIDEO_TYPES, videoPath } from '../../modules/media/service.ts';
import { mb } from '../../modules/media/image.ts';
import type { Cover, PublicArticle, PublicItem, PublicVideo } from '../../modules/newsroom/public.ts';

export const PAGE_SIZE = 20;

export const origin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

// A slug in its own script is written as is in the page's links (an IRI: the browser encodes
// it), a third of the bytes of its percent-encoding in a list of twenty; absolute addresses for
// other programs (canonical, hreflang, feeds, sitemap) are percent-encoded.
const iri = (slug: string) => slug.replace(/[%"'<>\\^`{|}\s?#/]/g, (c) => encodeURIComponent(c));

export const newsUrls = (req: FastifyRequest, lang: Lang) => {
  const b = `${req.base}/${lang}`;
  return {
    list: `${b}/news`,
    article: (slug: string) => `${b}/news/${iri(slug)}`,
    articleEncoded: (slug: string) => `${b}/news/${encodeURIComponent(slug)}`,
    tag: (slug: string) => `${b}/tags/${encodeURIComponent(slug)}`,
    rubric: (code: string) => `${b}/rubrics/${code}`,
    campaign: (code: string) => `${b}/campaigns/${code}`,
    category: (code: string) => `${b}/news?category=${code}`,
    search: `${b}/search`,
  };
};

const when = (req: FastifyRequest, d: Date, lang: Lang, withTime = false) => formatDate(new Date(d), lang, req.community.time_zone, req.community.calendar, withTime);

/** A responsive cover: WebP and JPEG at every width the media module makes. */
export function picture(req: FastifyRequest, c: Cover, lang: Lang, sizes: string, eager = false): Html {
  const alt = pick(c.alt, lang, req.community.default_lang);
  const small = c.width >= 640 ? 'w640' : 'original';
  return html`<picture><source type="image/webp" srcset="${srcset(req.base, c, 'webp')}" sizes="${sizes}"><img src="${mediaPath(req.base, c.id, small, 'jpg')}" srcset="${srcset(req.base, c, 'jpg')}" sizes="${sizes}" width="${c.width}" height="${c.height}" alt="${alt}"${raw(eager ? ' fetchpriority="high"' : ' loading="lazy" decoding="async"')}></picture>`;
}

/**
 * An uploaded video: the browser's own player (works without JavaScript), nothing loaded until
 * the reader presses play, the poster frame when the job made one; a plain link to the file
 * below it for players that cannot play it inline.
 */
export function videoPlayer(req: FastifyRequest, lang: Lang, v: PublicVideo, title: string): Html {
  const src = videoPath(req.base, v.id, v.format);
  const poster = v.poster ? mediaPath(req.base, v.id, v.width >= 1280 ? 'w1280' : v.width >= 640 ? 'w640' : 'original', 'jpg') : null;
  const link = html`<a href="${src}" type="${VIDEO_TYPES[v.format]}">${t(lang, 'media.video.file', { format: v.format.toUpperCase(), size: mb(v.bytes) })}</a>`;
  return html`<figure class="video"><video controls preload="none" playsinline aria-label="${title}"${poster ? html` poster="${poster}"` : ''}${v.width && v.height ? html` width="${v.width}" height="${v.height}"` : ''}>
<source src="${src}" type="${VIDEO_TYPES[v.format]}">${link}</video>
<figcaption>${link}</figcaption></figure>`;
}

/** Materials as a list: headline link, date, category, lead; `level` is the headline's rank;
 * `badge` false under an "urgent" heading, where the mark would only repeat it. */
export function newsList(req: FastifyRequest, lang: Lang, items: PublicItem[], level: 2 | 3 = 2, withCovers = true, badge = true): Html {
  const u = newsUrls(req, lang);
  const h = (inner: Html) => (level === 2 ? html`<h2>${inner}</h2>` : html`<h3>${inner}</h3>`);
  return html`<ul class="news">${items.map((i) => html`<li${i.cover && withCovers ? raw(' class="with-cover"') : ''}>
${i.cover && withCovers ? html`<div class="thumb">${picture(req, i.cover, lang, '(min-width: 40rem) 10rem, 30vw')}</div>` : ''}
<div>${h(html`${i.urgent && badge ? html`<span class="urgent">${t(lang, 'newsroom.public.urgent')}</span> ` : ''}<a href="${u.article(i.slug)}">${i.title}</a>`)}
<p class="meta"><time datetime="${new Date(i.published_at).toISOString()}">${when(req, i.published_at, lang, true)}</time>${i.category_code ? html` · <a href="${u.category(i.category_code)}">${pick(i.category_names, lang, req.community.default_lang)}</a>` : ''}</p>
${i.lead ? html`<p>${i.lead}</p>` : ''}</div></li>`)}</ul>`;
}

/** "Newer / page N of M / older" links keeping the page's other query parameters. */
export function pager(lang: Lang, path: string, params: Record<string, string | undefined>, page: number, pages: number): Html {
  if (pages <= 1) return html``;
  const href = (p: number) => {
    const q = new URLSearchParams(Object.entries({ ...params, page: p > 1 ? String(p) : undefined }).filter((e): e is [string, string] => !!e[1]));
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };
  return html`<nav class="pager" aria-label="${t(lang, 'newsroom.public.pages')}"><ul>
${page > 1 ? html`<li><a rel="prev" href="${href(page - 1)}">${t(lang, 'newsroom.public.prev')}</a></li>` : ''}
<li aria-current="page">${t(lang, 'newsroom.public.page', { page, pages })}</li>
${page < pages ? html`<li><a rel="next" href="${href(page + 1)}">${t(lang, 'newsroom.public.next')}</a></li>` : ''}
</ul></nav>`;
}

export const NEWS_CSS = html`<style>
ul.news h2{font-size:1.15rem;margin:0}
ul.news li.with-cover{grid-template-columns:7rem minmax(0,1fr);gap:.75rem;align-items:start}
.thumb img,article img,article video{max-width:100%;height:auto;display:block;border-radius:.375rem}
article video{width:100%;background:#000}
article video:not([width]){aspect-ratio:16/9}
nav.pager ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0;align-items:center}
nav.pager a{display:inline-block;padding:.6rem .25rem;min-height:44px}
.terms{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}
.terms a{display:inline-block;padding:.35rem .7rem;border:1px solid #c9d3df;border-radius:1rem;min-height:44px;line-height:1.8}
form.filters{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));align-items:end}
.body{overflow-wrap:anywhere}
figure{margin:0}
.gallery{display:grid;gap:.5rem;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr))}
@media (min-width:40rem){ul.news li.with-cover{grid-template-columns:10rem minmax(0,1fr)}}
</style>`;

const OG_LOCALE: Record<Lang, string> = { uk: 'uk_UA', en: 'en_GB', fa: 'fa_IR' };
// JSON inside <script> must not contain "</script>"; \u003c keeps it valid JSON.
const jsonLd = (o: unknown) => raw(`<script type="application/ld+json">${JSON.stringify(o).replace(/</g, '\\u003c')}</script>`);

/** Absolute address of a cover for previews: the 1280 px JPEG (or the original when smaller). */
export const coverUrl = (req: FastifyRequest, c: Cover) => `${origin(req)}${mediaPath(req.base, c.id, c.width >= 1280 ? 'w1280' : 'original', 'jpg')}`;

/** The article page's head: canonical link, description, NewsArticle JSON-LD, OpenGraph, Twitter card. */
export function articleHead(req: FastifyRequest, lang: Lang, a: PublicArticle): Html {
  const c = req.community;
  const url = `${origin(req)}${newsUrls(req, lang).articleEncoded(a.slug)}`;
  const site = pick(c.names, lang, c.default_lang);
  const images = [a.cover, ...a.gallery].filter((x): x is Cover => !!x).map((x) => coverUrl(req, x));
  const modified = new Date(a.corrected_at ?? a.published_at).toISOString();
  const published = new Date(a.first_published_at ?? a.published_at).toISOString();
  const description = a.lead || a.title;
  const org = { '@type': 'GovernmentOrganization', name: site, url: `${origin(req)}${req.base}/${lang}/` };
  return html`<link rel="canonical" href="${url}">
<meta name="description" content="${description}">
${jsonLd({
    '@context': 'https://schema.org', '@type': 'NewsArticle', headline: a.title.slice(0, 110), description, inLanguage: lang,
    url, mainEntityOfPage: { '@type': 'WebPage', '@id': url }, datePublished: published, dateModified: modified,
    ...(images.length ? { image: images } : {}), author: org, publisher: org,
    ...(a.category_names ? { articleSection: pick(a.category_names, lang, c.default_lang) } : {}),
    ...(a.tags.length ? { keywords: a.tags.map((x) => pick(x.names, lang, c.default_lang)).join(', ') } : {}),
  })}
<meta property="og:type" content="article">
<meta property="og:site_name" content="${site}">
<meta property="og:title" content="${a.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${url}">
<meta property="og:locale" content="${OG_LOCALE[lang]}">
${Object.keys(a.alternates).filter((l) => l !== lang).map((l) => html`<meta property="og:locale:alternate" content="${OG_LOCALE[l as Lang]}">`)}
${images[0] ? html`<meta property="og:image" content="${images[0]}">${a.cover ? html`<meta property="og:image:alt" content="${pick(a.cover.alt, lang, c.default_lang)}">` : ''}` : ''}
<meta property="article:published_time" content="${published}">
<meta property="article:modified_time" content="${modified}">
${a.tags.map((x) => html`<meta property="article:tag" content="${pick(x.names, lang, c.default_lang)}">`)}
<meta name="twitter:card" content="${images.length ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${a.title}">
<meta name="twitter:description" content="${description}">
${images[0] ? html`<meta name="twitter:image" content="${images[0]}">` : ''}
${NEWS_CSS}`;
}

/** The article itself. `body_html` was sanitised when it was saved (newsroom/sanitize.ts). */
export function articleBody(req: FastifyRequest, lang: Lang, a: PublicArticle): Html {
  const c = req.community;
  const u = newsUrls(req, lang);
  const name = (x: { names: Record<string, string> }) => pick(x.names, lang, c.default_lang);
  const others = (Object.entries(a.alternates) as [Lang, string][]).filter(([l]) => l !== lang);
  return html`<article>
<p class="meta">${a.urgent ? html`<span class="urgent">${t(lang, 'newsroom.public.urgent')}</span> ` : ''}${t(lang, `newsroom.public.type.${a.type}` as never)}${a.category_code ? html` · <a href="${u.category(a.category_code)}">${pick(a.category_names, lang, c.default_lang)}</a>` : ''}</p>
<h1>${a.title}</h1>
<p class="meta"><time datetime="${new Date(a.published_at).toISOString()}">${t(lang, 'newsroom.public.published', { date: when(req, a.first_published_at ?? a.published_at, lang, true) })}</time>${a.corrected_at ? html` · <time datetime="${new Date(a.corrected_at).toISOString()}">${t(lang, 'newsroom.public.updated', { date: when(req, a.corrected_at, lang, true) })}</time>` : ''}${a.place ? html` · ${t(lang, 'newsroom.public.place')}: ${a.place}` : ''}</p>
${a.lead ? html`<p class="lead">${a.lead}</p>` : ''}
${a.cover ? html`<figure>${picture(req, a.cover, lang, '(min-width: 60rem) 58rem, 100vw', true)}</figure>` : ''}
<div class="body">${raw(a.body_html)}</div>
${a.correction_note ? html`<p class="notice">${t(lang, 'newsroom.public.correction', { note: a.correction_note })}</p>` : ''}
${a.video ? videoPlayer(req, lang, a.video, a.title) : ''}
${a.video_url && /^https:\/\//.test(a.video_url) ? html`<p><a href="${a.video_url}" rel="noopener">${t(lang, 'newsroom.public.video')}</a></p>` : ''}
${a.gallery.length ? html`<h2>${t(lang, 'newsroom.public.gallery')}</h2><div class="gallery">${a.gallery.map((g) => picture(req, g, lang, '(min-width: 40rem) 12rem, 45vw'))}</div>` : ''}
${a.rubric ? html`<p>${t(lang, 'newsroom.public.rubric')}: <a href="${u.rubric(a.rubric.code)}">${name(a.rubric)}</a></p>` : ''}
${a.campaign ? html`<p>${t(lang, 'newsroom.public.campaign')}: <a href="${u.campaign(a.campaign.code)}">${name(a.campaign)}</a></p>` : ''}
${a.tags.length ? html`<h2>${t(lang, 'newsroom.public.tags')}</h2><ul class="terms">${a.tags.map((x) => html`<li><a href="${u.tag(x.code)}" rel="tag">${name(x)}</a></li>`)}</ul>` : ''}
${others.length ? html`<h2>${t(lang, 'newsroom.public.other_languages')}</h2><ul>${others.map(([l, slug]) => html`<li><a href="${newsUrls(req, l).article(slug)}" hreflang="${l}" lang="${l}">${t(l, `lang.${l}`)}</a></li>`)}</ul>` : ''}
</article>`;
}
