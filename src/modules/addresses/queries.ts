// The register's SQL; nothing else touches the address tables.
import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { Texts } from '../../db/types.ts';
import type { StreetKind } from './tables.ts';

export type StreetRow = { id: string; kind: StreetKind; names: Texts; former_names: string[]; district_id: string | null };
export type NameHit = { street_id: string; key: string; former: boolean; score: number; exact: boolean; prefix: boolean; street: StreetRow };
export type BuildingRow = { id: string; street_id: string; number: string; number_key: string; lat: number | null; lon: number | null; district_id: string | null };

/** Street names close to `key`: exact, prefix of a word, or within trigram word similarity
 * (0.5). The SQL function (migration 005) keeps to the transaction's community. */
export async function streetNameHits(tx: Tx, key: string, limit: number): Promise<NameHit[]> {
  const r = await sql<Omit<NameHit, 'street'> & StreetRow>`
    select h.street_id, h.key, h.former, h.score, h.exact, h.prefix, s.id, s.kind, s.names, s.former_names, s.district_id
    from street_name_hits(${key}, ${limit}) h join streets s on s.id = h.street_id`.execute(tx);
  return r.rows.map((x) => ({
    street_id: x.street_id, key: x.key, former: x.former, score: Number(x.score), exact: x.exact, prefix: x.prefix,
    street: { id: x.id, kind: x.kind, names: x.names, former_names: x.former_names, district_id: x.district_id },
  }));
}

export async function streetsByIds(tx: Tx, ids: string[]): Promise<StreetRow[]> {
  if (!ids.length) return [];
  return tx.selectFrom('streets').select(['id', 'kind', 'names', 'former_names', 'district_id']).where('id', 'in', ids).execute();
}

export async function buildingsOn(tx: Tx, streetIds: string[], numberKey: string, prefix: boolean, limit: number): Promise<BuildingRow[]> {
  if (!streetIds.length) return [];
  let q = tx.selectFrom('buildings').select(['id', 'street_id', 'number', 'number_key', 'lat', 'lon', 'district_id']).where('street_id', 'in', streetIds);
  q = prefix ? q.where('number_key', 'like', `${numberKey.replace(/[\\%_]/g, '')}%`) : q.where('number_key', '=', numberKey);
  return q.orderBy(sql`length(number_key)`).orderBy('number_key').limit(limit).execute();
}

export async function buildingById(tx: Tx, id: string): Promise<BuildingRow | undefined> {
  return tx.selectFrom('buildings').select(['id', 'street_id', 'number', 'number_key', 'lat', 'lon', 'district_id']).where('id', '=', id).executeTakeFirst();
}

export async function districtSummary(tx: Tx) {
  const r = await sql<{ id: string | null; names: Texts | null; streets: string; buildings: string }>`
    select d.id, d.names,
      (select count(*) from streets s where s.district_id is not distinct from d.id) as streets,
      (select count(*) from buildings b where b.district_id is not distinct from d.id) as buildings
    from (select id, names, key from address_districts union all select null, null, null) d
    order by d.key nulls last`.execute(tx);
  return r.rows.map((x) => ({ ...x, streets: Number(x.streets), buildings: Number(x.buildings) })).filter((x) => x.id || x.streets || x.buildings);
}

export async function streetList(tx: Tx, keys: string[] | null, limit: number) {
  let q = tx
    .selectFrom('streets as s')
    .leftJoin('address_districts as d', 'd.id', 's.district_id')
    .select(['s.id', 's.kind', 's.names', 's.former_names', 'd.names as district_names'])
    .select((eb) => eb.selectFrom('buildings as b').select(eb.fn.countAll<string>().as('n')).whereRef('b.street_id', '=', 's.id').as('buildings'));
  if (keys) q = q.where('s.id', 'in', keys.length ? keys : ['00000000-0000-0000-0000-000000000000']);
  return q.orderBy('s.key').limit(limit).execute();
}

export async function registerCounts(tx: Tx) {
  const r = await sql<{ streets: string; buildings: string; districts: string }>`
    select (select count(*) from streets) as streets, (select count(*) from buildings) as buildings,
      (select count(*) from address_districts) as districts`.execute(tx);
  const x = r.rows[0];
  return { streets: Number(x.streets), buildings: Number(x.buildings), districts: Number(x.districts) };
}
