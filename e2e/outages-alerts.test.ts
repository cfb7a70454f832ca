// Outages and alerts in Chromium: a dispatcher posts an emergency outage on a street, a
// resident who subscribed that address gets it by SMS (a fake gateway on 127.0.0.1), a duty
// officer issues an alert and every portal page shows the banner, in Ukrainian and Persian.
// axe (WCAG 2.1 A/AA) on every page visited.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../src/test/harness.ts';
import { Client } from '../src/test/client.ts';
import { until } from '../src/test/until.ts';
import { fakeSmsGateway } from '../src/test/fakes/sms.ts';
import { DEMO_PASSWORD } from '../src/demo/load.ts';
import { t } from '../src/i18n/i18n.ts';
import { assertNoHorizontalScroll, browserSkipReason, checkA11y, clickAndLoad, htmlLangDir, launchBrowser, readTotpSecret, screenshot, totp , DESKTOP, inContext, PHONE } from './browser.ts';


describe('outages and alerts in the browser', { skip: browserSkipReason(), timeout: 280_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let sms: Awaited<ReturnType<typeof fakeSmsGateway>>;

  before(async () => {
    browser = await launchBrowser();
    sms = await fakeSmsGateway('t');
    app = await startTestApp({ SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_TOKEN: 't' });
    // Start from a quiet city: the demo's storm warning would share the banner.
    await sql`update alerts set status = 'cancelled'`.execute(app.app.db);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await sms?.close();
  });

  const withPage = (opts: typeof PHONE | typeof DESKTOP, locale: string, fn: (page: Page) => Promise<void>) => inContext(browser, { ...opts, locale, baseURL: app.origin }, fn);
  async function check(page: Page, label: string) {
    await checkA11y(page, label);
    if ((page.viewportSize()?.width ?? 0) <= 390) await assertNoHorizontalScroll(page, label);
  }
  async function staffSignIn(page: Page, email: string) {
    await page.goto('/console/login');
    await page.getByLabel(t('uk', 'console.email')).fill(email);
    await page.getByLabel(t('uk', 'console.password')).fill(DEMO_PASSWORD);
    await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'console.sign_in') }));
    if (page.url().endsWith('/console/enrol')) {
      const secret = await readTotpSecret(page);
      await page.getByLabel(t('uk', 'console.second_factor.code')).fill(totp(secret));
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'console.second_factor.confirm') }));
    }
  }

  it('a dispatcher posts an emergency outage on a street; the subscriber of that address gets an SMS', async () => {
    // The resident subscribes (signed in by a code sent through the fake SMS gateway).
    const resident = new Client(app.origin);
    await resident.post('/uk/login', { contact: '+380939990001' });
    const code = /\b(\d{6})\b/.exec((await until('code', async () => sms.received.find((m) => m.phone === '380939990001'))).text)![1];
    await resident.post('/uk/login/verify', { contact: '+380939990001', code }, '/uk/login');
    const lookup = await resident.request(`/uk/outages?q=${encodeURIComponent('вул. Івана Франка, 7')}`);
    const street = /name="street" value="([^"]+)"/.exec(lookup.text)![1];
    const building = /name="building" value="([^"]+)"/.exec(lookup.text)?.[1];
    assert.equal((await resident.post('/uk/outages/subscribe', { street, ...(building ? { building } : {}), channel: 'sms' }, `/uk/outages?q=${encodeURIComponent('вул. Івана Франка, 7')}`)).status, 303);

    await withPage(DESKTOP, 'uk-UA', async (page) => {
      await staffSignIn(page, 'dispatcher@zelenodolsk.example');
      await page.goto('/console/outages/new');
      await check(page, 'outage form');
      await page.getByLabel(t('uk', 'outages.kind'), { exact: true }).selectOption('cold_water');
      await page.getByLabel(t('uk', 'outages.area'), { exact: false }).first().fill('вул. Івана Франка');
      await page.getByLabel(t('uk', 'outages.reason')).fill('Порив водогону біля будинку 5');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'outages.post') }));
      assert.match(page.url(), /\/console\/outages\/[0-9a-f-]{36}$/);
      await check(page, 'outage page');
      await screenshot(page, 'console-outage.png');
    });
    const msg = await until('the subscriber’s SMS', async () => sms.received.find((m) => m.phone === '380939990001' && /Порив водогону/.test(m.text)));
    assert.match(msg.text, /Аварійне: відключено — Холодна вода/);

    await withPage(PHONE, 'uk-UA', async (page) => {
      await page.goto(`/uk/outages?q=${encodeURIComponent('Франка 7')}`);
      await assert.doesNotReject(page.getByTestId('lookup').getByText('Порив водогону біля будинку 5').waitFor());
      await check(page, 'outages page, uk');
      await screenshot(page, 'outages-uk.png');
    });
  });

  it('a duty officer issues an alert; every portal page shows the banner, in Ukrainian and Persian', async () => {
    await withPage(DESKTOP, 'uk-UA', async (page) => {
      await staffSignIn(page, 'duty@zelenodolsk.example');
      await page.goto('/console/alerts/new');
      await check(page, 'alert form');
      await screenshot(page, 'console-alert-form-uk.png');
      await page.getByLabel(t('uk', 'alerts.event')).selectOption('uxo');
      await page.locator('#uk_headline').fill('Виявлено вибухонебезпечний предмет у сквері на вул. Соборній');
      await page.locator('#uk_instruction').fill('Обходьте сквер, не наближайтеся до огородження.');
      await page.locator('#fa_headline').fill('شیء انفجاری در پارک خیابان سوبورنا پیدا شد');
      await page.locator('#fa_instruction').fill('از پارک دوری کنید.');
      await clickAndLoad(page, page.getByRole('button', { name: t('uk', 'alerts.issue') }));
      assert.equal(await page.getByTestId('alert-status').textContent(), t('uk', 'alerts.status.active'));
      await check(page, 'alert page');
    });
    await new Promise((r) => setTimeout(r, 1100)); // the banner is read at most once a second
    await withPage(PHONE, 'uk-UA', async (page) => {
      for (const path of ['/uk/', '/uk/outages', '/uk/appeals/new', '/uk/news']) {
        await page.goto(path);
        await assert.doesNotReject(page.getByTestId('alert-banner').getByText('Виявлено вибухонебезпечний предмет').waitFor(), path);
        await check(page, `banner on ${path}`);
      }
      await screenshot(page, 'alert-banner-uk.png');
      await clickAndLoad(page, page.getByTestId('alert-banner').getByRole('link'));
      await assert.doesNotReject(page.getByText('Обходьте сквер').waitFor());
      await check(page, 'alert page on the portal');
    });
    await withPage(PHONE, 'fa-IR', async (page) => {
      for (const path of ['/fa/', '/fa/outages']) {
        await page.goto(path);
        assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
        await assert.doesNotReject(page.getByTestId('alert-banner').getByText('شیء انفجاری در پارک').waitFor(), path);
        await check(page, `banner on ${path}`);
      }
      await screenshot(page, 'alert-banner-fa.png');
    });
  });
});
