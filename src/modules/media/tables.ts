// Kysely types of this module's tables (migrations/004_media.sql and 018_media_video.sql are the truth); merged into Database.
import type { ColumnType, Generated } from 'kysely';
import type { Created, Json, NullableStamp, Texts } from '../../db/types.ts';

export interface MediaItemsTable {
  id: Generated<string>;
  community_id: string;
  kind: ColumnType<'image' | 'video', 'image' | 'video' | undefined, 'image' | 'video'>;
  purpose: 'appeal' | 'newsroom';
  visibility: 'public' | 'private';
  /** jpeg/png: a picture's stored original; mp4/webm: a video's container. */
  format: 'jpeg' | 'png' | 'mp4' | 'webm';
  source_format: string;
  /** A picture's size; a video's (0 until its header or poster frame tells it). */
  width: number;
  height: number;
  duration_ms: number | null;
  /** A video's poster.jpg exists; poster_problem says why the job made none. */
  poster: ColumnType<boolean, boolean | undefined, boolean>;
  poster_problem: 'no_ffmpeg' | 'no_frame' | null;
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
