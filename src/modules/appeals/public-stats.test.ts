import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../test/harness.ts';
import { Client } from '../../test/client.ts';
import { withCommunity } from '../../db/db.ts';
import { systemActor } from '../audit/service.ts';
import { loadDemoAppeals } from '../../demo/appeals-year.ts';
import { t } from '../../i18n/i18n.ts';
import { loadConfig } from '../../config.ts';
import { fileAppeal, type AppealsCtx } from './service.ts';

describe('public appeals statistics and the anonymised list', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let web: Client;

  before(async () => {
    // Tiles from an address where nothing listens: the page must still be a working list.
    app = await startTestApp({ CITYDESK_MAP_TILES: 'http://127.0.0.1:9/{z}/{x}/{y}.png' });
    web = new Client(app.origin);
    for (const [slug, count, words] of [
      ['zelenodolsk', 400, { description: 'Демонстраційне звернення №', street: 'вул. Демонстраційна,', resident: 'Мешканець', phonePrefix: '+38050' }],
      ['khomein', 120, { description: 'درخواست نمونه شماره', street: 'خیابان نمونه، پلاک', resident: 'شهروند', phonePrefix: '+98912' }],
    ] as const) {
      const c = (await app.app.communities.bySlug(slug))!;
      await withCommunity(app.app.db, c.id, (tx) => loadDemoAppeals(tx, c.id, count, words));
    }
    const community = (await app.app.communities.bySlug('zelenodolsk'))!;
    await withCommunity(app.app.db, community.id, async (tx) => {
      const cat = async (code: string) => (await tx.selectFrom('appeal_categories').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
      const ctx: AppealsCtx = { tx, queue: app.app.queue, actor: systemActor(community.id), community, secret: app.app.secret, followUrl: () => 'x', rateUrl: () => 'x' };
      const file = async (code: string, address: string, extra: Record<string, unknown> = {}) =>
        fileAppeal(ctx, { category_id: await cat(code), description: 'Опис проблеми від мешканки Марії Приватної', address, applicant: { name: 'Марія Приватна', phone: '+380631234567', address: 'вул. Галицька, 21, кв. 4' }, ...extra }, { channel: 'web', lang: 'uk' });
      await file('street-light', 'вул. Галицька, 21', { lat: 48.923456, lon: 24.712345 });
      await file('street-light', 'вул. Конфіденційна, 9', { lat: 48.95, lon: 24.75, confidential: true });
      await file('social', 'вул. Непублічна, 3');
    });
  });
  after(() => app.close());

  const PERSONAL = /Мешканець \d|Марія|Приватн|631234567|\+38050|\+98912|شهروند \d|кв\. 4|Демонстраційна, ?\d|Галицька, ?21|Конфіденційна|Непублічна|Демонстраційне звернення|Опис проблеми/;

  it('the statistics count public categories only and are cached for a minute', async () => {
    const r = await web.request('/uk/appeals/stats?days=365');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
    assert.match(r.text, /data-testid="totals"/);
    assert.match(r.text, /data-testid="by-category"/);
    assert.ok(r.text.includes(t('uk', 'appeals.public.within_target')));
    assert.ok(!r.text.includes('Соціальна допомога'), 'a category the community keeps internal is not shown');
    assert.doesNotMatch(r.text, PERSONAL);
    assert.match(r.text, /class="chart-bar" aria-hidden="true" style="inline-size:100%"/, 'the longest bar is full width');
  });

  it('the list shows number, category, status, street and date — no names, contacts, descriptions or house numbers', async () => {
    const r = await web.request('/uk/appeals/public');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
    assert.doesNotMatch(r.text, PERSONAL);
    assert.match(r.text, />вул\. Галицька</);
    assert.match(r.text, />вул\. Демонстраційна</);
    assert.ok(!r.text.includes('Соціальна допомога'));
    assert.match(r.text, /rel="next"/, 'paged');
    const p2 = await web.request('/uk/appeals/public?page=2');
    assert.doesNotMatch(p2.text, PERSONAL);
    assert.equal((await web.request('/uk/appeals/public?page=abc&category=xyz')).status, 200, 'bad paging falls back to page 1');
  });

  it('the map gets points rounded to about 100 m and never a confidential one; Leaflet is served with long caching', async () => {
    const r = await web.request('/uk/appeals/public');
    const points = JSON.parse(/data-points="([^"]*)"/.exec(r.text)![1].replace(/&quot;/g, '"').replace(/&#39;/g, "'")) as number[][];
    assert.deepEqual(points, [[48.923, 24.712, 1]]);
    assert.doesNotMatch(r.text, /48\.9234|48\.95/);
    const js = /<script src="([^"]+leaflet[^"]+)"/.exec(r.text)![1];
    const asset = await web.request(js);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control')!, /max-age=31536000, immutable/);
    assert.match(asset.headers.get('content-type')!, /javascript/);
    assert.equal((await web.request('/assets/appeals/nothing.js')).status, 404);
  });

  it('Persian pages read right to left, in Persian, and Khomein shows its own figures', async () => {
    const r = await web.request('/c/khomein/fa/appeals/stats?days=365');
    assert.equal(r.status, 200);
    assert.match(r.text, /<html lang="fa" dir="rtl">/);
    assert.ok(r.text.includes(t('fa', 'appeals.public.stats_title')));
    assert.match(r.text, /[۰-۹]/, 'Persian digits');
    const list = await web.request('/c/khomein/fa/appeals/public');
    assert.match(list.text, /<html lang="fa" dir="rtl">/);
    assert.doesNotMatch(list.text, PERSONAL);
    assert.match(list.text, /خیابان نمونه</, 'the street without its پلاک number');
  });

  it('the tile setting must be a tile URL template; without it there is no map', () => {
    assert.equal(loadConfig({}).mapTiles, undefined);
    assert.equal(loadConfig({ CITYDESK_MAP_TILES: 'https://tiles.example/{z}/{x}/{y}.png' }).mapTiles, 'https://tiles.example/{z}/{x}/{y}.png');
    assert.throws(() => loadConfig({ CITYDESK_MAP_TILES: 'tiles.example' }), /CITYDESK_MAP_TILES/);
    assert.throws(() => loadConfig({ CITYDESK_MAP_TILES: 'https://tiles.example/{z}.png' }), /CITYDESK_MAP_TILES/);
  });

  it('the portal home links to both pages', async () => {
    const home = await web.request('/uk/');
    assert.match(home.text, /\/uk\/appeals\/stats"/);
    assert.match(home.text, /\/uk\/appeals\/public"/);
  });
});
