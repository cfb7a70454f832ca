// Where a notice is, for the portal's map: polygons as drawn; a building as its point; a
// street, a range of houses or a district as the points of its buildings that have
// coordinates. A notice with too many such points shows one marker per street instead (the
// middle of the street's known buildings), so the page stays small in a large district.
import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';

export type OutageShape = { polygons: [number, number][][]; points: [number, number][] };

/** Points above this, per notice, become one point per street. */
export const MAX_POINTS = 300;
const round = (x: number) => Math.round(x * 1e5) / 1e5;

export async function outageShapes(tx: Tx, outageIds: string[], maxPoints = MAX_POINTS): Promise<Map<string, OutageShape>> {
  const shapes = new Map<string, OutageShape>(outageIds.map((id) => [id, { polygons: [], points: [] }]));
  if (!outageIds.length) return shapes;
  const areas = await tx.selectFrom('outage_areas').select(['outage_id', 'polygon']).where('outage_id', 'in', outageIds).where('kind', '=', 'polygon').execute();
  for (const a of areas) if (a.polygon) shapes.get(a.outage_id)!.polygons.push(a.polygon.map(([lat, lon]) => [round(lat), round(lon)]));
  // One query per kind of rule keeps each on its index (buildings by street, by id).
  const num = sql`substring(b.number from '\\d+')::int`;
  const rows = await sql<{ outage_id: string; street_id: string; lat: number; lon: number }>`
    select distinct x.outage_id, x.street_id, x.lat, x.lon from (
      select a.outage_id, b.street_id, b.lat, b.lon from outage_areas a join buildings b on b.id = a.building_id
        where a.outage_id = any(${outageIds}::uuid[]) and a.kind = 'building'
      union all
      select a.outage_id, b.street_id, b.lat, b.lon from outage_areas a join buildings b on b.street_id = a.street_id
        where a.outage_id = any(${outageIds}::uuid[]) and (a.kind = 'street' or (a.kind = 'range'
          and ${num} between a.from_number and a.to_number and (a.parity = 'all' or (a.parity = 'odd') = (${num} % 2 = 1))))
      union all
      select a.outage_id, b.street_id, b.lat, b.lon from outage_areas a join buildings b on b.district_id = a.district_id
        where a.outage_id = any(${outageIds}::uuid[]) and a.kind = 'district'
      union all
      select a.outage_id, b.street_id, b.lat, b.lon from outage_areas a join streets st on st.district_id = a.district_id
        join buildings b on b.street_id = st.id and b.district_id is null
        where a.outage_id = any(${outageIds}::uuid[]) and a.kind = 'district'
    ) x where x.lat is not null and x.lon is not null
    limit 20000`.execute(tx);
  const byOutage = new Map<string, typeof rows.rows>();
  for (const r of rows.rows) byOutage.set(r.outage_id, [...(byOutage.get(r.outage_id) ?? []), r]);
  for (const [id, list] of byOutage) {
    const shape = shapes.get(id)!;
    if (list.length <= maxPoints) {
      shape.points = dedupe(list.map((r) => [round(r.lat), round(r.lon)]));
      continue;
    }
    const streets = new Map<string, { lat: number; lon: number; n: number }>();
    for (const r of list) {
      const s = streets.get(r.street_id) ?? { lat: 0, lon: 0, n: 0 };
      streets.set(r.street_id, { lat: s.lat + Number(r.lat), lon: s.lon + Number(r.lon), n: s.n + 1 });
    }
    shape.points = dedupe([...streets.values()].map((s) => [round(s.lat / s.n), round(s.lon / s.n)])).slice(0, maxPoints);
  }
  return shapes;
}

function dedupe(points: [number, number][]): [number, number][] {
  const seen = new Set<string>();
  return points.filter(([a, b]) => {
    const k = `${a},${b}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
