// Kysely types of the newsroom's tables (migrations/008_newsroom.sql is the truth).
import type { ColumnType, Generated } from 'kysely';
import type { Created, Json, Lang, NullableStamp, Stamp, Texts } from '../../db/types.ts';

export const MATERIAL_TYPES = ['news', 'press_release', 'post_release', 'announcement', 'official_notice', 'photo_report', 'video_report', 'infographic'] as const;
export type MaterialType = (typeof MATERIAL_TYPES)[number];
export const VERSION_STATUSES = ['draft', 'in_review', 'approved', 'scheduled', 'published', 'unpublished', 'archived'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];
type DateOnly = ColumnType<Date, Date | string, Date | string>;

export interface NewsCategoriesTable { id: Generated<string>; community_id: string; code: string; names: Json<Texts>; position: Generated<number>; archived_at: NullableStamp }
export interface NewsRubricsTable { id: Generated<string>; community_id: string; code: string; names: Json<Texts>; descriptions: ColumnType<Texts, string | undefined, string>; archived_at: NullableStamp }
export interface NewsTagsTable { id: Generated<string>; community_id: string; slug: string; names: Json<Texts> }
export interface CampaignsTable {
  id: Generated<string>; community_id: string; code: string; names: Json<Texts>; goals: ColumnType<Texts, string | undefined, string>;
  tag_id: string | null; starts_on: DateOnly; ends_on: DateOnly; channels: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Created; archived_at: NullableStamp;
}
export interface MaterialsTable {
  id: Generated<string>; community_id: string; type: MaterialType; category_id: string | null; rubric_id: string | null; campaign_id: string | null;
  place: string | null; author_id: string | null; urgent: Generated<boolean>; cover_media_id: string | null; video_url: string | null; video_media_id: string | null;
  created_at: Created; updated_at: Stamp; archived_at: NullableStamp;
}
export interface MaterialTagsTable { community_id: string; material_id: string; tag_id: string }
export interface MaterialGalleryTable { community_id: string; material_id: string; media_id: string; position: number }
export interface MaterialVersionsTable {
  id: Generated<string>; community_id: string; material_id: string; lang: Lang; slug: string; title: string; lead: Generated<string>;
  body_html: Generated<string>; body_text: Generated<string>; status: Generated<VersionStatus>; revision: Generated<number>;
  scheduled_at: NullableStamp; published_at: NullableStamp; first_published_at: NullableStamp; corrected_at: NullableStamp; correction_note: string | null;
  channels: ColumnType<string[], string[] | undefined, string[]>; channel_texts: ColumnType<Record<string, string>, string | undefined, string>;
  /** tsvector: written with sql`to_tsvector('simple', ...)`, never read as a value. */
  search: ColumnType<string | null, never, never>;
  created_at: Created; updated_at: Stamp;
}
export interface MaterialRevisionsTable {
  id: Generated<string>; community_id: string; version_id: string; revision: number; status: string; title: string; lead: string; body_html: string;
  note: string | null; actor_id: string | null; actor_label: string | null; at: Created;
}

export interface NewsroomTables {
  news_categories: NewsCategoriesTable;
  news_rubrics: NewsRubricsTable;
  news_tags: NewsTagsTable;
  campaigns: CampaignsTable;
  materials: MaterialsTable;
  material_tags: MaterialTagsTable;
  material_gallery: MaterialGalleryTable;
  material_versions: MaterialVersionsTable;
  material_revisions: MaterialRevisionsTable;
}
