import { sql } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../db/db.ts';
import type { Lang } from '../../db/types.ts';
import type { Queue } from '../../jobs/queue.ts';
import type { Community } from '../communities/service.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { AppError, forbidden, invalid, notFound } from '../../http/errors.ts';
import { bodyText, sanitizeBody } from './sanitize.ts';
import { searchVectorSql } from './search.ts';
import { MaterialFields, NewMaterial, VersionFields } from './schema.ts';
import { canEdit, isWriter, type Who } from './workflow.ts';
import { ensureTags } from './taxonomy.ts';
import type { MaterialType, VersionStatus } from './tables.ts';

export { transition, correctVersion, publishDue } from './service/transition.ts';

/** Who acts: their id (null for the scheduler) and what they may do. */
export type Editor = Who & { userId: string | null };

/** What every newsroom operation needs besides its own input. */
export type NewsCtx = {
  tx: Tx;
  queue: Queue;
  actor: Actor;
  community: Community;
  who: Editor;
  /** Absolute origin and community prefix of the portal: "https://city.example/c/khomein". */
  site: string;
};

/** A slug readable in its own script: "Ремонт вулиці Шевченка" → "ремонт-вулиці-шевченка-1a2b3c4d". */
/** Where a published version lives on the portal (the portal's news routes answer it). */
export const materialUrl = (site: string, lang: Lang, slug: string) => `${site}/${lang}/news/${encodeURIComponent(slug)}`;

export function slugFor(title: string, materialId: string): string {
  const words = title.normalize('NFC').toLowerCase().replace(/['’ʼ`]/g, '').replace(/[^\p{L}\p{N}\u200c]+/gu, '-').replace(/^-+|-+$/g, '');
  const head = [...words].slice(0, 70).join('').replace(/-+$/, '');
  return `${head ? `${head}-` : ''}${materialId.slice(0, 8)}`;
}

async function checkRefs(tx: Tx, f: MaterialFields) {
  const bad: Record<string, string> = {};
  const exists = async (table: 'news_categories' | 'news_rubrics' | 'campaigns', id: string | null | undefined) =>
    !id || !!(await tx.selectFrom(table).select('id').where('id', '=', id).where('archived_at', 'is', null).executeTakeFirst());
  if (!(await exists('news_categories', f.category_id))) bad.category_id = 'unknown';
  if (!(await exists('news_rubrics', f.rubric_id))) bad.rubric_id = 'unknown';
  if (!(await exists('campaigns', f.campaign_id))) bad.campaign_id = 'unknown';
  if (f.video_media_id && !(await tx.selectFrom('media_items').select('id').where('id', '=', f.video_media_id).where('kind', '=', 'video')
    .where('purpose', '=', 'newsroom').where('archived_at', 'is', null).executeTakeFirst())) bad.video_media_id = 'unknown';
  if (Object.keys(bad).length) throw invalid(bad, 'newsroom.error.unknown_reference');
}

const materialValues = (f: MaterialFields) => ({
  type: f.type, category_id: f.category_id ?? null, rubric_id: f.rubric_id ?? null, campaign_id: f.campaign_id ?? null,
  place: f.place ?? null, urgent: f.urgent, video_url: f.video_url ?? null,
  // Callers that do not know about uploaded videos (older API clients) leave it as it is.
  ...(f.video_media_id !== undefined ? { video_media_id: f.video_media_id } : {}),
});

async function setTags(ctx: NewsCtx, materialId: string, lang: Lang, labels: string[]) {
  const ids = await ensureTags(ctx.tx, ctx.community.id, lang, labels);
  await ctx.tx.deleteFrom('material_tags').where('material_id', '=', materialId).execute();
  if (ids.length) await ctx.tx.insertInto('material_tags').values(ids.map((tag_id) => ({ community_id: ctx.community.id, material_id: materialId, tag_id }))).execute();
}

/** Writes a version's search terms (built by search.ts) after its text changed. */
async function indexVersion(tx: Tx, id: string, lang: Lang, title: string, lead: string, text: string) {
  await sql`update material_versions set search = ${searchVectorSql(lang, title, lead, text)} where id = ${id}`.execute(tx);
}

export async function addRevision(tx: Tx, actor: Actor, v: { id: string; community_id: string; revision: number; status: string; title: string; lead: string; body_html: string }, note: string | null) {
  await tx.insertInto('material_revisions').values({
    community_id: v.community_id, version_id: v.id, revision: v.revision, status: v.status, title: v.title, lead: v.lead, body_html: v.body_html,
    note, actor_id: actor.type === 'user' ? actor.id : null, actor_label: actor.label,
  }).execute();
}

/** Creates a material with its first language version, as a draft. */
export async function createMaterial(ctx: NewsCtx, raw: NewMaterial) {
  if (!isWriter(ctx.who)) throw forbidden();
  const input = NewMaterial.parse(raw);
  await checkRefs(ctx.tx, input);
  const m = await ctx.tx.insertInto('materials').values({ community_id: ctx.community.id, author_id: ctx.who.userId, ...materialValues(input) })
    .returning('id').executeTakeFirstOrThrow();
  await setTags(ctx, m.id, input.lang, input.tags);
  await recordAudit(ctx.tx, ctx.actor, { action: 'material.create', objectType: 'material', objectId: m.id, note: { type: input.type, lang: input.lang } });
  const version = await insertVersion(ctx, m.id, input.lang, input.version);
  return { materialId: m.id, versionId: version.id };
}

async function insertVersion(ctx: NewsCtx, materialId: string, lang: Lang, f: VersionFields) {
  const html = sanitizeBody(f.body_html);
  const text = bodyText(html);
  const v = await ctx.tx.insertInto('material_versions').values({
    community_id: ctx.community.id, material_id: materialId, lang, slug: slugFor(f.title, materialId), title: f.title, lead: f.lead,
    body_html: html, body_text: text, channels: f.channels, channel_texts: JSON.stringify(f.channel_texts),
  }).returningAll().executeTakeFirstOrThrow();
  await indexVersion(ctx.tx, v.id, lang, v.title, v.lead, text);
  await addRevision(ctx.tx, ctx.actor, v, null);
  return v;
}

/** Adds another language version to a material (a translation), as its own draft. */
export async function addVersion(ctx: NewsCtx, materialId: string, lang: Lang, raw: VersionFields) {
  if (!isWriter(ctx.who)) throw forbidden();
  const f = VersionFields.parse(raw);
  await loadMaterial(ctx.tx, materialId);
  const taken = await ctx.tx.selectFrom('material_versions').select('id').where('material_id', '=', materialId).where('lang', '=', lang).executeTakeFirst();
  if (taken) throw new AppError(409, 'conflict', 'newsroom.error.version_exists');
  const v = await insertVersion(ctx, materialId, lang, f);
  await recordAudit(ctx.tx, ctx.actor, { action: 'material.add_version', objectType: 'material', objectId: materialId, note: { lang } });
  return v;
}

/** Saves a version's text (and the shared fields) before publication. Authors only while drafting. */
export async function saveVersion(ctx: NewsCtx, versionId: string, raw: { material: MaterialFields; version: VersionFields }) {
  const v = await lockVersion(ctx.tx, versionId);
  if (!canEdit(ctx.who, v.status)) throw new AppError(409, 'invalid_transition', v.status === 'published' ? 'newsroom.error.correct_instead' : 'newsroom.error.not_editable');
  const vf = VersionFields.parse(raw.version);
  await updateMaterialFields(ctx, v.material_id, raw.material, v.lang);
  return writeText(ctx, v, vf, {});
}

/** The fields the language versions share (type, category, tags...); tags are labelled in `lang`. */
export async function updateMaterialFields(ctx: NewsCtx, materialId: string, raw: MaterialFields, lang: Lang) {
  if (!isWriter(ctx.who)) throw forbidden();
  const mf = MaterialFields.parse(raw);
  await checkRefs(ctx.tx, mf);
  const done = await ctx.tx.updateTable('materials').set({ ...materialValues(mf), updated_at: sql`now()` }).where('id', '=', materialId).executeTakeFirst();
  if (!Number(done.numUpdatedRows)) throw notFound();
  await setTags(ctx, materialId, lang, mf.tags);
}

/** A new revision of the text; `extra` carries a correction's note and time. */
export async function writeText(ctx: NewsCtx, v: Version, f: VersionFields, extra: { corrected_at?: Date; correction_note?: string }, note: string | null = null) {
  const html = sanitizeBody(f.body_html);
  const text = bodyText(html);
  const after = await ctx.tx.updateTable('material_versions').set({
    title: f.title, lead: f.lead, body_html: html, body_text: text, channels: f.channels, channel_texts: JSON.stringify(f.channel_texts),
    revision: v.revision + 1, updated_at: sql`now()`, ...extra,
  }).where('id', '=', v.id).returningAll().executeTakeFirstOrThrow();
  await indexVersion(ctx.tx, v.id, v.lang, f.title, f.lead, text);
  await addRevision(ctx.tx, ctx.actor, after, note);
  await recordAudit(ctx.tx, ctx.actor, { action: extra.corrected_at ? 'material.correct' : 'material.save', objectType: 'material_version', objectId: v.id, before: { revision: v.revision, title: v.title }, after: { revision: after.revision, title: after.title } });
  return after;
}

export async function lockVersion(tx: Tx, id: string) {
  if (!z.string().uuid().safeParse(id).success) throw notFound();
  const v = await tx.selectFrom('material_versions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!v) throw notFound();
  return v;
}
export type Version = Awaited<ReturnType<typeof lockVersion>>;

export async function loadMaterial(tx: Tx, id: string) {
  if (!z.string().uuid().safeParse(id).success) throw notFound();
  const m = await tx.selectFrom('materials').selectAll().where('id', '=', id).executeTakeFirst();
  if (!m) throw notFound();
  return m;
}

/** A material with its versions, tags and gallery: what the editor shows. */
export async function getMaterial(tx: Tx, id: string) {
  const m = await loadMaterial(tx, id);
  const versions = await tx.selectFrom('material_versions').selectAll().where('material_id', '=', id).orderBy('created_at').execute();
  const tags = await tx.selectFrom('material_tags as mt').innerJoin('news_tags as t', 't.id', 'mt.tag_id').select(['t.id', 't.slug', 't.names'])
    .where('mt.material_id', '=', id).orderBy('t.slug').execute();
  const gallery = await tx.selectFrom('material_gallery').select(['media_id', 'position']).where('material_id', '=', id).orderBy('position').execute();
  return { ...m, versions, tags, gallery };
}
export type MaterialFull = Awaited<ReturnType<typeof getMaterial>>;

export async function versionHistory(tx: Tx, versionId: string) {
  return tx.selectFrom('material_revisions').selectAll().where('version_id', '=', versionId).orderBy('id', 'desc').limit(200).execute();
}

/** Staff who wrote materials here, for the list's author filter. */
export async function listAuthors(tx: Tx) {
  return tx.selectFrom('users as u').select(['u.id', 'u.display_name'])
    .where((eb) => eb.exists(eb.selectFrom('materials as m').select('m.id').whereRef('m.author_id', '=', 'u.id')))
    .orderBy('u.display_name').limit(200).execute();
}

export type MaterialFilter = { status?: VersionStatus; type?: MaterialType; lang?: Lang; authorId?: string; q?: string; limit: number; offset?: number };

/** The console's list: one row per language version, newest change first. */
export async function listMaterials(tx: Tx, f: MaterialFilter) {
  let q = tx.selectFrom('material_versions as v').innerJoin('materials as m', 'm.id', 'v.material_id').leftJoin('users as u', 'u.id', 'm.author_id')
    .select(['v.id', 'v.material_id', 'v.lang', 'v.title', 'v.status', 'v.revision', 'v.updated_at', 'v.published_at', 'v.scheduled_at', 'v.corrected_at',
      'm.type', 'm.urgent', 'm.author_id', 'u.display_name as author_name'])
    .orderBy('v.updated_at', 'desc').limit(f.limit).offset(f.offset ?? 0);
  if (f.status) q = q.where('v.status', '=', f.status);
  if (f.type) q = q.where('m.type', '=', f.type);
  if (f.lang) q = q.where('v.lang', '=', f.lang);
  if (f.authorId) q = q.where('m.author_id', '=', f.authorId);
  if (f.q) q = q.where('v.title', 'ilike', `%${f.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
  return q.execute();
}
