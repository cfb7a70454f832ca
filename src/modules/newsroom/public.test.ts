// The public news site against a real server with the demo year of news: what readers, search
// engines and feed readers get, and what they must never get (drafts, another community's news).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import { startTestApp } from '../../test/harness.ts';
import { withCommunity } from '../../db/db.ts';

const get = async (origin: string, p: string, headers: Record<string, string> = {}) => {
  const r = await fetch(origin + p, { headers });
  return { status: r.status, headers: r.headers, body: await r.text() };
};
const wellFormed = (xml: string) => new SaxesParser().write(xml).close();
const enc = (slug: string) => encodeURIComponent(slug);

describe('public news site', { timeout: 240_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let dataDir: string;
  let z: string; // Zelenodolsk id
  let k: string; // Khomein id

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'citydesk-news-'));
    app = await startTestApp({ CITYDESK_DATA_DIR: dataDir, CITYDESK_DEMO_NEWS: 'true' });
    const cs = await app.app.db.selectFrom('communities').select(['id', 'slug']).execute();
    z = cs.find((c) => c.slug === 'zelenodolsk')!.id;
    k = cs.find((c) => c.slug === 'khomein')!.id;
  });
  after(async () => {
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  type V = { material_id: string; lang: string; slug: string; title: string; status: string };
  // `where` narrows the one query below; its builder type is too long to spell out.
  const versions = (communityId: string, where: (q: any) => any): Promise<V[]> =>
    withCommunity(app.app.db, communityId, (tx) => where(tx.selectFrom('material_versions').innerJoin('materials', 'materials.id', 'material_versions.material_id')
      .select(['material_versions.material_id', 'material_versions.lang', 'material_versions.slug', 'material_versions.title', 'material_versions.status'])).execute());

  it('the demo has a year of news: 4,000 and 504 materials, the campaign\'s 50 under its tag, some in English', async () => {
    const count = (id: string) => withCommunity(app.app.db, id, (tx) => tx.selectFrom('materials').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow());
    assert.equal(Number((await count(z)).n), 4000);
    assert.equal(Number((await count(k)).n), 504);
    const tag = await get(app.origin, `/uk/tags/${enc('безбарєрність')}`);
    assert.equal(tag.status, 200);
    assert.match(tag.body, /50 матеріалів/);
    const en = await versions(z, (q) => q.where('material_versions.lang', '=', 'en').where('material_versions.status', '=', 'published'));
    assert.ok(en.length > 50, `English versions: ${en.length}`);
  });

  it('an article page: NewsArticle JSON-LD, OpenGraph and Twitter card, absolute hreflang to each published language version', async () => {
    const [en] = await versions(z, (q) => q.where('material_versions.lang', '=', 'en').where('material_versions.status', '=', 'published').limit(1));
    const [uk] = await versions(z, (q) => q.where('material_versions.material_id', '=', en.material_id).where('material_versions.lang', '=', 'uk'));
    const page = await get(app.origin, `/uk/news/${enc(uk.slug)}`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'public, max-age=60');
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(page.body)![1]);
    assert.equal(ld['@type'], 'NewsArticle');
    assert.equal(ld.headline, uk.title);
    for (const f of ['datePublished', 'dateModified', 'author', 'publisher', 'mainEntityOfPage', 'inLanguage']) assert.ok(ld[f], `JSON-LD has ${f}`);
    assert.match(page.body, new RegExp(`<meta property="og:title" content="[^"]+">`));
    assert.match(page.body, /<meta name="twitter:card" content="summary(_large_image)?">/);
    const hreflang = [...page.body.matchAll(/<link rel="alternate" hreflang="(\w+)" href="([^"]+)">/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(hreflang.sort(), [['en', `${app.origin}/en/news/${enc(en.slug)}`], ['uk', `${app.origin}/uk/news/${enc(uk.slug)}`]]);
    const english = await get(app.origin, `/en/news/${enc(en.slug)}`);
    assert.equal(english.status, 200);
    assert.match(english.body, /<html lang="en"/);
  });

  it('responsive covers: srcset of the media module\'s variants', async () => {
    const list = await get(app.origin, '/uk/news');
    assert.match(list.body, /<img src="\/media\/[0-9a-f-]+\/w640\.jpg" srcset="\/media\/[0-9a-f-]+\/w320\.jpg 320w, \/media\/[0-9a-f-]+\/w640\.jpg 640w"/);
    const src = /<img src="(\/media\/[^"]+)"/.exec(list.body)![1];
    const img = await fetch(app.origin + src);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/jpeg');
  });

  it('no draft is ever visible: not its page, not in lists, search, feeds or the sitemap', async () => {
    const drafts = await versions(z, (q) => q.where('material_versions.status', 'in', ['draft', 'in_review']));
    assert.ok(drafts.length > 0);
    const d = drafts[0];
    assert.equal((await get(app.origin, `/uk/news/${enc(d.slug)}`)).status, 404);
    for (const p of ['/uk/news', '/uk/feed.rss', '/uk/feed.atom', '/uk/feed.json', '/sitemap.xml', `/uk/search?q=${enc(d.title)}`]) {
      const r = await get(app.origin, p);
      assert.equal(r.status, 200, p);
      assert.ok(!r.body.includes(enc(d.slug)) && !r.body.includes(d.slug), `${p} does not show the draft`);
    }
  });

  it("another community's materials are never visible", async () => {
    const [fa] = await versions(k, (q) => q.where('material_versions.status', '=', 'published').limit(1));
    assert.equal((await get(app.origin, `/c/khomein/fa/news/${enc(fa.slug)}`)).status, 200);
    assert.equal((await get(app.origin, `/fa/news/${enc(fa.slug)}`)).status, 404);
    const sitemap = await get(app.origin, '/sitemap.xml');
    assert.ok(!sitemap.body.includes(enc(fa.slug)));
    const search = await get(app.origin, `/fa/search?q=${enc('شهرداری')}`);
    assert.match(search.body, /0 مطلب|۰ مطلب/);
  });

  it('search finds inflected Ukrainian words and Persian ones typed with Arabic letters', async () => {
    const uk = await get(app.origin, `/uk/search?q=${enc('ремонтами водогону')}`);
    assert.equal(uk.status, 200);
    assert.match(uk.body, /Ремонт водогону/);
    const fa = await get(app.origin, `/c/khomein/fa/search?q=${enc('شهرداري خمين')}`);
    assert.match(fa.body, /شهرداری خمین/);
    const empty = await get(app.origin, `/uk/search?q=${enc('!!!')}`);
    assert.match(empty.body, /role="alert">Введіть хоча б одне слово/);
    assert.match(empty.body, /value="!!!"/, 'what was typed stays in the box');
  });

  it('the list filters by category, rubric, tag and date; a bad date is explained and keeps the form', async () => {
    const all = await get(app.origin, '/uk/news');
    const total = Number(/(\d[\d\s ]*) матеріал/.exec(all.body)![1].replace(/\D/g, ''));
    const transport = await get(app.origin, '/uk/news?category=transport');
    const n = Number(/(\d[\d\s ]*) матеріал/.exec(transport.body)![1].replace(/\D/g, ''));
    assert.ok(n > 0 && n < total, `${n} of ${total}`);
    const rubric = await get(app.origin, '/uk/rubrics/for-veterans');
    assert.equal(rubric.status, 200);
    const today = new Date().toISOString().slice(0, 10);
    const day = await get(app.origin, `/uk/news?from=${today}&to=${today}`);
    assert.ok(Number(/(\d[\d\s ]*) матеріал/.exec(day.body)?.[1]?.replace(/\D/g, '') ?? 0) < 60);
    const bad = await get(app.origin, '/uk/news?from=2026-02-31');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /Дату пишіть так/);
    assert.match(bad.body, /value="2026-02-31"/);
    assert.equal((await get(app.origin, '/uk/news?page=9999')).status, 404);
    assert.equal((await get(app.origin, '/uk/tags/no-such-tag')).status, 404);
  });

  it('feeds: RSS, Atom and JSON Feed of all news and of a category, linked from every portal page', async () => {
    const rss = await get(app.origin, '/uk/feed.rss');
    assert.match(rss.headers.get('content-type')!, /application\/rss\+xml/);
    wellFormed(rss.body);
    assert.equal(rss.body.match(/<item>/g)!.length, 30);
    const atom = await get(app.origin, '/uk/news/category/transport/feed.atom');
    wellFormed(atom.body);
    assert.match(atom.body, /<title>Зеленодольськ: Транспорт<\/title>/);
    const json = JSON.parse((await get(app.origin, '/c/khomein/fa/feed.json')).body);
    assert.equal(json.version, 'https://jsonfeed.org/version/1.1');
    assert.ok(json.items.length > 0 && json.items.every((i: { id: string; content_text?: string }) => i.id && i.content_text !== undefined));
    assert.equal((await get(app.origin, '/uk/news/category/nope/feed.rss')).status, 404);
    const login = await get(app.origin, '/uk/login');
    assert.match(login.body, /<link rel="alternate" type="application\/rss\+xml" [^>]*href="\/uk\/feed.rss">/);
    const sitemap = await get(app.origin, '/sitemap.xml');
    wellFormed(sitemap.body);
    assert.match(sitemap.body, /xhtml:link rel="alternate" hreflang="en"/);
  });

  it('the home page shows urgent and latest news; pages revalidate with ETag', async () => {
    const home = await get(app.origin, '/uk/');
    assert.match(home.body, /id="urgent-news"/);
    assert.match(home.body, /id="latest-news"/);
    const list = await get(app.origin, '/uk/news');
    const etag = list.headers.get('etag')!;
    assert.ok(etag);
    assert.equal((await get(app.origin, '/uk/news', { 'if-none-match': etag })).status, 304);
    const br = await fetch(`${app.origin}/uk/news`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(br.headers.get('content-encoding'), 'br', 'sent compressed to a reader who takes it');
    assert.match(await br.text(), /<h1>Новини<\/h1>/);
    const signedIn = await get(app.origin, '/uk/news', { cookie: 'cd_res=x' });
    assert.equal(signedIn.headers.get('cache-control'), 'private, no-cache', 'a page that may show "my account" is not shared');
  });
});
