// Full-text search of published materials. PostgreSQL has no Ukrainian or Persian snowball
// configuration, so the application normalises text itself and stores it with 'simple':
// the same `terms()` runs on documents and on queries, so what is folded or stemmed on one
// side is folded or stemmed the same way on the other.
import { sql, type RawBuilder } from 'kysely';
import type { Lang } from '../../db/types.ts';

const ZWNJ = '\u200c';

/** Letter variants a Persian reader treats as one letter (Arabic keyboards type the first). */
const PERSIAN_FOLD: Record<string, string> = {
  'ي': 'ی', 'ى': 'ی', 'ئ': 'ی', 'ك': 'ک', 'ة': 'ه', 'ۀ': 'ه', 'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ؤ': 'و',
};

/** Lower case, one apostrophe (removed: "бар'єр" and "барʼєр" are one word), Persian letters
 * folded, Arabic diacritics and tatweel dropped, Persian and Arabic digits as 0–9. */
export function foldText(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/['’ʼ`´‘ʹ]/g, '')
    .replace(/[\u064b-\u065f\u0670\u0640]/g, '')
    .replace(/[يىئكةۀأإآٱؤ]/g, (c) => PERSIAN_FOLD[c])
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u200d\u200e\u200f\u00ad]/g, '')
    .replace(/ё/g, 'е');
}

// Ukrainian inflection endings, longest first: nouns, adjectives, participles, verbs.
const UK_ENDINGS = [
  'уванням', 'юванням', 'уванні', 'юванні', 'ування', 'ювання', 'анням', 'енням', 'інням', 'анні', 'енні', 'інні', 'ання', 'ення', 'іння', 'ань', 'ень',
  'ими', 'ого', 'ому', 'ої', 'ій', 'ою', 'ею', 'єю', 'ами', 'ями', 'ах', 'ях', 'ам', 'ям', 'ів', 'їв', 'ей', 'ом', 'ем', 'єм',
  'ують', 'юють', 'ують', 'ають', 'яють', 'ить', 'ать', 'ять', 'ють', 'уть', 'ете', 'ємо', 'емо', 'имо', 'іть', 'ати', 'яти', 'ити', 'іти', 'ути', 'ив', 'ав', 'ув',
  'их', 'им', 'ім', 'ий', 'ій', 'ої', 'ая', 'ее', 'ие',
  'а', 'е', 'є', 'и', 'і', 'ї', 'о', 'у', 'ю', 'я', 'ь', 'й',
].sort((a, b) => b.length - a.length);
// Nouns in -ання/-ення keep the verbal stem: "будівництво", "ремонтування" are not shortened past it.
const UK_MIN_STEM = 3;

/** A light Ukrainian stemmer: strips a reflexive ending, then the longest inflection ending
 * that leaves at least three letters. "ремонту", "ремонтом", "ремонтами" → "ремонт". */
export function stemUk(word: string): string {
  // -ість/-ості alternate і/о ("безбар'єрність", "безбар'єрності"): one stem for both.
  let w = word.replace(/ість$|істю$/, 'ості');
  if (w.length > 5 && /(ся|сь)$/.test(w)) w = w.slice(0, -2);
  for (const e of UK_ENDINGS) {
    if (w.length - e.length >= UK_MIN_STEM && w.endsWith(e)) {
      w = w.slice(0, -e.length);
      break;
    }
  }
  // After -ення/-ання the stem may end in a doubled consonant or a soft sign; keep one form.
  return w.replace(/ь$/, '');
}

/** Persian plural and possessive suffixes written joined ("کتابها", "کتابهای"). */
export function stemFa(word: string): string {
  for (const e of ['هایی', 'های', 'ها', 'ترین', 'یی']) {
    if (word.length - e.length >= 2 && word.endsWith(e)) return word.slice(0, -e.length);
  }
  return word;
}

/** English: plural and a few verb forms, enough for "roads" to find "road". */
export function stemEn(word: string): string {
  if (word.length > 5 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && /(ing|ed)$/.test(word)) return word.replace(/(ing|ed)$/, '');
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function stem(word: string): string {
  if (/[\u0400-\u04ff]/.test(word)) return stemUk(word);
  if (/[\u0600-\u06ff]/.test(word)) return stemFa(word);
  if (/[a-z]/.test(word)) return stemEn(word);
  return word;
}

const WORD = /[\p{L}\p{N}\u200c]+/gu;

/**
 * The search terms of a text. A Persian word written with a half-space ("می‌شود") gives its
 * joined form ("میشود") for documents and queries alike, and in documents also its parts, so
 * a query typed with a space ("می شود") finds it too.
 */
export function terms(text: string, forDocument: boolean): string[] {
  const out: string[] = [];
  for (const m of foldText(text).matchAll(WORD)) {
    const word = m[0];
    const parts = word.split(ZWNJ).filter(Boolean);
    if (!parts.length) continue;
    out.push(stem(parts.join('')));
    if (forDocument && parts.length > 1) for (const p of parts) out.push(stem(p));
  }
  return out;
}

/** The normalised document text handed to to_tsvector('simple', …). */
export const documentText = (text: string) => terms(text, true).join(' ');

/**
 * The `search` column's value for a version: title weighs most, then the lead, then the body.
 * `lang` is accepted for the day a language needs its own rules; words are stemmed by script.
 */
export function searchVectorSql(_lang: Lang, title: string, lead: string, bodyText: string): RawBuilder<string> {
  return weightedVector(sql`${documentText(title)}`, sql`${documentText(lead)}`, sql`${documentText(bodyText)}`);
}

/** The same vector from SQL expressions holding `documentText()` output (the demo's set-based insert). */
export function weightedVector(title: RawBuilder<unknown>, lead: RawBuilder<unknown>, body: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`setweight(to_tsvector('simple', ${title}), 'A') || setweight(to_tsvector('simple', ${lead}), 'B') || setweight(to_tsvector('simple', ${body}), 'C')`;
}

/** The query's terms joined with AND, or null when the query has no word to look for. */
export function queryText(q: string): string | null {
  const ts = [...new Set(terms(q.slice(0, 200), false))].slice(0, 12);
  return ts.length ? ts.join(' & ') : null;
}

/** A tsquery for `q` (null when it has no searchable word). Terms hold only letters and
 * digits, so the string cannot carry tsquery operators of its own. */
export function searchQuerySql(_lang: Lang, q: string): RawBuilder<string> | null {
  const text = queryText(q);
  return text === null ? null : sql<string>`to_tsquery('simple', ${text})`;
}
