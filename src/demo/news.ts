// A year of published news for a demo community: 4,000 materials for the Ukrainian city (seed
// 003: "over four thousand news materials" a year, 50 of them in the campaign "Рух без бар'єрів"
// under the tag "безбар'єрність"), 504 for Khomein (seed 002). Texts come from templates, are
// built in JS (so their search terms go through the same search.ts as an editor's text) and go
// in with one set-based statement per table, not thousands of round trips.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../db/db.ts';
import type { Config } from '../config.ts';
import type { Lang } from '../db/types.ts';
import { documentText, weightedVector } from '../modules/newsroom/search.ts';
import { slugFor } from '../modules/newsroom/service.ts';
import { loadDemoPhotos } from './news-photos.ts';
import { ACCESS_TOPICS, DISTRICTS, EN_BODY, FA_BODY, FA_STREETS, FA_TOPICS, STREETS, UK_BODY, UK_TOPICS, type Topic } from './news-texts.ts';
import { DEMO_CAMPAIGNS } from './newsroom-setup.ts';

export const DEMO_NEWS_COUNTS: Record<string, number> = { zelenodolsk: 4000, khomein: 504 };
const CAMPAIGN_POSTS = 50;
const DRAFTS = 12;

/** A small deterministic generator: the same demo on every first start. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ (t + Math.imul(t ^ (t >>> 14), 61 | t));
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Row = { material_id: string; type: string; cat: string; rubric: string | null; campaign: boolean; urgent: boolean; cover: string | null; at: Date; versions: { lang: Lang; title: string; lead: string; body: string[]; status: string }[] };

const fill = (s: string, v: Record<string, string | number>, lang: Lang = 'uk') =>
  s.replace(/\{(\w+)\}/g, (_, k: string) => (typeof v[k] === 'number' && lang === 'fa' ? (v[k] as number).toLocaleString('fa-IR') : String(v[k] ?? '')));

/** A working-hours moment `daysAgo` days before now, in the community's zone (roughly: UTC+2/+3.5). */
function momentAgo(now: Date, daysAgo: number, r: () => number, utcOffsetH: number): Date {
  const d = new Date(now.getTime() - daysAgo * 86_400_000);
  d.setUTCHours(8 - utcOffsetH + Math.floor(r() * 11), Math.floor(r() * 60), 0, 0);
  return d > now ? new Date(now.getTime() - 3_600_000 * (1 + r() * 5)) : d;
}

function ukRows(count: number, photos: string[], now: Date): Row[] {
  const r = rng(3);
  const rows: Row[] = [];
  let campaignPosts = 0;
  for (let i = 0; i < count; i++) {
    const isCampaign = i > DRAFTS && (i + 7) % Math.floor(count / CAMPAIGN_POSTS) === 0 && campaignPosts++ < CAMPAIGN_POSTS;
    // The newest published one is urgent (a water main repair three hours ago), so the home page shows the urgent block.
    const fresh = i === DRAFTS;
    const topic: Topic = isCampaign ? ACCESS_TOPICS[i % ACCESS_TOPICS.length] : fresh ? UK_TOPICS[0] : UK_TOPICS[Math.floor(r() * UK_TOPICS.length)];
    const st = STREETS[Math.floor(r() * STREETS.length)];
    const di = DISTRICTS[Math.floor(r() * DISTRICTS.length)];
    const vars = { n: 2 + Math.floor(r() * 40), count: 50 + Math.floor(r() * 900), school: 1 + Math.floor(r() * 30) };
    const urgent = fresh || (!!topic.urgent && r() < 0.5);
    const draft = i < DRAFTS;
    const at = fresh ? new Date(now.getTime() - 3 * 3_600_000) : momentAgo(now, (i / count) * 365, r, 2);
    const pool = [...UK_BODY[topic.cat] ?? [], ...UK_BODY.any];
    const body = [topic.uk[1], pool[Math.floor(r() * pool.length)], pool[Math.floor(r() * pool.length)]].map((p) => fill(p, { ...vars, street: st.uk, district: di.uk }));
    const versions: Row['versions'] = [{ lang: 'uk', title: fill(topic.uk[0], { ...vars, street: st.uk, district: di.uk }), lead: fill(topic.uk[1], { ...vars, street: st.uk, district: di.uk }), body: body.slice(1), status: draft ? (i % 2 ? 'in_review' : 'draft') : 'published' }];
    if (topic.en && !draft && r() < 0.12) {
      const en = { ...vars, street: st.en, district: di.en };
      versions.push({ lang: 'en', title: fill(topic.en[0], en), lead: fill(topic.en[1], en), body: [EN_BODY[i % EN_BODY.length]], status: 'published' });
    }
    rows.push({ material_id: randomUUID(), type: topic.type ?? 'news', cat: topic.cat, rubric: topic.rubric ?? null, campaign: isCampaign, urgent, cover: r() < 0.7 ? photos[i % photos.length] ?? null : null, at, versions });
  }
  return rows;
}

function faRows(count: number, photos: string[], now: Date): Row[] {
  const r = rng(2);
  return Array.from({ length: count }, (_, i) => {
    const topic = FA_TOPICS[Math.floor(r() * FA_TOPICS.length)];
    const vars = { n: 2 + Math.floor(r() * 40), street: FA_STREETS[Math.floor(r() * FA_STREETS.length)] };
    const draft = i < 3;
    return {
      material_id: randomUUID(), type: topic.type ?? 'news', cat: topic.cat, rubric: topic.rubric ?? null, campaign: !!topic.campaign, urgent: !!topic.urgent && r() < 0.5,
      cover: r() < 0.7 ? photos[i % photos.length] ?? null : null, at: momentAgo(now, (i / count) * 365, r, 3.5),
      versions: [{ lang: 'fa' as Lang, title: fill(topic.fa[0], vars, 'fa'), lead: fill(topic.fa[1], vars, 'fa'), body: [FA_BODY[i % FA_BODY.length], FA_BODY[(i + 1) % FA_BODY.length]], status: draft ? 'draft' : 'published' }],
    };
  });
}

/** Ids of the vocabulary src/demo/newsroom-setup.ts created (a code it lacks leaves the field empty). */
async function taxonomy(tx: Tx, communityId: string, slug: string) {
  const ids = async (table: 'news_categories' | 'news_rubrics') => new Map((await tx.selectFrom(table).select(['id', 'code']).where('community_id', '=', communityId).execute()).map((x) => [x.code, x.id]));
  const code = DEMO_CAMPAIGNS[slug]?.[0]?.code;
  const campaign = code ? await tx.selectFrom('campaigns').select(['id', 'tag_id']).where('community_id', '=', communityId).where('code', '=', code).executeTakeFirst() : undefined;
  return { categories: await ids('news_categories'), rubrics: await ids('news_rubrics'), campaignId: campaign?.id ?? null, tagId: campaign?.tag_id ?? null };
}

/** Loads the community's year of news, after its vocabulary (loadDemoNewsroom). */
export async function loadDemoNews(tx: Tx, config: Config, communityId: string, slug: string, count = DEMO_NEWS_COUNTS[slug] ?? 0, now = new Date()): Promise<number> {
  if (count <= 0) return 0;
  const tax = await taxonomy(tx, communityId, slug);
  const photos = await loadDemoPhotos(tx, config, communityId, slug === 'zelenodolsk' ? 12 : 6);
  const rows = slug === 'khomein' ? faRows(count, photos, now) : ukRows(count, photos, now);
  await sql`
    insert into materials (id, community_id, type, category_id, rubric_id, campaign_id, urgent, cover_media_id, created_at, updated_at)
    select m.id, ${communityId}, m.type, m.cat, m.rubric, m.campaign, m.urgent, m.cover, m.at, m.at
    from unnest(${rows.map((x) => x.material_id)}::uuid[], ${rows.map((x) => x.type)}::text[], ${rows.map((x) => tax.categories.get(x.cat) ?? null)}::uuid[],
      ${rows.map((x) => (x.rubric ? tax.rubrics.get(x.rubric) ?? null : null))}::uuid[], ${rows.map((x) => (x.campaign ? tax.campaignId : null))}::uuid[],
      ${rows.map((x) => x.urgent)}::boolean[], ${rows.map((x) => x.cover)}::uuid[], ${rows.map((x) => x.at)}::timestamptz[]) as m(id, type, cat, rubric, campaign, urgent, cover, at)`.execute(tx);
  const vs = rows.flatMap((x) => x.versions.map((v) => ({ ...v, material_id: x.material_id, at: x.at, html: v.body.map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`).join('\n'), text: v.body.join('\n\n') })));
  await sql`
    insert into material_versions (community_id, material_id, lang, slug, title, lead, body_html, body_text, status, published_at, first_published_at, search, created_at, updated_at)
    select ${communityId}, v.material_id, v.lang, v.slug, v.title, v.lead, v.html, v.text, v.status,
      case when v.status = 'published' then v.at end, case when v.status = 'published' then v.at end,
      ${weightedVector(sql`v.st`, sql`v.sl`, sql`v.sb`)}, v.at, v.at
    from unnest(${vs.map((v) => v.material_id)}::uuid[], ${vs.map((v) => v.lang)}::text[], ${vs.map((v) => slugFor(v.title, v.material_id))}::text[],
      ${vs.map((v) => v.title)}::text[], ${vs.map((v) => v.lead)}::text[], ${vs.map((v) => v.html)}::text[], ${vs.map((v) => v.text)}::text[],
      ${vs.map((v) => v.status)}::text[], ${vs.map((v) => v.at)}::timestamptz[],
      ${vs.map((v) => documentText(v.title))}::text[], ${vs.map((v) => documentText(v.lead))}::text[], ${vs.map((v) => documentText(v.text))}::text[])
      as v(material_id, lang, slug, title, lead, html, text, status, at, st, sl, sb)`.execute(tx);
  const tagged = rows.filter((x) => x.campaign).map((x) => x.material_id);
  if (tax.tagId && tagged.length) {
    await sql`insert into material_tags (community_id, material_id, tag_id) select ${communityId}, id, ${tax.tagId} from unnest(${tagged}::uuid[]) as t(id)`.execute(tx);
  }
  return rows.length;
}
