import sanitizeHtml from 'sanitize-html';

/** Images in a body may only come from our own media library (a community prefix is allowed). */
const OWN_MEDIA = /^(\/c\/[a-z0-9-]+)?\/media\/[A-Za-z0-9-]+\/[A-Za-z0-9_-]+\.(jpg|jpeg|png|webp|avif)$/;

const SAFE_HREF = /^\s*(https?:\/\/|mailto:)/i;

const isBold = (style: string) => /(^|;)\s*font-weight\s*:\s*(bold|[6-9]00)/i.test(style);
const isItalic = (style: string) => /(^|;)\s*font-style\s*:\s*italic/i.test(style);

/** Word and Google Docs express bold and italic with styled spans; keep the meaning, drop the style. */
function spanToMeaning(_tag: string, attribs: sanitizeHtml.Attributes) {
  const style = attribs.style ?? '';
  if (isBold(style)) return { tagName: 'strong', attribs: {} };
  if (isItalic(style)) return { tagName: 'em', attribs: {} };
  return { tagName: 'span', attribs: {} };
}

const OPTIONS: sanitizeHtml.IOptions = {
  // <span> is only a carrier here (sanitize-html mis-closes tags transformed into disallowed
  // ones); the second pass unwraps it.
  allowedTags: ['span', 'p', 'h2', 'h3', 'h4', 'strong', 'em', 'b', 'i', 'u', 's', 'a', 'ul', 'ol', 'li', 'blockquote', 'figure', 'figcaption', 'img',
    'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'br'],
  allowedAttributes: { a: ['href', 'rel'], img: ['src', 'alt', 'width', 'height'], th: ['colspan', 'rowspan', 'scope'], td: ['colspan', 'rowspan'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  // Word's XML islands and everything that runs or styles: dropped with their content.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'xml', 'title', 'head', 'meta', 'template', 'iframe', 'object', 'svg', 'math'],
  transformTags: {
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    // Google Docs wraps a whole paste in <b id="docs-internal-guid-…" style="font-weight:normal">.
    b: (_tag, attribs) => (/^docs-internal-guid/.test(attribs.id ?? '') || /(^|;)\s*font-weight\s*:\s*normal/i.test(attribs.style ?? '') ? { tagName: 'span', attribs: {} } : { tagName: 'strong', attribs: {} }),
    i: 'em',
    span: spanToMeaning,
    // A link with another scheme (javascript:, data:, relative) keeps its text, loses the link.
    a: (_tag, attribs): { tagName: string; attribs: sanitizeHtml.Attributes } =>
      (SAFE_HREF.test(attribs.href ?? '') ? { tagName: 'a', attribs: { href: attribs.href!.trim(), rel: 'noopener noreferrer' } } : { tagName: 'span', attribs: {} }),
  },
  exclusiveFilter: (frame) => {
    if (frame.tag === 'img') return !OWN_MEDIA.test(frame.attribs.src ?? '');
    if (frame.tag === 'p' || frame.tag === 'li' || /^h[2-4]$/.test(frame.tag)) return !frame.text.replace(/[\s\u00a0]/g, '') && !frame.mediaChildren.length;
    return false;
  },
};

/**
 * Cleans a body for publishing: only the safe list survives (paragraphs, h2–h4, emphasis, links with
 * http/https/mailto, lists, quotes, figures, images from our own /media, simple tables). Scripts,
 * event handlers, styles, classes, Word's `mso-` junk and `<o:p>` go; empty paragraphs collapse.
 */
export function sanitizeBody(input: string): string {
  const first = sanitizeHtml(input.replace(/<o:p>[\s\S]*?<\/o:p>/gi, ''), OPTIONS);
  const clean = sanitizeHtml(first, { ...OPTIONS, allowedTags: (OPTIONS.allowedTags as string[]).filter((x) => x !== 'span'), transformTags: {}, exclusiveFilter: undefined });
  return clean
    .replace(/(<br\s*\/?>\s*){3,}/g, '<br><br>')
    .replace(/<p>(?:\s|&nbsp;|<br\s*\/?>)*<\/p>/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Plain text of a cleaned body, blocks separated by new lines: for search, feeds and short channels. */
export function bodyText(cleanHtml: string): string {
  const spaced = cleanHtml.replace(/<\/(p|h[2-4]|li|blockquote|figcaption|tr|caption)>/g, '$&\n').replace(/<br\s*\/?>/g, '\n');
  return sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}
