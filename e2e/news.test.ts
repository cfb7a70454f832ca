// The public news site in Debian's Chromium on a phone: home, list, an article and search in
// Ukrainian, the same in Persian (right to left), axe (WCAG 2.1 A/AA) on every page.
// Screenshots for docs/screenshots/ only with CITYDESK_SCREENSHOTS=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../src/test/harness.ts';
import { assertNoHorizontalScroll, browserSkipReason, checkA11y, clickAndLoad, htmlLangDir, launchBrowser, screenshot , inContext, PHONE } from './browser.ts';


describe('news site in a browser', { skip: browserSkipReason(), timeout: 280_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let dataDir: string;

  before(async () => {
    browser = await launchBrowser();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'citydesk-e2e-news-'));
    app = await startTestApp({ CITYDESK_DATA_DIR: dataDir, CITYDESK_DEMO_NEWS: 'true' });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const withPhone = (locale: string, fn: (page: Page) => Promise<void>) => inContext(browser, { ...PHONE, locale, baseURL: app.origin }, fn);

  async function check(page: Page, label: string) {
    await checkA11y(page, label);
    await assertNoHorizontalScroll(page, label);
  }

  it('Ukrainian: home with urgent and latest news, the list, an article, search for an inflected word', async () => {
    await withPhone('uk-UA', async (page) => {
      await page.goto('/uk/');
      await check(page, 'home (uk)');
      assert.ok(await page.locator('#urgent-news').isVisible(), 'the urgent block is on the home page');
      assert.ok((await page.locator('#latest-news ~ ul.news li, section[aria-labelledby=latest-news] li').count()) >= 3);
      await clickAndLoad(page, page.locator('header nav.main a', { hasText: 'Новини' }));
      assert.equal(new URL(page.url()).pathname, '/uk/news');
      await check(page, 'news list (uk)');
      await clickAndLoad(page, page.locator('ul.news li.with-cover h2 a').first());
      assert.match(decodeURIComponent(new URL(page.url()).pathname), /^\/uk\/news\/.+/);
      await check(page, 'article (uk)');
      const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? '{}');
      assert.equal(ld['@type'], 'NewsArticle');
      assert.equal(await page.locator('article img').first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), true, 'the cover loads');
      await screenshot(page, 'news-uk.png');
      await page.goto('/uk/search');
      await page.locator('#q').fill('ремонтами вулицях');
      await clickAndLoad(page, page.locator('main form[role=search] button'));
      await check(page, 'search (uk)');
      assert.ok((await page.locator('ul.news li').count()) > 0, 'an inflected query finds materials');
      assert.match((await page.locator('ul.news li a').first().textContent()) ?? '', /[Рр]емонт/);
    });
  });

  it('Persian: right to left, Solar Hijri dates, list and article, search with Arabic letters', async () => {
    await withPhone('fa-IR', async (page) => {
      await page.goto('/c/khomein/fa/');
      assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
      await check(page, 'home (fa)');
      await clickAndLoad(page, page.locator('header nav.main a', { hasText: 'اخبار' }));
      await check(page, 'news list (fa)');
      assert.match((await page.locator('ul.news time').first().textContent()) ?? '', /[۰-۹]/, 'Persian digits');
      await clickAndLoad(page, page.locator('ul.news li.with-cover h2 a').first());
      await check(page, 'article (fa)');
      assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
      await screenshot(page, 'news-fa.png');
      await page.goto(`/c/khomein/fa/search?q=${encodeURIComponent('شهرداري')}`);
      await check(page, 'search (fa)');
      assert.ok((await page.locator('ul.news li').count()) > 0, 'Arabic yeh finds Persian text');
    });
  });
});
