import { sql } from 'kysely';
import type { Tx } from '../../db/db.ts';
import type { Lang, Texts } from '../../db/types.ts';
import { recordAudit, type Actor } from '../audit/service.ts';
import { conflict, forbidden } from '../../http/errors.ts';
import { foldText } from './search.ts';
import { Code, Names, NewCampaign } from './schema.ts';
import { isEditor, type Who } from './workflow.ts';

/** A tag's slug: its label folded and hyphenated, in its own script ("безбарєрність"). */
export const tagSlug = (label: string) => foldText(label).replace(/[^\p{L}\p{N}\u200c]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80);

/** Ids of the tags with these labels, creating the missing ones with the label in `lang`. */
export async function ensureTags(tx: Tx, communityId: string, lang: Lang, labels: string[]): Promise<string[]> {
  const bySlug = new Map(labels.map((l) => [tagSlug(l), l] as const).filter(([s]) => s));
  if (!bySlug.size) return [];
  const rows = [...bySlug].map(([slug, label]) => ({ community_id: communityId, slug, names: JSON.stringify({ [lang]: label }) }));
  await tx.insertInto('news_tags').values(rows).onConflict((oc) => oc.columns(['community_id', 'slug']).doNothing()).execute();
  const found = await tx.selectFrom('news_tags').select('id').where('slug', 'in', [...bySlug.keys()]).execute();
  return found.map((r) => r.id);
}

export const listCategories = (tx: Tx) =>
  tx.selectFrom('news_categories').selectAll().where('archived_at', 'is', null).orderBy('position').orderBy('code').execute();
export const listRubrics = (tx: Tx) => tx.selectFrom('news_rubrics').selectAll().where('archived_at', 'is', null).orderBy('code').execute();
export const listCampaigns = (tx: Tx) => tx.selectFrom('campaigns').selectAll().where('archived_at', 'is', null).orderBy('starts_on', 'desc').execute();

type Kind = 'category' | 'rubric';

/** Adds or renames a category or rubric (editors). The code stays: links and filters use it. */
export async function saveTerm(tx: Tx, actor: Actor, who: Who, communityId: string, kind: Kind, raw: { code: string; names: Texts; position?: number }) {
  if (!isEditor(who)) throw forbidden();
  const code = Code.parse(raw.code);
  const names = JSON.stringify(Names.parse(raw.names));
  const row = kind === 'category'
    ? await tx.insertInto('news_categories').values({ community_id: communityId, code, names, position: raw.position ?? 100 })
      .onConflict((oc) => oc.columns(['community_id', 'code']).doUpdateSet({ names, archived_at: null })).returning('id').executeTakeFirstOrThrow()
    : await tx.insertInto('news_rubrics').values({ community_id: communityId, code, names })
      .onConflict((oc) => oc.columns(['community_id', 'code']).doUpdateSet({ names, archived_at: null })).returning('id').executeTakeFirstOrThrow();
  await recordAudit(tx, actor, { action: `news_${kind}.save`, objectType: `news_${kind}`, objectId: row.id, after: { code, names: JSON.parse(names) } });
  return row;
}

export async function archiveTerm(tx: Tx, actor: Actor, who: Who, kind: Kind, id: string) {
  if (!isEditor(who)) throw forbidden();
  const table = kind === 'category' ? 'news_categories' : 'news_rubrics';
  await tx.updateTable(table).set({ archived_at: sql`now()` }).where('id', '=', id).execute();
  await recordAudit(tx, actor, { action: `news_${kind}.archive`, objectType: `news_${kind}`, objectId: id });
}

/** A campaign: a period, a goal, a tag that marks its materials, and the channels it uses. */
export async function createCampaign(tx: Tx, actor: Actor, who: Who, communityId: string, raw: NewCampaign, lang: Lang) {
  if (!isEditor(who)) throw forbidden();
  const c = NewCampaign.parse(raw);
  const taken = await tx.selectFrom('campaigns').select('id').where('code', '=', c.code).executeTakeFirst();
  if (taken) throw conflict('newsroom.error.code_taken', { code: 'taken' });
  const [tagId] = c.tag ? await ensureTags(tx, communityId, lang, [c.tag]) : [];
  const row = await tx.insertInto('campaigns').values({
    community_id: communityId, code: c.code, names: JSON.stringify(c.names), goals: JSON.stringify(c.goals), tag_id: tagId ?? null,
    starts_on: c.starts_on, ends_on: c.ends_on, channels: c.channels,
  }).returning('id').executeTakeFirstOrThrow();
  await recordAudit(tx, actor, { action: 'campaign.create', objectType: 'campaign', objectId: row.id, after: { code: c.code } });
  return row;
}
