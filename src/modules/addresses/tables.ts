// Kysely types of this module's tables (its migrations are the truth); merged into Database.
import type { ColumnType, Generated } from 'kysely';
import type { Created, Json, NullableStamp, Stamp, Texts } from '../../db/types.ts';

export const STREET_KINDS = ['street', 'avenue', 'lane', 'boulevard', 'square', 'passage', 'embankment', 'dead_end', 'alley', 'highway', 'other'] as const;
export type StreetKind = (typeof STREET_KINDS)[number];
export type RejectedRow = { line: number; reason: string; text: string };

export interface AddressDistrictsTable {
  id: Generated<string>;
  community_id: string;
  key: string;
  names: Json<Texts>;
  created_at: Created;
}

export interface StreetsTable {
  id: Generated<string>;
  community_id: string;
  kind: StreetKind;
  names: Json<Texts>;
  former_names: ColumnType<string[], string | undefined, string>;
  key: string;
  district_id: string | null;
  created_at: Created;
  updated_at: Stamp;
}

export interface StreetNamesTable {
  community_id: string;
  street_id: string;
  key: string;
  former: Generated<boolean>;
}

export interface BuildingsTable {
  id: Generated<string>;
  community_id: string;
  street_id: string;
  number: string;
  number_key: string;
  district_id: string | null;
  lat: number | null;
  lon: number | null;
  created_at: Created;
}

export interface AddressImportsTable {
  id: Generated<string>;
  community_id: string;
  format: 'csv' | 'osm' | 'geojson';
  file_name: string | null;
  payload: string | null;
  status: Generated<'queued' | 'running' | 'done' | 'failed'>;
  total: Generated<number>;
  processed: Generated<number>;
  streets_added: Generated<number>;
  buildings_added: Generated<number>;
  buildings_updated: Generated<number>;
  rejected: ColumnType<RejectedRow[], string | undefined, string>;
  error: string | null;
  created_by: string | null;
  created_at: Created;
  finished_at: NullableStamp;
}

export interface AddressTables {
  address_districts: AddressDistrictsTable;
  streets: StreetsTable;
  street_names: StreetNamesTable;
  buildings: BuildingsTable;
  address_imports: AddressImportsTable;
}
