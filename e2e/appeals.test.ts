// The appeals journey in Chromium: a resident files on a phone in Ukrainian and follows it,
// an operator registers a phone appeal, the executor reports, the resident rates 1 and the
// appeal reopens; the filing step in Persian. axe (WCAG 2.1 A/AA) on every page visited.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../src/test/harness.ts';
import { DEMO_PASSWORD } from '../src/demo/load.ts';
import { t } from '../src/i18n/i18n.ts';
import { exifJpeg } from '../src/modules/media/test-fixtures.ts';
import { assertNoHorizontalScroll, browserSkipReason, checkA11y, clickAndLoad, htmlLangDir, launchBrowser, screenshot , DESKTOP, inContext, PHONE } from './browser.ts';


describe('appeals in the browser', { skip: browserSkipReason(), timeout: 280_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
    app = await startTestApp();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const withPage = (opts: typeof PHONE | typeof DESKTOP, fn: (page: Page) => Promise<void>) => inContext(browser, { ...opts, locale: 'uk-UA', baseURL: app.origin }, fn);

  async function check(page: Page, label: string) {
    await checkA11y(page, label);
    if ((page.viewportSize()?.width ?? 0) <= 390) await assertNoHorizontalScroll(page, label);
  }

  const lastMessage = async (to: string) =>
    (await sql<{ body: string }>`select body from outbox_messages where recipient = ${to} order by created_at desc limit 1`.execute(app.app.db)).rows[0]?.body ?? '';

  /** The appeal's photos are on the page, upright (taller than wide) and actually loaded. */
  async function assertPhotoShown(page: Page, count: number) {
    const imgs = page.getByTestId('photos').locator('img');
    assert.equal(await imgs.count(), count);
    await imgs.first().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid=photos] img')].every((i) => i.complete && i.naturalWidth > 0));
    const size = await imgs.first().evaluate((i: HTMLImageElement) => ({ w: i.naturalWidth, h: i.naturalHeight }));
    assert.ok(size.h > size.w, `the photo was turned upright (${size.w}×${size.h})`);
  }

  async function staffSignIn(page: Page, email: string) {
    await page.goto('/console/login');
    await page.getByLabel(t('uk', 'console.email')).fill(email);
    await page.getByLabel(t('uk', 'console.password')).fill(DEMO_PASSWORD);
    await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'console.sign_in') }));
  }

  it('resident files in Ukrainian, operator registers by phone, executor reports, a rating of 1 reopens', async () => {
    let followUrl = '';
    await withPage(PHONE, async (page) => {
      await page.goto('/uk/');
      await clickAndLoad(page, page.getByRole('link', { name: t('uk', 'appeals.new.link') }).first());
      await check(page, 'appeal form (uk)');
      // Sent empty: the errors are shown and nothing is filed.
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.submit') }));
      await check(page, 'appeal form with errors (uk)');
      assert.ok(await page.locator('#description-error').isVisible());
      await page.getByLabel('Порив водопроводу, витік води').check();
      await page.getByLabel(t('uk', 'appeals.field.description')).fill('Біля будинку №12 з-під асфальту б’є вода, утворилась калюжа на тротуарі');
      await page.getByLabel(t('uk', 'appeals.field.address'), { exact: false }).first().fill('вул. Шевченка, 12');
      await page.getByLabel(t('uk', 'appeals.field.name')).fill('Олена Коваль');
      await page.getByLabel(t('uk', 'appeals.field.email')).fill('olena.koval@example.org');
      await page.getByLabel(t('uk', 'appeals.field.applicant_address')).fill('вул. Шевченка, 12, кв. 3');
      // A phone photo (EXIF with GPS, turned sideways) goes with the appeal.
      await page.locator('#photos').setInputFiles({ name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: await exifJpeg(1600, 900) });
      await screenshot(page, 'appeal-form-uk.png');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.submit') }));
      await check(page, 'appeal filed (uk)');
      assert.match(await page.locator('[role=status]').innerText(), /\d{4}-\d{6}/);
      await assertPhotoShown(page, 1);
      followUrl = page.url();
    });

    const number = /appeals\/(\d{4}-\d{6})/.exec(followUrl)![1];
    await withPage(DESKTOP, async (page) => {
      await staffSignIn(page, 'operator@zelenodolsk.example');
      await page.goto('/console/appeals');
      await check(page, 'console appeals (operator)');
      await page.getByLabel(t('uk', 'appeals.field.phone')).fill('+380671112233');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.console.find_phone') }));
      await page.getByLabel(t('uk', 'addresses.category.filter')).fill('яма');
      await page.getByLabel('Ями на дорозі, пошкоджене покриття').check();
      await page.getByLabel(t('uk', 'appeals.field.description')).fill('Глибока яма на перехресті, машини обʼїжджають по зустрічній');
      await page.getByLabel(t('uk', 'appeals.field.address')).fill('перехрестя вул. Франка і Мазепи');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.console.register') }).last());
      // An intersection is not in the street register: the operator confirms it as said.
      await check(page, 'console address choice (operator)');
      await page.locator('input[name=address_choice][value=as_typed]').check();
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.console.register') }).last());
      await check(page, 'console appeal detail (operator)');
      assert.match(await page.getByTestId('status').innerText(), new RegExp(t('uk', 'appeals.status.registered')));
    });

    await withPage(DESKTOP, async (page) => {
      await staffSignIn(page, 'executor.water@zelenodolsk.example');
      await page.goto('/console/appeals');
      await clickAndLoad(page, page.getByRole('link', { name: number }));
      await check(page, 'console appeal detail (executor)');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.console.accept') }));
      await page.getByLabel(t('uk', 'appeals.console.report_text')).fill('Замінено ділянку труби, асфальт відновлено');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.console.report') }));
      assert.match(await page.getByTestId('status').innerText(), new RegExp(t('uk', 'appeals.status.reported')));
    });

    const rateLink = /(\/uk\/rate\/[\w-]+)/.exec(await lastMessage('olena.koval@example.org'))![1];
    await withPage(PHONE, async (page) => {
      await page.goto(rateLink);
      await check(page, 'rating page (uk)');
      await page.getByLabel(t('uk', 'appeals.rate.value.1')).check();
      await page.getByLabel(t('uk', 'appeals.rate.comment')).fill('Калюжа залишилась');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'appeals.rate.submit') }));
      assert.equal(await page.locator('[role=status]').innerText(), t('uk', 'appeals.rate.reopened'));
      await page.goto(followUrl);
      await check(page, 'follow page after reopening (uk)');
      assert.equal(await page.getByTestId('status').innerText(), t('uk', 'appeals.status.reopened'));
      await assertPhotoShown(page, 1);
    });
  });

  it('files in Persian, right to left', async () => {
    await withPage(PHONE, async (page) => {
      await page.goto('/c/khomein/fa/appeals/new');
      assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
      await check(page, 'appeal form (fa)');
      await page.getByLabel('خاموشی روشنایی معابر').check();
      await page.getByLabel(t('fa', 'appeals.field.description')).fill('چراغ‌های خیابان امام از سه شب پیش خاموش است');
      await screenshot(page, 'appeal-form-fa.png');
      await clickAndLoad(page, page.getByRole('button', { name: t('fa', 'appeals.submit') }));
      await check(page, 'appeal filed (fa)');
      assert.match(await page.getByTestId('status').innerText(), new RegExp(t('fa', 'appeals.status.registered')));
    });
  });
});
