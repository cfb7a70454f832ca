// An outage's area, written by a dispatcher one rule per line ("вул. Шевченка",
// "вул. Шевченка, 1-25 непарні", "вул. Шевченка, 12"), plus districts and polygons.
import type { Tx } from '../../db/db.ts';
import type { Lang } from '../../i18n/i18n.ts';
import { resolveAddress, type AddressMatch } from '../addresses/service.ts';
import { parsePolygons } from '../alerts/schema.ts';

export type AreaRule =
  | { kind: 'street'; street_id: string; label: string }
  | { kind: 'range'; street_id: string; from_number: number; to_number: number; parity: 'all' | 'odd' | 'even'; label: string }
  | { kind: 'building'; street_id: string; building_id: string; label: string }
  | { kind: 'district'; district_id: string; label: string }
  | { kind: 'polygon'; polygon: [number, number][]; label: string };

/** A line the register could not settle: nothing matched, or several streets did. */
export type LineProblem = { line: number; text: string; options: AddressMatch[] };

const RANGE = /^(.*?)[,\s]+(\d+)\s*[-–—]\s*(\d+)\s*(.*)$/u;
const PARITY: Array<[RegExp, 'odd' | 'even']> = [[/^(непарн|odd|فرد)/iu, 'odd'], [/^(парн|even|زوج)/iu, 'even']];

/** House numbers compare by their leading digits: "12а" is on the 12 of a range. */
export const houseNumber = (s: string | null | undefined) => {
  const m = /\d+/.exec((s ?? '').replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))));
  return m ? Number(m[0]) : null;
};

export async function parseAreaLines(tx: Tx, text: string, lang: Lang, fallback: Lang): Promise<{ rules: AreaRule[]; problems: LineProblem[] }> {
  const rules: AreaRule[] = [];
  const problems: LineProblem[] = [];
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).slice(0, 200);
  for (const [i, line] of lines.entries()) {
    const range = RANGE.exec(line);
    const streetText = range ? range[1] : line;
    const r = await resolveAddress(tx, streetText, lang, fallback);
    if (r.status !== 'matched') {
      problems.push({ line: i + 1, text: line, options: r.status === 'ambiguous' ? r.options : [] });
      continue;
    }
    const m = r.match;
    if (range) {
      const [from, to] = [Number(range[2]), Number(range[3])].sort((a, b) => a - b);
      const parity = PARITY.find(([re]) => re.test(range[4].trim()))?.[1] ?? 'all';
      rules.push({ kind: 'range', street_id: m.streetId, from_number: from, to_number: to, parity, label: line });
    } else if (m.buildingId) rules.push({ kind: 'building', street_id: m.streetId, building_id: m.buildingId, label: m.label });
    else if (m.number && houseNumber(m.number) !== null) {
      // A number the register does not know yet: the rule still covers that house.
      const n = houseNumber(m.number)!;
      rules.push({ kind: 'range', street_id: m.streetId, from_number: n, to_number: n, parity: 'all', label: m.label });
    } else rules.push({ kind: 'street', street_id: m.streetId, label: m.label });
  }
  return { rules, problems };
}

export function polygonRules(text: string) {
  const parsed = parsePolygons(text.split(/\r?\n/).filter((l) => l.trim()));
  if (!parsed.ok) return parsed;
  return { ok: true as const, rules: parsed.polygons.map((p): AreaRule => ({ kind: 'polygon', polygon: p, label: '' })) };
}

/** Ray casting; rings are small. */
export function insidePolygon(lat: number, lon: number, ring: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [yi, xi] = ring[i];
    const [yj, xj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
