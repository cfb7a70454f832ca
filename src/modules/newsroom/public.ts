// Read queries of the public news site: only published language versions of materials that are
// not archived, of the transaction's community (RLS) and named explicitly (for the indexes).
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { Database, Lang, Texts } from '../../db/types.ts';
import { searchQuerySql } from './search.ts';

export type Cover = { id: string; width: number; height: number; format: string; variant_widths: number[]; alt: Texts };
/** An uploaded video of the media library (width/height 0 when unknown; poster when its frame exists). */
export type PublicVideo = { id: string; format: 'mp4' | 'webm'; width: number; height: number; bytes: number; duration_ms: number | null; poster: boolean };

export type PublicItem = {
  id: string;
  material_id: string;
  lang: Lang;
  slug: string;
  title: string;
  lead: string;
  type: string;
  urgent: boolean;
  published_at: Date;
  first_published_at: Date | null;
  corrected_at: Date | null;
  category_code: string | null;
  category_names: Texts | null;
  cover: Cover | null;
};

export type ListFilter = {
  lang: Lang;
  category?: string;
  tag?: string;
  rubric?: string;
  campaign?: string;
  /** Published on or after this day / before the day after `to` (inclusive days, community time zone applied by the caller). */
  from?: Date;
  to?: Date;
  urgent?: boolean;
  limit: number;
  offset?: number;
};

type From = SelectQueryBuilder<Database, 'material_versions' | 'materials', object>;

/** Published versions joined with their materials: the one place that decides what is public. */
function published(tx: Tx, communityId: string, lang: Lang): From {
  return tx
    .selectFrom('material_versions')
    .innerJoin('materials', (j) => j.onRef('materials.id', '=', 'material_versions.material_id').onRef('materials.community_id', '=', 'material_versions.community_id'))
    .where('material_versions.community_id', '=', communityId)
    .where('material_versions.lang', '=', lang)
    .where('material_versions.status', '=', 'published')
    .where('material_versions.published_at', '<=', sql<Date>`now()`)
    .where('materials.archived_at', 'is', null);
}

const ITEM_SQL = sql`
  (select json_build_object('id', mi.id, 'width', mi.width, 'height', mi.height, 'format', mi.format, 'variant_widths', mi.variant_widths, 'alt', mi.alt)
     from media_items mi where mi.id = materials.cover_media_id and mi.community_id = materials.community_id and mi.visibility = 'public' and mi.archived_at is null)`;

function selectItem(q: From) {
  return q
    .leftJoin('news_categories as cat', (j) => j.onRef('cat.id', '=', 'materials.category_id').onRef('cat.community_id', '=', 'materials.community_id'))
    .select([
      'material_versions.id', 'material_versions.material_id', 'material_versions.lang', 'material_versions.slug', 'material_versions.title', 'material_versions.lead',
      'materials.type', 'materials.urgent', 'material_versions.first_published_at', 'material_versions.corrected_at',
      'cat.code as category_code', 'cat.names as category_names',
    ])
    .select(sql<Date>`material_versions.published_at`.as('published_at'))
    .select(ITEM_SQL.as('cover'));
}

function applyFilter(tx: Tx, communityId: string, f: ListFilter): From {
  let q = published(tx, communityId, f.lang);
  if (f.category) q = q.where('materials.category_id', '=', tx.selectFrom('news_categories').select('id').where('community_id', '=', communityId).where('code', '=', f.category));
  if (f.rubric) q = q.where('materials.rubric_id', '=', tx.selectFrom('news_rubrics').select('id').where('community_id', '=', communityId).where('code', '=', f.rubric));
  if (f.campaign) q = q.where('materials.campaign_id', '=', tx.selectFrom('campaigns').select('id').where('community_id', '=', communityId).where('code', '=', f.campaign));
  if (f.tag) {
    const tag = f.tag;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('material_tags')
          .innerJoin('news_tags', (j) => j.onRef('news_tags.id', '=', 'material_tags.tag_id').onRef('news_tags.community_id', '=', 'material_tags.community_id'))
          .select(sql`1`.as('x'))
          .whereRef('material_tags.material_id', '=', 'materials.id')
          .where('material_tags.community_id', '=', communityId)
          .where('news_tags.slug', '=', tag),
      ),
    );
  }
  if (f.from) q = q.where('material_versions.published_at', '>=', f.from);
  if (f.to) q = q.where('material_versions.published_at', '<', f.to);
  if (f.urgent) q = q.where('materials.urgent', '=', true);
  return q;
}

/** A page of published versions, newest first, and how many match in all. */
export async function listPublished(tx: Tx, communityId: string, f: ListFilter): Promise<{ items: PublicItem[]; total: number }> {
  const q = applyFilter(tx, communityId, f);
  const [items, count] = await Promise.all([
    selectItem(q).orderBy('material_versions.published_at', 'desc').orderBy('material_versions.id').limit(f.limit).offset(f.offset ?? 0).execute(),
    q.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: items as PublicItem[], total: Number(count.n) };
}

/** Urgent materials of the last two days and the latest ones, for the home page. */
export async function homeNews(tx: Tx, communityId: string, lang: Lang, latest = 6): Promise<{ urgent: PublicItem[]; latest: PublicItem[] }> {
  const since = new Date(Date.now() - 48 * 3600_000);
  const [urgent, items] = await Promise.all([
    selectItem(published(tx, communityId, lang).where('materials.urgent', '=', true).where('material_versions.published_at', '>=', since)).orderBy('material_versions.published_at', 'desc').limit(3).execute(),
    selectItem(published(tx, communityId, lang)).orderBy('material_versions.published_at', 'desc').limit(latest).execute(),
  ]);
  return { urgent: urgent as PublicItem[], latest: items as PublicItem[] };
}

export type Term = { code: string; names: Texts };
export type PublicArticle = PublicItem & {
  body_html: string;
  correction_note: string | null;
  place: string | null;
  video_url: string | null;
  video: PublicVideo | null;
  updated_at: Date;
  rubric: Term | null;
  campaign: Term | null;
  tags: Term[];
  gallery: Cover[];
  /** Published versions of the same material in each language: lang → slug. */
  alternates: Partial<Record<Lang, string>>;
};

/** One published version by its slug, with what its page shows; null when not public. */
export async function getPublished(tx: Tx, communityId: string, lang: Lang, slug: string): Promise<PublicArticle | null> {
  const row = await selectItem(published(tx, communityId, lang).where('material_versions.slug', '=', slug))
    .select(['material_versions.body_html', 'material_versions.correction_note', 'materials.place', 'materials.video_url', 'material_versions.updated_at'])
    .select(sql<Term | null>`(select json_build_object('code', r.code, 'names', r.names) from news_rubrics r where r.id = materials.rubric_id and r.community_id = materials.community_id)`.as('rubric'))
    .select(sql<Term | null>`(select json_build_object('code', c.code, 'names', c.names) from campaigns c where c.id = materials.campaign_id and c.community_id = materials.community_id)`.as('campaign'))
    .select(sql<Term[]>`coalesce((select json_agg(json_build_object('code', t.slug, 'names', t.names) order by t.slug) from material_tags mt join news_tags t on t.id = mt.tag_id and t.community_id = mt.community_id where mt.material_id = materials.id and mt.community_id = materials.community_id), '[]')`.as('tags'))
    .select(sql<Cover[]>`coalesce((select json_agg(json_build_object('id', mi.id, 'width', mi.width, 'height', mi.height, 'format', mi.format, 'variant_widths', mi.variant_widths, 'alt', mi.alt) order by g.position) from material_gallery g join media_items mi on mi.id = g.media_id and mi.community_id = g.community_id and mi.visibility = 'public' and mi.archived_at is null where g.material_id = materials.id and g.community_id = materials.community_id), '[]')`.as('gallery'))
    .select(sql<PublicVideo | null>`(select json_build_object('id', mi.id, 'format', mi.format, 'width', mi.width, 'height', mi.height, 'bytes', mi.bytes, 'duration_ms', mi.duration_ms, 'poster', mi.poster) from media_items mi where mi.id = materials.video_media_id and mi.community_id = materials.community_id and mi.kind = 'video' and mi.visibility = 'public' and mi.archived_at is null)`.as('video'))
    .select(sql<Partial<Record<Lang, string>>>`(select coalesce(json_object_agg(v.lang, v.slug), '{}') from material_versions v where v.material_id = materials.id and v.community_id = materials.community_id and v.status = 'published' and v.published_at <= now())`.as('alternates'))
    .executeTakeFirst();
  return (row as PublicArticle | undefined) ?? null;
}

/** Full-text search of published versions in one language, best match first. */
export async function searchPublished(tx: Tx, communityId: string, lang: Lang, q: string, limit: number, offset = 0): Promise<{ items: PublicItem[]; total: number }> {
  const query = searchQuerySql(lang, q);
  if (!query) return { items: [], total: 0 };
  const base = published(tx, communityId, lang).where(sql<boolean>`material_versions.search @@ ${query}`);
  const [items, count] = await Promise.all([
    selectItem(base).orderBy(sql`ts_rank(material_versions.search, ${query})`, 'desc').orderBy('material_versions.published_at', 'desc').limit(limit).offset(offset).execute(),
    base.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: items as PublicItem[], total: Number(count.n) };
}

/** Names of a category, tag, rubric or campaign by its code (null when there is none). */
export async function findTerm(tx: Tx, communityId: string, kind: 'category' | 'tag' | 'rubric' | 'campaign', code: string): Promise<(Term & { descriptions?: Texts; goals?: Texts; starts_on?: Date; ends_on?: Date }) | null> {
  switch (kind) {
    case 'category':
      return (await tx.selectFrom('news_categories').select(['code', 'names']).where('community_id', '=', communityId).where('code', '=', code).where('archived_at', 'is', null).executeTakeFirst()) ?? null;
    case 'tag':
      return (await tx.selectFrom('news_tags').select(['slug as code', 'names']).where('community_id', '=', communityId).where('slug', '=', code).executeTakeFirst()) ?? null;
    case 'rubric':
      return (await tx.selectFrom('news_rubrics').select(['code', 'names', 'descriptions']).where('community_id', '=', communityId).where('code', '=', code).executeTakeFirst()) ?? null;
    case 'campaign':
      return (await tx.selectFrom('campaigns').select(['code', 'names', 'goals', 'starts_on', 'ends_on']).where('community_id', '=', communityId).where('code', '=', code).executeTakeFirst()) ?? null;
  }
}

/** Categories (for the list's filter), in their order. */
export async function listCategories(tx: Tx, communityId: string): Promise<Term[]> {
  return tx.selectFrom('news_categories').select(['code', 'names']).where('community_id', '=', communityId).where('archived_at', 'is', null).orderBy('position').orderBy('code').execute();
}

/** Every published version for the sitemap (at most 50,000, the sitemap protocol's limit). */
export async function sitemapEntries(tx: Tx, communityId: string): Promise<{ lang: Lang; slug: string; material_id: string; updated_at: Date }[]> {
  return tx
    .selectFrom('material_versions')
    .innerJoin('materials', (j) => j.onRef('materials.id', '=', 'material_versions.material_id').onRef('materials.community_id', '=', 'material_versions.community_id'))
    .select(['material_versions.lang', 'material_versions.slug', 'material_versions.material_id'])
    .select(sql<Date>`greatest(material_versions.published_at, material_versions.corrected_at)`.as('updated_at'))
    .where('material_versions.community_id', '=', communityId)
    .where('material_versions.status', '=', 'published')
    .where('material_versions.published_at', '<=', sql<Date>`now()`)
    .where('materials.archived_at', 'is', null)
    .orderBy('material_versions.published_at', 'desc')
    .limit(50_000)
    .execute();
}
