import type { StreetKind } from './tables.ts';

// Every spelling a resident may type for one letter: apostrophes (ʼ ' ’ ‘ ` ′ ʹ), Arabic
// letters on a Persian keyboard (ي ك ى ة), zero-width joiners, diacritics and tatweel.
const APOSTROPHES = /['’‘`′ʹʼ"«»]/g;
const ZERO_WIDTH = /[\u200c\u200d\u200e\u200f\u2060\ufeff]/g;
const ARABIC_MARKS = /[\u064b-\u065f\u0670\u0640]/g;
const LETTERS: Record<string, string> = { 'ي': 'ی', 'ى': 'ی', 'ئ': 'ی', 'ك': 'ک', 'ة': 'ه', 'ۀ': 'ه', 'أ': 'ا', 'إ': 'ا', 'ٱ': 'ا', 'ё': 'е' };
const DIGITS: Record<string, string> = Object.fromEntries(
  [...'۰۱۲۳۴۵۶۷۸۹'].map((d, i) => [d, String(i)]).concat([...'٠١٢٣٤٥٦٧٨٩'].map((d, i) => [d, String(i)])),
);

/** Lower case, one spelling per letter, digits in ASCII, punctuation to spaces. */
export function normaliseText(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(APOSTROPHES, '')
    .replace(ZERO_WIDTH, '')
    .replace(ARABIC_MARKS, '')
    .replace(/[يىئكةۀأإٱё]/g, (c) => LETTERS[c])
    .replace(/[۰-۹٠-٩]/g, (c) => DIGITS[c])
    .replace(/[^\p{L}\p{N}/]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

// Search keys are ASCII: PostgreSQL's trigram index only sees letters of its locale, and a
// database made with LC_CTYPE=C (the embedded one) knows no Cyrillic or Persian letters. The
// Latin spelling also lets "Shevchenka" find "Шевченка". Persian is written without short
// vowels, so its key is the consonant skeleton, written without spaces: ZWNJ, space or nothing
// between the parts of "آیت‌الله" give one key.
const ASCII: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ie', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'i', й: 'i', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ь: '', ю: 'iu', я: 'ia',
  ы: 'y', э: 'e', ъ: '',
  ا: 'a', آ: 'a', ب: 'b', پ: 'p', ت: 't', ث: 's', ج: 'j', چ: 'ch', ح: 'h', خ: 'kh', د: 'd', ذ: 'z', ر: 'r', ز: 'z', ژ: 'zh', س: 's',
  ش: 'sh', ص: 's', ض: 'z', ط: 't', ظ: 'z', ع: 'a', غ: 'gh', ف: 'f', ق: 'gh', ک: 'k', گ: 'g', ل: 'l', م: 'm', ن: 'n', و: 'v', ه: 'h',
  ی: 'y', ء: '', ؤ: 'v',
};
const ARABIC_SCRIPT = /[\u0600-\u06ff]/;

/** The ASCII search key of normalised words. */
export function searchKey(words: string[]): string {
  const text = words.join(' ');
  const latin = [...text].map((c) => ASCII[c] ?? c).join('').replace(/[^a-z0-9/ ]/g, '');
  return (ARABIC_SCRIPT.test(text) ? latin.replace(/ /g, '') : latin).trim();
}

// The words for a street's kind, normalised, in the three languages and their abbreviations.
const KIND_WORDS: Record<string, StreetKind> = {};
const add = (kind: StreetKind, words: string) => words.split(',').forEach((w) => (KIND_WORDS[normaliseText(w)] = kind));
add('street', 'вул,вулиця,ул,улица,street,st,str,خیابان,خ');
add('avenue', 'просп,проспект,пр,пр-т,пр т,avenue,ave,av,prospekt');
add('lane', 'пров,провулок,пер,переулок,lane,ln,provulok');
add('boulevard', 'бульв,бульвар,б-р,boulevard,blvd,bulvar,بلوار,بل');
add('square', 'пл,площа,майдан,square,sq,ploshcha,میدان');
add('passage', 'проїзд,пр-д,passage,proizd');
add('embankment', 'наб,набережна,embankment,naberezhna');
add('dead_end', 'туп,тупик,dead end,بن بست,بن‌بست');
add('alley', 'کوچه,ک,alley,kucheh');
add('highway', 'шосе,highway,hwy,بزرگراه,جاده');

// Words that introduce a building number: "буд. 12", "д. 5", "پلاک ۱۲", "No. 7".
const NUMBER_WORDS = new Set(['буд', 'будинок', 'б', 'д', 'дом', 'no', 'nr', 'house', 'پلاک', 'پ', 'корп', 'корпус']);
// A building number: 12, 12а, 12 а, 12/2, 12-а, 12 корп. 2 is kept as 12/2.
const NUMBER = /^\d{1,5}(?:\s?[\p{L}](?![\p{L}]))?(?:\/\d{1,4}(?:[\p{L}](?![\p{L}]))?)?$/u;
const LATIN_LOOKALIKES: Record<string, string> = { a: 'а', b: 'б', v: 'в', g: 'г', d: 'д', e: 'е', c: 'с', o: 'о' };

/** "12-А", "12 а", "12a" → "12а"; "۱۲" → "12". */
export function normaliseNumber(s: string): string {
  return normaliseText(s)
    .replace(/[\s-]+/g, '')
    .replace(/[abvgdeco]/g, (c) => LATIN_LOOKALIKES[c]);
}

export type ParsedAddress = { street: string; kind: StreetKind | null; number: string | null; numberKey: string | null };

/** Splits typed text into the street's normalised name, the kind it named, and a building number. */
export function parseAddress(input: string): ParsedAddress {
  const text = input.slice(0, 300);
  // The number is the last comma part when it looks like one ("Шевченка, 12а"), else the last word(s).
  let words = normaliseText(text.replace(/(\d)\s*-\s*(\p{L})/gu, '$1$2')).split(' ').filter(Boolean);
  let number: string | null = null;
  for (const take of [3, 2, 1]) {
    if (words.length <= take - 1) continue;
    const tail = words.slice(-take).filter((w) => !NUMBER_WORDS.has(w)).join(' ');
    if (tail && NUMBER.test(tail) && words.length > take) {
      number = tail;
      words = words.slice(0, -take);
      break;
    }
  }
  while (words.length && NUMBER_WORDS.has(words[words.length - 1])) words.pop();
  // "کوچه ۱۲" is alley number 12, not building 12 of a street called "alley".
  if (number && words.length === 1 && KIND_WORDS[words[0]]) {
    words.push(normaliseText(number));
    number = null;
  }
  let kind: StreetKind | null = null;
  const strip = (w: string[]) => {
    for (const n of [2, 1]) {
      if (w.length > n && KIND_WORDS[w.slice(0, n).join(' ')]) return { kind: KIND_WORDS[w.slice(0, n).join(' ')], rest: w.slice(n) };
      if (w.length > n && KIND_WORDS[w.slice(-n).join(' ')]) return { kind: KIND_WORDS[w.slice(-n).join(' ')], rest: w.slice(0, -n) };
    }
    return { kind: null, rest: w };
  };
  const s = strip(words);
  kind = s.kind;
  words = s.rest;
  return { street: searchKey(words), kind, number, numberKey: number ? normaliseNumber(number) : null };
}

/** The search key of a street name: normalised, its kind word taken off. */
export function streetKey(name: string): string {
  return parseStreetName(name).key;
}

/** A street name from a file ("вулиця Шевченка", "Shevchenka St", "خیابان فردوسی"): key and kind. */
export function parseStreetName(name: string): { key: string; kind: StreetKind | null } {
  const words = normaliseText(name).split(' ').filter(Boolean);
  for (const n of [2, 1]) {
    if (words.length > n && KIND_WORDS[words.slice(0, n).join(' ')]) return { key: searchKey(words.slice(n)), kind: KIND_WORDS[words.slice(0, n).join(' ')] };
    if (words.length > n && KIND_WORDS[words.slice(-n).join(' ')]) return { key: searchKey(words.slice(0, -n)), kind: KIND_WORDS[words.slice(-n).join(' ')] };
  }
  return { key: searchKey(words), kind: null };
}

/** The kind named by a word from a file's "kind" column or an OSM tag. */
export function kindOf(word: string | undefined | null): StreetKind | null {
  if (!word) return null;
  const w = normaliseText(word);
  if (KIND_WORDS[w]) return KIND_WORDS[w];
  return (['street', 'avenue', 'lane', 'boulevard', 'square', 'passage', 'embankment', 'dead_end', 'alley', 'highway', 'other'] as string[]).includes(word.trim()) ? (word.trim() as StreetKind) : null;
}

/** A name as written, without its kind word: "вулиця Тараса Шевченка" → "Тараса Шевченка". */
export function bareName(name: string): string {
  const words = name.trim().split(/\s+/);
  for (const n of [2, 1]) {
    if (words.length > n && KIND_WORDS[normaliseText(words.slice(0, n).join(' '))]) return words.slice(n).join(' ');
    if (words.length > n && KIND_WORDS[normaliseText(words.slice(-n).join(' '))]) return words.slice(0, -n).join(' ');
  }
  return name.trim();
}
