// Kysely types of this module's tables (migrations/004_media.sql is the truth); merged into Database.
import type { ColumnType, Generated } from 'kysely';
import type { Created, Json, NullableStamp, Texts } from '../../db/types.ts';

export interface MediaItemsTable {
  id: Generated<string>;
  community_id: string;
  purpose: 'appeal' | 'newsroom';
  visibility: 'public' | 'private';
  format: 'jpeg' | 'png';
  source_format: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  filename: string | null;
  alt: Json<Texts>;
  caption: Json<Texts>;
  credit: string | null;
  variant_widths: ColumnType<number[], number[] | undefined, number[]>;
  variants_at: NullableStamp;
  created_by_type: string;
  created_by: string | null;
  created_at: Created;
  archived_at: NullableStamp;
}

export interface AppealPhotosTable {
  community_id: string;
  appeal_id: string;
  media_id: string;
  event_id: string | null;
  added_by_type: 'applicant' | 'staff';
  created_at: Created;
}

export interface MediaTables {
  media_items: MediaItemsTable;
  appeal_photos: AppealPhotosTable;
}
