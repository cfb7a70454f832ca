// The newsroom journey in Chromium: an author drafts with a photo (Ukrainian and, as its own
// language version, Persian), an editor approves and publishes to every channel, and both versions
// appear on the portal. axe (WCAG 2.1 A/AA) on every console page visited; the editor and the
// calendar in Ukrainian and Persian are screenshotted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../src/test/harness.ts';
import { DEMO_PASSWORD } from '../src/demo/load.ts';
import { t } from '../src/i18n/i18n.ts';
import { CHANNELS } from '../src/modules/channels/types.ts';
import { browserSkipReason, checkA11y, clickAndLoad, htmlLangDir, launchBrowser, screenshot , DESKTOP, inContext } from './browser.ts';


describe('newsroom in the browser', { skip: browserSkipReason(), timeout: 280_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let photo: Buffer;

  before(async () => {
    browser = await launchBrowser();
    app = await startTestApp();
    photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#2f7d5b' } }).jpeg().toBuffer();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const withPage = (locale: string, fn: (page: Page) => Promise<void>) => inContext(browser, { ...DESKTOP, locale, baseURL: app.origin }, fn);

  async function signIn(page: Page, base: string, email: string, lang: 'uk' | 'fa') {
    await page.goto(`${base}/console/login`);
    await page.getByLabel(t(lang, 'console.email')).fill(email);
    await page.getByLabel(t(lang, 'console.password')).fill(DEMO_PASSWORD);
    await clickAndLoad(page, page.getByRole('button', { name: t(lang, 'console.sign_in') }));
  }

  const press = (page: Page, name: string) => clickAndLoad(page, page.getByRole('button', { name, exact: true }));

  it('an author drafts with a photo, an editor approves and publishes to all channels, the portal shows uk and fa', async () => {
    let editorUrl = '';
    await withPage('uk-UA', async (page) => {
      await signIn(page, '', 'author@zelenodolsk.example', 'uk');
      await page.goto('/console/newsroom/new');
      await checkA11y(page, 'new material (uk)');
      await page.getByLabel(t('uk', 'newsroom.field.type')).selectOption('photo_report');
      await page.getByLabel(t('uk', 'newsroom.field.title'), { exact: true }).fill('Толока в парку Перемоги');
      await page.getByLabel(t('uk', 'newsroom.field.lead'), { exact: true }).fill('Мешканці висадили сорок кленів біля ставка.');
      await page.locator('#body_html').fill('<p>Дякуємо всім, хто прийшов!</p>');
      // The visual editor works over the same field: bold text typed there reaches the saved body.
      await page.getByRole('button', { name: t('uk', 'newsroom.rte.visual') }).click();
      const area = page.getByRole('textbox', { name: t('uk', 'newsroom.field.body'), exact: true });
      await area.click();
      await page.keyboard.press('End');
      await page.getByRole('button', { name: t('uk', 'newsroom.rte.bold') }).click();
      await page.keyboard.type(' Фото нижче.');
      await checkA11y(page, 'new material, visual editor (uk)');
      await page.getByLabel(t('uk', 'newsroom.field.tags')).fill('толока, безбар’єрність');
      for (const k of CHANNELS) await page.getByRole('checkbox', { name: t('uk', `channels.name.${k}`) }).check();
      await press(page, t('uk', 'newsroom.editor.create'));
      editorUrl = new URL(page.url()).pathname;
      assert.match(await page.locator('#body_html').inputValue(), /<strong>\s*Фото нижче\.<\/strong>/);
      assert.match(editorUrl, /\/console\/newsroom\/materials\/[0-9a-f-]{36}$/);

      await page.locator('#photo').setInputFiles({ name: 'toloka.jpg', mimeType: 'image/jpeg', buffer: photo });
      await page.locator('#new-alt').fill('Мешканці садять клени біля ставка');
      await press(page, t('uk', 'newsroom.photos.upload'));
      await checkA11y(page, 'editor with a photo (uk)');
      await screenshot(page, 'newsroom-editor-uk.png');

      await clickAndLoad(page, page.getByRole('link', { name: t('uk', 'newsroom.editor.add_version', { lang: t('uk', 'lang.fa') }) }));
      await page.getByLabel(t('uk', 'newsroom.field.title'), { exact: true }).fill('پاکسازی و درختکاری در پارک پیروزی');
      await page.getByLabel(t('uk', 'newsroom.field.lead'), { exact: true }).fill('شهروندان چهل نهال افرا کاشتند.');
      await press(page, t('uk', 'newsroom.editor.create'));
      await page.getByLabel(t('uk', 'newsroom.photos.alt')).first().fill('شهروندان کنار برکه نهال می‌کارند');
      await press(page, t('uk', 'newsroom.photos.save_text'));
      await press(page, t('uk', 'newsroom.action.submit'));
      await page.goto(`${editorUrl}?v=uk`);
      await press(page, t('uk', 'newsroom.action.submit'));
      assert.equal(await page.getByRole('button', { name: t('uk', 'newsroom.action.publish') }).count(), 0, 'an author cannot publish');
    });

    await withPage('uk-UA', async (page) => {
      await signIn(page, '', 'editor@zelenodolsk.example', 'uk');
      await page.goto('/console/newsroom/calendar');
      await checkA11y(page, 'calendar (uk)');
      await clickAndLoad(page, page.getByTestId('review').getByRole('link', { name: 'Толока в парку Перемоги' }));
      for (const v of ['uk', 'fa']) {
        await page.goto(`${editorUrl}?v=${v}`);
        await press(page, t('uk', 'newsroom.action.approve'));
        await press(page, t('uk', 'newsroom.action.publish'));
        assert.equal(await page.getByTestId('status').textContent().then((s) => s?.startsWith(t('uk', 'newsroom.status.published'))), true);
      }
      await checkA11y(page, 'editor, published (uk)');
      const deliveries = await page.getByTestId('deliveries').textContent();
      for (const k of CHANNELS) assert.ok(deliveries?.includes(t('uk', `channels.name.${k}`)), `a delivery to ${k}`);
      await page.goto('/console/newsroom/calendar');
      await screenshot(page, 'newsroom-calendar-uk.png');
    });

    const rows = await app.app.db.selectFrom('material_versions').select(['lang', 'slug', 'status']).where('title', 'in', ['Толока в парку Перемоги', 'پاکسازی و درختکاری در پارک پیروزی']).execute();
    const slugs = Object.fromEntries(rows.map((r) => [r.lang, r.slug]));
    assert.deepEqual(rows.map((r) => r.status), ['published', 'published']);
    await withPage('uk-UA', async (page) => {
      await page.goto(`/uk/news/${encodeURIComponent(slugs.uk)}`);
      await page.getByRole('heading', { name: 'Толока в парку Перемоги' }).waitFor();
      assert.deepEqual(await htmlLangDir(page), { lang: 'uk', dir: 'ltr' });
      await checkA11y(page, 'portal news (uk)');
      await page.goto(`/fa/news/${encodeURIComponent(slugs.fa)}`);
      await page.getByRole('heading', { name: 'پاکسازی و درختکاری در پارک پیروزی' }).waitFor();
      assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
      await checkA11y(page, 'portal news (fa)');
    });
  });

  it('the editor and the calendar read right to left in Persian', async () => {
    await withPage('fa-IR', async (page) => {
      await signIn(page, '/c/khomein', 'editor@khomein.example', 'fa');
      await page.goto('/c/khomein/console/newsroom/new');
      await page.getByLabel(t('fa', 'newsroom.field.title'), { exact: true }).fill('آغاز بازسازی خیابان امام');
      await page.getByLabel(t('fa', 'newsroom.field.lead'), { exact: true }).fill('عملیات بازسازی پیاده‌رو از شنبه آغاز می‌شود.');
      await page.locator('#body_html').fill('<p>با پوزش از شهروندان برای ترافیک.</p>');
      await page.getByRole('checkbox', { name: t('fa', 'channels.name.eitaa') }).check();
      await press(page, t('fa', 'newsroom.editor.create'));
      assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
      await checkA11y(page, 'editor (fa)');
      await screenshot(page, 'newsroom-editor-fa.png');
      await press(page, t('fa', 'newsroom.action.submit'));
      await page.goto('/c/khomein/console/newsroom/calendar');
      await checkA11y(page, 'calendar (fa)');
      await screenshot(page, 'newsroom-calendar-fa.png');
      assert.match(await page.getByTestId('review').textContent() ?? '', /آغاز بازسازی خیابان امام/);
    });
  });
});
