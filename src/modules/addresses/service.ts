// The address register: finding an address a resident or operator typed, suggestions while
// typing, and what the console shows. Rules in README.md.
import type { Tx } from '../../db/db.ts';
import type { Lang, Texts } from '../../db/types.ts';
import { t } from '../../i18n/i18n.ts';
import { normaliseNumber, parseAddress, streetKey } from './normalise.ts';
import * as q from './queries.ts';

export { runImport, queueImport, getImport, listImports } from './import.ts';

/** One address of the register: a street, and a building on it when the number is known. */
export type AddressMatch = {
  streetId: string;
  buildingId: string | null;
  label: string;
  /** The number as typed when the street is known but the building is not in the register. */
  number: string | null;
  /** Set when the text matched a former name of the street. */
  formerName: string | null;
  lat: number | null;
  lon: number | null;
  districtId: string | null;
};

export type Resolution =
  | { status: 'matched'; match: AddressMatch }
  | { status: 'ambiguous'; options: AddressMatch[] }
  | { status: 'none' };

// Streets within this distance of the best score are equally good: the caller must choose.
const TIE = 0.08;

const toLocalDigits = (s: string, lang: Lang) => (lang === 'fa' ? s.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]) : s);

/** The language the street has a name in: the page's, else the community's, else any. */
function nameLang(names: Texts, lang: Lang, fallback: Lang): Lang {
  if (names[lang]) return lang;
  if (names[fallback]) return fallback;
  return (Object.keys(names) as Lang[]).find((l) => names[l]) ?? lang;
}

/** "вул. Тараса Шевченка, 12а" / "Tarasa Shevchenka St, 12a" / "خیابان فردوسی، پلاک ۱۲". The kind
 * word and number are written in the language of the name, so scripts never mix in one label. */
export function formatAddress(street: Pick<q.StreetRow, 'kind' | 'names'>, number: string | null, lang: Lang, fallback: Lang): string {
  const l = nameLang(street.names, lang, fallback);
  const name = t(l, `addresses.kind.${street.kind}`, { name: street.names[l] ?? '' });
  return number ? t(l, 'addresses.label.number', { street: name, number: toLocalDigits(number, l) }) : name;
}

function toMatch(s: q.StreetRow, b: q.BuildingRow | null, number: string | null, formerName: string | null, lang: Lang, fallback: Lang): AddressMatch {
  return {
    streetId: s.id,
    buildingId: b?.id ?? null,
    label: formatAddress(s, b?.number ?? number, lang, fallback),
    number: b ? null : number,
    formerName,
    lat: b?.lat ?? null,
    lon: b?.lon ?? null,
    districtId: b?.district_id ?? s.district_id,
  };
}

type Candidate = { street: q.StreetRow; score: number; exact: boolean; formerName: string | null };

/** Streets for a typed street name, best first, one entry per street. */
async function candidates(tx: Tx, key: string, limit: number): Promise<Candidate[]> {
  const hits = await q.streetNameHits(tx, key, limit * 4);
  const best = new Map<string, q.NameHit>();
  for (const h of hits) {
    const seen = best.get(h.street_id);
    if (!seen || rank(h) > rank(seen)) best.set(h.street_id, h);
  }
  return [...best.values()]
    .sort((a, b) => rank(b) - rank(a))
    .slice(0, limit)
    .map((h) => ({ street: h.street, score: h.exact ? 1 : h.score, exact: h.exact, formerName: h.former ? formerFor(h.street, h.key) : null }));
}

const rank = (h: q.NameHit) => (h.exact ? 2 : 0) + (h.prefix ? 0.1 : 0) + h.score - (h.former ? 0.01 : 0);

function formerFor(s: q.StreetRow, key: string): string | null {
  return s.former_names.find((n) => streetKey(n) === key) ?? null;
}

/**
 * Finds what the typed text names. One street (and its building when a number was typed and
 * the register has it) → matched. Several streets that fit equally well → ambiguous, with the
 * options to choose from. Nothing close → none. A typo of a single street is a match: there is
 * nothing to choose between.
 */
export async function resolveAddress(tx: Tx, text: string, lang: Lang, fallback: Lang): Promise<Resolution> {
  const p = parseAddress(text);
  if (p.street.length < 2) return { status: 'none' };
  let pool = await candidates(tx, p.street, 12);
  if (!pool.length) return { status: 'none' };
  if (pool.some((c) => c.exact)) pool = pool.filter((c) => c.exact);
  else pool = pool.filter((c) => c.score >= pool[0].score - TIE);
  if (p.kind && pool.some((c) => c.street.kind === p.kind)) pool = pool.filter((c) => c.street.kind === p.kind);
  const buildings = p.numberKey ? await q.buildingsOn(tx, pool.map((c) => c.street.id), p.numberKey, false, 50) : [];
  // A number the register knows on only one of the streets settles the choice.
  if (pool.length > 1 && buildings.length) {
    const withIt = pool.filter((c) => buildings.some((b) => b.street_id === c.street.id));
    if (withIt.length) pool = withIt;
  }
  const options = pool.map((c) => toMatch(c.street, buildings.find((b) => b.street_id === c.street.id) ?? null, p.number, c.formerName, lang, fallback));
  return options.length === 1 ? { status: 'matched', match: options[0] } : { status: 'ambiguous', options: options.slice(0, 8) };
}

/** Suggestions while typing: streets, and buildings once a number is typed. No personal data. */
export async function suggestAddresses(tx: Tx, text: string, lang: Lang, fallback: Lang, limit = 8): Promise<AddressMatch[]> {
  const p = parseAddress(text);
  if (p.street.length < 2) return [];
  const pool = await candidates(tx, p.street, limit);
  if (!p.numberKey) return pool.map((c) => toMatch(c.street, null, null, c.formerName, lang, fallback));
  const buildings = await q.buildingsOn(tx, pool.map((c) => c.street.id), p.numberKey, true, limit * 3);
  // The typed number on every street first ("2" on the street and on the avenue), then longer ones.
  const order = new Map(pool.map((c, i) => [c.street.id, i]));
  const sorted = [...buildings].sort((a, b) => Number(a.number_key !== p.numberKey) - Number(b.number_key !== p.numberKey)
    || a.number_key.length - b.number_key.length || order.get(a.street_id)! - order.get(b.street_id)! || a.number_key.localeCompare(b.number_key));
  const streets = new Map(pool.map((c) => [c.street.id, c]));
  return sorted.slice(0, limit).map((b) => toMatch(streets.get(b.street_id)!.street, b, null, streets.get(b.street_id)!.formerName, lang, fallback));
}

/** An address picked from suggestions or a choice list: checked against the register again. */
export async function addressById(tx: Tx, streetId: string, buildingId: string | null, number: string | null, lang: Lang, fallback: Lang): Promise<AddressMatch | null> {
  const [street] = await q.streetsByIds(tx, [streetId]);
  if (!street) return null;
  const b = buildingId ? await q.buildingById(tx, buildingId) : null;
  if (buildingId && (!b || b.street_id !== streetId)) return null;
  return toMatch(street, b ?? null, b ? null : number, null, lang, fallback);
}

/** Districts with their counts, and streets (all, or those matching a search) for the console. */
export async function registerOverview(tx: Tx, search: string | undefined, limit = 200) {
  const keys = search?.trim() ? (await candidates(tx, parseAddress(search).street || search, limit)).map((c) => c.street.id) : null;
  return { counts: await q.registerCounts(tx), districts: await q.districtSummary(tx), streets: await q.streetList(tx, keys, limit) };
}

/** Whether a street (and a building on it) exist in this community's register. */
export async function addressIdsExist(tx: Tx, streetId: string, buildingId: string | null): Promise<boolean> {
  if (!buildingId) return (await q.streetsByIds(tx, [streetId])).length === 1;
  return (await q.buildingById(tx, buildingId))?.street_id === streetId;
}

/** The community's districts, for choosing whole districts (outages, alerts). */
export const listDistricts = (tx: Tx) => tx.selectFrom('address_districts').select(['id', 'names']).orderBy('key').execute();

/** A building by street and number as typed ("12-А" finds "12а"): one unique-index probe. */
export async function findBuilding(tx: Tx, streetId: string, number: string) {
  const [b] = await q.buildingsOn(tx, [streetId], normaliseNumber(number), false, 1);
  return b ?? null;
}
