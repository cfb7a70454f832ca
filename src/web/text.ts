import { html, type Html } from '../http/html.ts';
import { dir, LANGS, type Lang } from '../i18n/i18n.ts';

/** Content text in the page's language or, when it is missing, in the community's default
 * language marked as such (`<bdi lang>`), so a Ukrainian name inside a Persian page keeps
 * its own direction and is read by screen readers in its own language. */
export function textIn(texts: Partial<Record<Lang, string>> | null | undefined, lang: Lang, fallback: Lang): Html | string {
  if (!texts) return '';
  if (texts[lang]) return texts[lang]!;
  const other = texts[fallback] ? fallback : LANGS.find((l) => texts[l]);
  if (!other) return '';
  return html`<bdi lang="${other}" dir="${dir(other)}">${texts[other]!}</bdi>`;
}
