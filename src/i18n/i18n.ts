import { en as coreEn } from './catalogs/en.ts';
import { uk as coreUk } from './catalogs/uk.ts';
import { fa as coreFa } from './catalogs/fa.ts';
import { moduleMessages } from './modules.ts';
import type { Lang } from '../db/types.ts';

export type { Lang };
export const LANGS: readonly Lang[] = ['uk', 'en', 'fa'];
export const isLang = (v: unknown): v is Lang => typeof v === 'string' && (LANGS as string[]).includes(v);

/** A message is a string or, when it counts something, one string per CLDR plural form. */
export type Plural = { one?: string; two?: string; few?: string; many?: string; other: string };
export type Message = string | Plural;
/** Keys of the core catalog (catalogs/en.ts); core uk.ts and fa.ts must have each of them. */
export type CoreKey = keyof typeof coreEn;
export type CoreCatalog = Record<CoreKey, Message>;

// A module keeps its own messages beside its code (modules/<m>/messages.ts, made with
// defineMessages) so that modules grow without editing one shared file.
const en = { ...coreEn, ...moduleMessages.en };
export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, Message>;

export const catalogs: Record<Lang, Catalog> = {
  en,
  uk: { ...coreUk, ...moduleMessages.uk } as Catalog,
  fa: { ...coreFa, ...moduleMessages.fa } as Catalog,
};
const pluralRules = Object.fromEntries(LANGS.map((l) => [l, new Intl.PluralRules(l)])) as Record<Lang, Intl.PluralRules>;
const numbers = Object.fromEntries(LANGS.map((l) => [l, new Intl.NumberFormat(locale(l))])) as Record<Lang, Intl.NumberFormat>;

export function locale(lang: Lang): string {
  return lang === 'fa' ? 'fa-IR' : lang === 'uk' ? 'uk-UA' : 'en-GB';
}

export const dir = (lang: Lang) => (lang === 'fa' ? 'rtl' : 'ltr');

/** Translates `key`; `{name}` placeholders are filled from params, numbers in the language's digits.
 * A plural message picks its form from `params.count`. */
export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const msg = catalogs[lang][key] ?? en[key];
  let text: string;
  if (typeof msg === 'string') text = msg;
  else {
    const form = pluralRules[lang].select(Number(params.count ?? 0)) as keyof Plural;
    text = msg[form] ?? msg.other;
  }
  return text.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) return m;
    return typeof v === 'number' ? numbers[lang].format(v) : v;
  });
}

export function formatNumber(lang: Lang, n: number): string {
  return numbers[lang].format(n);
}

/** Picks the text for `lang` from a per-language content field, falling back to the
 * community's default language and then to any language present. */
export function pick(texts: Partial<Record<Lang, string>> | null | undefined, lang: Lang, fallback: Lang): string {
  if (!texts) return '';
  return texts[lang] || texts[fallback] || Object.values(texts).find(Boolean) || '';
}

export type CalendarKind = 'gregorian' | 'persian';
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Dates the way each language writes them: Solar Hijri with Persian digits for Persian,
 * the community's calendar otherwise, always in the community's time zone. */
export function formatDate(d: Date, lang: Lang, timeZone: string, calendar: CalendarKind, withTime = false): string {
  const cal = lang === 'fa' ? 'persian' : calendar;
  const key = `${lang}|${timeZone}|${cal}|${withTime}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(lang), {
      timeZone,
      calendar: cal === 'persian' ? 'persian' : 'gregory',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    dateFormats.set(key, f);
  }
  return f.format(d);
}
