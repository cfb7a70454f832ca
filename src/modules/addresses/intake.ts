// The address of an intake form (portal or console): what the register makes of it.
import type { Tx } from '../../db/db.ts';
import type { Lang } from '../../db/types.ts';
import { addressById, resolveAddress, type AddressMatch } from './service.ts';

export type IntakeForm = Record<string, string | undefined>;

/** What goes into the appeal. */
export type IntakeAddress = { address?: string; street_id?: string; building_id?: string; lat?: number; lon?: number };

/** Why the form comes back: several streets fit (choose), nothing fits (check or keep), or a
 * chosen option is no longer in the register. */
export type AddressQuestion = { kind: 'several' | 'none' | 'stale'; options: AddressMatch[] };

export type IntakeResult = { ok: true; value: IntakeAddress } | { ok: false; question: AddressQuestion };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function coordinate(v: string | undefined, max: number): number | undefined {
  if (!v?.trim()) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && Math.abs(n) <= max ? n : undefined;
}

/** The value of a choice radio: "street|building|number". */
export const choiceValue = (m: AddressMatch) => `${m.streetId}|${m.buildingId ?? ''}|${m.number ?? ''}`;

const fromMatch = (m: AddressMatch, lat?: number, lon?: number): IntakeAddress => ({
  address: m.label,
  street_id: m.streetId,
  building_id: m.buildingId ?? undefined,
  // A point the person gave (their location) wins over the building's.
  lat: lat ?? m.lat ?? undefined,
  lon: lat !== undefined ? lon : (m.lon ?? undefined),
});

/**
 * Reads the form's address: a choice made from the list, a suggestion picked while typing
 * (street_id/building_id sent by the script), "keep as typed", or the text alone, which the
 * register must match exactly one street for. No address at all is allowed (the form's other
 * rules decide whether it is needed).
 */
export async function resolveIntakeAddress(tx: Tx, f: IntakeForm, lang: Lang, fallback: Lang): Promise<IntakeResult> {
  const text = f.address?.trim().slice(0, 300);
  const lat = coordinate(f.lat, 90);
  const lon = lat === undefined ? undefined : coordinate(f.lon, 180);
  const point = lon === undefined ? {} : { lat, lon };
  if (!text) return { ok: true, value: point };
  if (f.address_choice === 'as_typed') return { ok: true, value: { address: text, ...point } };
  if (f.address_choice) {
    const [streetId, buildingId, number] = f.address_choice.split('|');
    const m = UUID.test(streetId ?? '') && (!buildingId || UUID.test(buildingId)) ? await addressById(tx, streetId, buildingId || null, number || null, lang, fallback) : null;
    if (m) return { ok: true, value: fromMatch(m, point.lat, point.lon) };
    return { ok: false, question: { kind: 'stale', options: await optionsFor(tx, text, lang, fallback) } };
  }
  if (f.street_id && UUID.test(f.street_id) && (!f.building_id || UUID.test(f.building_id))) {
    const m = await addressById(tx, f.street_id, f.building_id || null, null, lang, fallback);
    if (m) return { ok: true, value: fromMatch(m, point.lat, point.lon) };
  }
  const r = await resolveAddress(tx, text, lang, fallback);
  if (r.status === 'matched') return { ok: true, value: fromMatch(r.match, point.lat, point.lon) };
  return { ok: false, question: { kind: r.status === 'ambiguous' ? 'several' : 'none', options: r.status === 'ambiguous' ? r.options : [] } };
}

async function optionsFor(tx: Tx, text: string, lang: Lang, fallback: Lang): Promise<AddressMatch[]> {
  const r = await resolveAddress(tx, text, lang, fallback);
  return r.status === 'ambiguous' ? r.options : r.status === 'matched' ? [r.match] : [];
}

/** The resolved address back into the form's fields (what a re-shown form sends again). */
export function intakeFields(v: IntakeAddress): IntakeForm {
  const str = (x: string | number | undefined) => (x === undefined ? undefined : String(x));
  // An address kept as typed stays confirmed when the form is shown again (e.g. for duplicates).
  return { address: v.address, street_id: v.street_id, building_id: v.building_id, lat: str(v.lat), lon: str(v.lon), address_choice: v.address && !v.street_id ? 'as_typed' : undefined };
}
