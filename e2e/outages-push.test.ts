// "Notify me in this browser" on the outages lookup, in Chromium: offered once web push is on,
// readable and axe-clean in Ukrainian and in Persian on a phone (right to left). Chromium here
// reaches no real push service, so pressing the button must end in a clear message, not silence;
// the delivery itself is tested against a fake push service in src/modules/outages/webpush.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestApp } from '../src/test/harness.ts';
import { Client } from '../src/test/client.ts';
import { DEMO_PASSWORD } from '../src/demo/load.ts';
import { t } from '../src/i18n/i18n.ts';
import { assertNoHorizontalScroll, browserSkipReason, checkA11y, DESKTOP, htmlLangDir, inContext, launchBrowser, PHONE, screenshot } from './browser.ts';

describe('outage notices in this browser (web push)', { skip: browserSkipReason(), timeout: 180_000 }, () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
    app = await startTestApp();
    for (const [base, email] of [['', 'editor@zelenodolsk.example'], ['/c/khomein', 'editor@khomein.example']]) {
      const editor = new Client(app.origin);
      await editor.staffLogin(base, email, DEMO_PASSWORD);
      assert.equal((await editor.post(`${base}/console/channels/webpush`, { enabled: 'on' }, `${base}/console/channels`)).status, 200);
    }
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const withPage = (opts: typeof PHONE | typeof DESKTOP, locale: string, fn: (page: Page) => Promise<void>) => inContext(browser, { ...opts, locale, baseURL: app.origin }, fn);

  it('Ukrainian: the lookup offers the button; pressing it without a reachable push service says so', async () => {
    await withPage(DESKTOP, 'uk-UA', async (page) => {
      await page.goto(`/uk/outages?q=${encodeURIComponent('вул. Івана Франка, 3')}`);
      const button = page.getByRole('button', { name: t('uk', 'outages.push.button') });
      await button.waitFor();
      await checkA11y(page, 'outages lookup with web push (uk)');
      await screenshot(page, 'outages-push-uk.png');
      await button.click();
      const status = page.locator('#outage-push-status');
      await page.waitForFunction(() => (document.getElementById('outage-push-status')?.textContent ?? '').length > 0, null, { timeout: 30_000 });
      const said = (await status.textContent()) ?? '';
      assert.ok([t('uk', 'outages.push.denied'), t('uk', 'channels.push.unsupported')].includes(said), said);
    });
  });

  it('Persian on a phone: right to left, the button in Persian, nothing scrolls sideways', async () => {
    await withPage(PHONE, 'fa-IR', async (page) => {
      await page.goto(`/c/khomein/fa/outages?q=${encodeURIComponent('خیابان خیام')}`);
      assert.deepEqual(await htmlLangDir(page), { lang: 'fa', dir: 'rtl' });
      const lookup = page.locator('[data-testid="lookup"]');
      await lookup.waitFor();
      const options = lookup.locator('ul a');
      if (await options.count()) await options.first().click();
      await page.getByRole('button', { name: t('fa', 'outages.push.button') }).waitFor();
      await checkA11y(page, 'outages lookup with web push (fa)');
      await assertNoHorizontalScroll(page, 'outages lookup with web push (fa)');
      await screenshot(page, 'outages-push-fa-phone.png');
    });
  });
});
