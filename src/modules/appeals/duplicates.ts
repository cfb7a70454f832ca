import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { AppealStatus } from '../../db/types.ts';
import { OPEN_STATUSES } from './states.ts';

// Duplicate suggestions while an operator registers a call (A9). Heuristics, not rules: the
// operator decides. Candidates are open appeals of the last RECENT_DAYS days; an appeal is
// suggested when it has the same caller's phone (any category), or the same category and an
// address on the same street within HOUSE_SPAN house numbers, or coordinates within NEAR_METRES.

export const RECENT_DAYS = 14;
export const NEAR_METRES = 300;
const HOUSE_SPAN = 6;

// Street-type words that people write in many ways ("вул.", "вулиця", "st", "خیابان").
const STREET_WORDS = new Set([
  'вул', 'вулиця', 'ул', 'улица', 'просп', 'проспект', 'пр', 'пров', 'провулок', 'пл', 'площа', 'бульв', 'бул', 'бульвар', 'б-р',
  'майдан', 'узвіз', 'шосе', 'наб', 'набережна', 'буд', 'будинок', 'кв', 'м', 'місто', 'с', 'село', 'смт',
  'street', 'st', 'avenue', 'ave', 'road', 'rd', 'lane', 'ln', 'square', 'sq', 'boulevard', 'blvd', 'house', 'no', 'apt',
  'خیابان', 'خ', 'کوچه', 'بلوار', 'میدان', 'پلاک', 'بن‌بست', 'بن', 'بست', 'کوی', 'شهرک',
]);

const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';
const ARABIC_DIGITS = '٠١٢٣٤٥٦٧٨٩';

export type AddressKey = { street: string; house: number | null };

/** "вул. Шевченка, 12а" and "Шевченка 12" give the same street ("шевченка") and house 12. */
export function addressKey(address: string | null | undefined): AddressKey | null {
  if (!address) return null;
  const latin = address
    .toLowerCase()
    .replace(/[۰-۹]/g, (d) => String(PERSIAN_DIGITS.indexOf(d)))
    .replace(/[٠-٩]/g, (d) => String(ARABIC_DIGITS.indexOf(d)))
    .replace(/[ʼ’'`"«»]/g, '');
  const words = latin.split(/[^\p{L}\p{N}‌-]+/u).filter(Boolean);
  let house: number | null = null;
  const street: string[] = [];
  for (const w of words) {
    const n = /^(\d+)/.exec(w);
    if (n) {
      if (house === null && street.length) house = Number(n[1]);
      continue;
    }
    if (!STREET_WORDS.has(w)) street.push(w);
  }
  if (!street.length) return null;
  return { street: street.join(' '), house };
}

/** One street name inside the other ("грушевського" and "михайла грушевського", as the
 * address register writes it), with a word long enough not to be a coincidence. */
function sameStreet(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a.split(' '), new Set(b.split(' '))] : [b.split(' '), new Set(a.split(' '))];
  return short.every((w) => long.has(w)) && short.some((w) => w.length >= 4);
}

/** Same street, and house numbers close (or one of them unknown). */
export function sameNeighbourhood(a: AddressKey | null, b: AddressKey | null): boolean {
  if (!a || !b || !sameStreet(a.street, b.street)) return false;
  if (a.house === null || b.house === null) return true;
  return Math.abs(a.house - b.house) <= HOUSE_SPAN;
}

/** Distance in metres on a sphere (haversine): fine for "a few hundred metres". */
export function metres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

const phoneTail = (p: string | null | undefined) => {
  const d = (p ?? '').replace(/\D/g, '');
  return d.length >= 9 ? d.slice(-9) : null;
};

export type Probe = { category_id?: string | null; address?: string | null; phone?: string | null; lat?: number | null; lon?: number | null; excludeId?: string };

type Place = { address: string | null; lat: number | null; lon: number | null };

/** Is `p` near the probe's place: same neighbourhood by address or within NEAR_METRES. */
export function isNear(probe: Probe, p: Place): boolean {
  if (probe.lat != null && probe.lon != null && p.lat != null && p.lon != null) {
    if (metres({ lat: probe.lat, lon: probe.lon }, { lat: p.lat, lon: p.lon }) <= NEAR_METRES) return true;
  }
  return sameNeighbourhood(addressKey(probe.address), addressKey(p.address));
}

export type DuplicateReason = 'phone' | 'address';
export type SuggestedAppeal = {
  id: string; number: string; status: AppealStatus; description: string; address: string | null;
  category_id: string; incident_id: string | null; created_at: Date; reasons: DuplicateReason[];
};
export type SuggestedIncident = { id: string; title: string; location: string | null; category_id: string; created_at: Date; appeals: number };

/** Open appeals that may be the same problem, best first (phone and address both, then phone, then address). */
export async function suggestAppeals(tx: Tx, probe: Probe, limit = 8): Promise<SuggestedAppeal[]> {
  const tail = phoneTail(probe.phone);
  if (!probe.category_id && !tail) return [];
  const rows = await tx
    .selectFrom('appeals')
    .select(['id', 'number', 'status', 'description', 'address', 'lat', 'lon', 'category_id', 'incident_id', 'created_at', 'applicant_phone'])
    .where('status', 'in', OPEN_STATUSES)
    .where('created_at', '>', sql<Date>`now() - make_interval(days => ${RECENT_DAYS})`)
    .where((eb) => {
      const ors = [];
      if (probe.category_id) ors.push(eb('category_id', '=', probe.category_id));
      if (tail) ors.push(eb(sql<string>`right(regexp_replace(applicant_phone, '\\D', '', 'g'), 9)`, '=', tail));
      return eb.or(ors);
    })
    .$if(!!probe.excludeId, (q) => q.where('id', '!=', probe.excludeId!))
    .orderBy('created_at', 'desc')
    .limit(300)
    .execute();
  const out: SuggestedAppeal[] = [];
  for (const r of rows) {
    const reasons: DuplicateReason[] = [];
    if (tail && phoneTail(r.applicant_phone) === tail) reasons.push('phone');
    if (probe.category_id === r.category_id && isNear(probe, r)) reasons.push('address');
    if (!reasons.length) continue;
    const { applicant_phone: _p, lat: _a, lon: _o, ...rest } = r;
    out.push({ ...rest, reasons });
  }
  return out.sort((a, b) => b.reasons.length - a.reasons.length).slice(0, limit);
}

/** Open incidents of the category near the place (or, with no place given, all of the category). */
export async function suggestIncidents(tx: Tx, probe: Probe, limit = 5): Promise<SuggestedIncident[]> {
  if (!probe.category_id) return [];
  const rows = await tx
    .selectFrom('appeal_incidents as i')
    .select(['i.id', 'i.title', 'i.location', 'i.lat', 'i.lon', 'i.category_id', 'i.created_at'])
    .select((eb) => eb.selectFrom('appeals as a').select(eb.fn.countAll<string>().as('n')).whereRef('a.incident_id', '=', 'i.id').as('appeals'))
    .where('i.status', '=', 'open')
    .where('i.category_id', '=', probe.category_id)
    .orderBy('i.created_at', 'desc')
    .limit(100)
    .execute();
  const placeGiven = !!probe.address || (probe.lat != null && probe.lon != null);
  const linkedAddresses = placeGiven && rows.length
    ? await tx.selectFrom('appeals').select(['incident_id', 'address', 'lat', 'lon']).where('incident_id', 'in', rows.map((r) => r.id)).execute()
    : [];
  return rows
    .filter((i) => !placeGiven || isNear(probe, { address: i.location, lat: i.lat, lon: i.lon })
      || linkedAddresses.some((a) => a.incident_id === i.id && isNear(probe, a)))
    .slice(0, limit)
    .map((i) => ({ id: i.id, title: i.title, location: i.location, category_id: i.category_id, created_at: i.created_at, appeals: Number(i.appeals ?? 0) }));
}

export async function suggestDuplicates(tx: Tx, probe: Probe) {
  return { appeals: await suggestAppeals(tx, probe), incidents: await suggestIncidents(tx, probe) };
}

/** Open appeals of the incident's category, not in any incident, near its location or near
 * one of its appeals: candidates to add to it. */
export async function appealsNearIncident(tx: Tx, incident: { id: string; category_id: string; location: string | null; lat: number | null; lon: number | null }, limit = 10) {
  const linked = await tx.selectFrom('appeals').select(['address', 'lat', 'lon']).where('incident_id', '=', incident.id).limit(200).execute();
  const rows = await tx
    .selectFrom('appeals')
    .select(['id', 'number', 'status', 'description', 'address', 'lat', 'lon', 'created_at'])
    .where('status', 'in', OPEN_STATUSES)
    .where('category_id', '=', incident.category_id)
    .where('incident_id', 'is', null)
    .where('created_at', '>', sql<Date>`now() - make_interval(days => ${RECENT_DAYS})`)
    .orderBy('created_at', 'desc')
    .limit(300)
    .execute();
  const places: Probe[] = [{ address: incident.location, lat: incident.lat, lon: incident.lon }, ...linked];
  return rows.filter((r) => places.some((p) => isNear(p, r))).slice(0, limit);
}
