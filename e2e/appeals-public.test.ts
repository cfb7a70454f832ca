// The portal's public appeals pages in Chromium: statistics and the anonymised list with its
// map, on a phone and a desktop, in Ukrainian and Persian (right to left). axe on every page.
// Map tiles come from a local fake tile server (plain grey squares), as a real one would.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../src/test/harness.ts';
import { withCommunity } from '../src/db/db.ts';
import { loadDemoAppeals } from '../src/demo/appeals-year.ts';
import { systemActor } from '../src/modules/audit/service.ts';
import { fileAppeal, type AppealsCtx } from '../src/modules/appeals/service.ts';
import { t } from '../src/i18n/i18n.ts';
import { assertNoHorizontalScroll, browserSkipReason, checkA11y, clickAndLoad, htmlLangDir, launchBrowser, readTotpSecret, screenshot, totp } from './browser.ts';
import { DEMO_PASSWORD } from '../src/demo/load.ts';

const MOBILE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 900 } };

describe('public appeals pages in the browser', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let tiles: Server;

  before(async () => {
    const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#e8ecef' } }).png().toBuffer();
    tiles = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(tile));
    await new Promise<void>((ok) => tiles.listen(0, '127.0.0.1', ok));
    const port = (tiles.address() as AddressInfo).port;
    browser = await launchBrowser();
    app = await startTestApp({ CITYDESK_MAP_TILES: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`, CITYDESK_MAP_ATTRIBUTION: 'Test tiles' });
    const words = { description: 'Демонстраційне звернення №', street: 'вул. Демонстраційна,', resident: 'Мешканець', phonePrefix: '+38050' };
    const c = (await app.app.communities.bySlug('zelenodolsk'))!;
    await withCommunity(app.app.db, c.id, async (tx) => {
      await loadDemoAppeals(tx, c.id, 300, words);
      const ctx: AppealsCtx = { tx, queue: app.app.queue, actor: systemActor(c.id), community: c, secret: app.app.secret, followUrl: () => 'x', rateUrl: () => 'x' };
      const cat = (await tx.selectFrom('appeal_categories').select('id').where('code', '=', 'street-light').executeTakeFirstOrThrow()).id;
      for (const [lat, lon, street] of [[48.9221, 24.7102, 'вул. Галицька, 21'], [48.9188, 24.7155, 'вул. Шевченка, 3'], [48.9251, 24.7049, 'вул. Франка, 40']] as const) {
        await fileAppeal(ctx, { category_id: cat, description: 'Не світить ліхтар біля зупинки', address: street, lat, lon, applicant: { name: 'Марія Приватна', phone: '+380631234567' } }, { channel: 'web', lang: 'uk' });
      }
    });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    tiles?.close();
  });

  async function visit(opts: typeof MOBILE | typeof DESKTOP, url: string, fn: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ ...opts, locale: 'uk-UA', baseURL: app.origin });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(url);
      await fn(page);
    } finally {
      await context.close();
    }
  }

  const noPersonalData = async (page: Page) => {
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /Марія|Приватна|631234567|Мешканець \d|\+38050|Галицька, ?21|Демонстраційна, ?\d/);
  };

  for (const lang of ['uk', 'fa'] as const) {
    it(`statistics on a phone (${lang})`, async () => {
      await visit(MOBILE, `/${lang}/appeals/stats?days=365`, async (page) => {
        assert.deepEqual(await htmlLangDir(page), { lang, dir: lang === 'fa' ? 'rtl' : 'ltr' });
        await page.getByRole('heading', { level: 1, name: t(lang, 'appeals.public.stats_title') }).waitFor();
        assert.ok(await page.locator('[data-testid=by-category] tbody tr').count() > 0);
        await checkA11y(page, `public stats (${lang})`);
        await assertNoHorizontalScroll(page, `public stats (${lang})`);
        await noPersonalData(page);
        await screenshot(page, `appeals-stats-${lang}-phone.png`);
      });
    });

    it(`anonymised list with its map on a phone (${lang})`, async () => {
      await visit(MOBILE, `/${lang}/appeals/public`, async (page) => {
        assert.deepEqual(await htmlLangDir(page), { lang, dir: lang === 'fa' ? 'rtl' : 'ltr' });
        await page.locator('#appeals-map.on .leaflet-interactive').first().waitFor();
        assert.equal(await page.locator('#appeals-map .leaflet-interactive').count(), 3, 'three rounded places');
        await checkA11y(page, `public list (${lang})`);
        await assertNoHorizontalScroll(page, `public list (${lang})`);
        await noPersonalData(page);
      });
    });
  }

  it('without JavaScript the list is all there is, and it works', async () => {
    const context = await browser.newContext({ ...DESKTOP, baseURL: app.origin, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto('/uk/appeals/public');
      assert.equal(await page.locator('#appeals-map').isVisible(), false, 'no empty map box');
      assert.equal(await page.locator('[data-testid=public-appeals] tbody tr').count(), 25);
      await page.getByRole('link', { name: t('uk', 'appeals.public.next') }).click();
      await page.waitForURL(/page=2/);
      assert.ok(await page.locator('[data-testid=public-appeals] tbody tr').count() > 0);
    } finally {
      await context.close();
    }
  });

  it('an appeals admin exports the list and imports a CSV, following its progress (uk, fa)', async () => {
    await visit(DESKTOP, '/console/login', async (page) => {
      await page.getByLabel(t('uk', 'console.email')).fill('admin@zelenodolsk.example');
      await page.getByLabel(t('uk', 'console.password')).fill(DEMO_PASSWORD);
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'console.sign_in') }));
      const secret = await readTotpSecret(page);
      await page.getByLabel(t('uk', 'console.second_factor.code'), { exact: true }).fill(totp(secret));
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'console.second_factor.confirm') }));
      await page.goto('/console/appeals?show=all');
      const csv = page.waitForEvent('download');
      await page.getByRole('link', { name: t('uk', 'appeals.export.csv') }).click();
      assert.match((await csv).suggestedFilename(), /^appeals-zelenodolsk-.*\.csv$/);
      await clickAndLoad(page, page.getByRole('link', { name: t('uk', 'appeals.import.link') }));
      await checkA11y(page, 'appeals import (uk)');
      await page.getByLabel(t('uk', 'appeals.import.text')).fill([
        'number,registered_at,category,description,status',
        'E2E-1,2020-05-01 10:00,water-leak,Стара заявка про порив,resolved',
        'E2E-2,2020-05-02,no-such,Невідома категорія,closed',
      ].join('\n'));
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.import.start') }));
      // The page refreshes itself until the job is done.
      await page.locator('[data-testid=run-status]', { hasText: t('uk', 'appeals.import.status.done') }).waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('[data-testid=created]').innerText(), '1');
      assert.equal(await page.locator('#progress').getAttribute('value'), '2');
      assert.ok((await page.locator('[data-testid=rejected-rows]').innerText()).includes(t('uk', 'appeals.import.reason.unknown_category')));
      await checkA11y(page, 'import run (uk)');
      await screenshot(page, 'appeals-import-run-uk.png');
      await page.goto(`${page.url()}?lang=fa`);
      assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
      assert.ok((await page.locator('[data-testid=rejected-rows]').innerText()).includes(t('fa', 'appeals.import.reason.unknown_category')));
      await checkA11y(page, 'import run (fa)');
    });
  });

  it('statistics on a desktop (uk)', async () => {
    await visit(DESKTOP, '/uk/appeals/stats?days=365', async (page) => {
      await checkA11y(page, 'public stats desktop (uk)');
    });
  });
});
