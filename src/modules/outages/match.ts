// Which outage areas cover an address: the one definition, used by the subscribers' messages
// (notify.ts), the appeals linked to a known outage and the operator's "known outage" banner.
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { Texts } from '../../db/types.ts';
import type { OutageKind } from './tables.ts';

/** An address as SQL expressions: the street, the building (may be null), the building's
 * number as text (may be null), its district (the building's, else the street's) and, for
 * polygons, its point. */
export type PlaceSql = {
  street: RawBuilder<unknown>;
  building: RawBuilder<unknown>;
  number: RawBuilder<unknown>;
  district: RawBuilder<unknown>;
  /** Without a point, polygon rules never match (notify.ts tests polygons itself). */
  point?: { lat: RawBuilder<unknown>; lon: RawBuilder<unknown> };
};

/**
 * Whether the `outage_areas` row `area` (an alias) covers the place:
 * - a street rule covers every address on the street;
 * - a range covers the houses whose number (its leading digits: "12а" is 12) is in it and of
 *   its parity; an address without a building (the whole street) is covered by any range on it;
 * - a building rule covers that building, and an address without a building on its street;
 * - a district covers the buildings in it (the building's district, else the street's);
 * - a polygon covers the place's point, when it has one.
 */
export function areaCovers(area: string, p: PlaceSql): RawBuilder<boolean> {
  const a = (c: string) => sql.ref(`${area}.${c}`);
  const n = sql`substring(${p.number} from '\\d+')::int`;
  const polygon = p.point
    ? sql` or (${a('kind')} = 'polygon' and ${p.point.lat} is not null and ${p.point.lon} is not null and outage_point_in_ring(${p.point.lat}, ${p.point.lon}, ${a('polygon')}))`
    : sql``;
  return sql<boolean>`((${a('kind')} = 'street' and ${a('street_id')} = ${p.street})
    or (${a('kind')} = 'range' and ${a('street_id')} = ${p.street} and (${p.building} is null or (
      ${n} between ${a('from_number')} and ${a('to_number')}
      and (${a('parity')} = 'all' or (${a('parity')} = 'odd') = (${n} % 2 = 1)))))
    or (${a('kind')} = 'building' and (${a('building_id')} = ${p.building} or (${p.building} is null and ${a('street_id')} = ${p.street})))
    or (${a('kind')} = 'district' and ${p.district} = ${a('district_id')})${polygon})`;
}

/** An address of the register as the appeals know it: a street, maybe a building, maybe a point
 * (the person's location or the building's). */
export type AppealPlace = { kind: OutageKind; streetId: string; buildingId?: string | null; lat?: number | null; lon?: number | null };

/**
 * The ids of the active notices (open, already started) of `kind` covering the place, as a
 * subquery with one column `id`. The place is read from the register by id, so the street and
 * building must be this community's (row-level security sees to it).
 */
export function activeOutageIds(q: AppealPlace): RawBuilder<{ id: string }> {
  const lat = q.lat ?? null;
  const lon = q.lon ?? null;
  const place: PlaceSql = {
    street: sql.ref('p.street_id'), building: sql.ref('p.building_id'), number: sql.ref('p.number'), district: sql.ref('p.district_id'),
    point: { lat: sql.ref('p.lat'), lon: sql.ref('p.lon') },
  };
  return sql<{ id: string }>`select o.id from outages o
    cross join (select st.id as street_id, b.id as building_id, b.number, coalesce(b.district_id, st.district_id) as district_id,
        coalesce(${lat}::float8, b.lat) as lat, coalesce(${lon}::float8, b.lon) as lon
      from streets st left join buildings b on b.id = ${q.buildingId ?? null}::uuid and b.street_id = st.id
      where st.id = ${q.streetId}::uuid) p
    where o.status = 'open' and o.starts_at <= now() and o.kind = ${q.kind}
      and exists (select 1 from outage_areas a where a.outage_id = o.id and ${areaCovers('a', place)})`;
}

export type KnownOutage = { id: string; kind: OutageKind; emergency: boolean; area_summary: Texts; starts_at: Date; expected_end_at: Date; org_names: Texts };

/** The active notices of `kind` covering an address (for the operator's banner), newest first. */
export async function activeOutagesAt(tx: Tx, q: AppealPlace): Promise<KnownOutage[]> {
  const r = await sql<KnownOutage>`select o.id, o.kind, o.emergency, o.area_summary, o.starts_at, o.expected_end_at, org.names as org_names
    from outages o join organisations org on org.id = o.organisation_id
    where o.id in (${activeOutageIds(q)}) order by o.starts_at desc limit 5`.execute(tx);
  return r.rows;
}
